"""Resume attachments: download through the ATS's URL with size and time limits, and
extract the text of PDF and DOCX files for the resume checks."""

import io
import logging
import zipfile

import docx
import pypdf
import requests
from django.conf import settings

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 100_000  # CandidateInput.resume_text's limit
MAX_PDF_PAGES = 30


class ResumeUnreadable(Exception):
    """The file is too big, not a PDF or DOCX, or damaged; the candidate is vetted without
    it (a bad attachment must never lose an applicant)."""


def resume_download(url: str, *, session: requests.Session | None = None,
                    headers: dict | None = None) -> tuple[bytes, str]:
    """The file's bytes and content type. Raises ResumeUnreadable when it is larger than
    CONNECTORS_RESUME_MAX_BYTES, and requests.RequestException when the ATS is down (the
    caller retries)."""
    limit = settings.CONNECTORS_RESUME_MAX_BYTES
    http = session or requests
    with http.get(url, headers=headers or {}, stream=True,
                  timeout=settings.CONNECTORS_HTTP_TIMEOUT) as response:
        response.raise_for_status()
        if int(response.headers.get("Content-Length") or 0) > limit:
            raise ResumeUnreadable(f"resume larger than {limit} bytes")
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise ResumeUnreadable(f"resume larger than {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks), response.headers.get("Content-Type", "")


def resume_text(content: bytes, *, filename: str = "", content_type: str = "") -> str:
    """The text of a PDF or DOCX file, told apart by its first bytes (names lie)."""
    try:
        if content.startswith(b"%PDF"):
            text = _pdf_text(content)
        elif content.startswith(b"PK"):
            text = _docx_text(content)
        else:
            raise ResumeUnreadable(f"not a PDF or DOCX: {filename or content_type}")
    except ResumeUnreadable:
        raise
    except Exception as exc:  # a damaged file: pypdf and python-docx raise many kinds
        raise ResumeUnreadable(f"unreadable {filename}: {type(exc).__name__}") from exc
    return text.strip()[:MAX_TEXT_CHARS]


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    parts, size = [], 0
    for page in reader.pages[:MAX_PDF_PAGES]:
        part = page.extract_text() or ""
        parts.append(part)
        size += len(part)
        if size > MAX_TEXT_CHARS:
            break
    return "\n".join(parts)


def _docx_text(content: bytes) -> str:
    # A zip bomb would expand in memory: refuse archives whose parts are implausibly big.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        if sum(info.file_size for info in archive.infolist()) > 50 * 1024 * 1024:
            raise ResumeUnreadable("DOCX expands to more than 50 MB")
    document = docx.Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(lines)
