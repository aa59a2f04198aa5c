"""One HTTP request to a receiver: signed, pinned to the checked address, short timeouts,
no redirects, the answer read up to a small cap."""

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from standardwebhooks.webhooks import Webhook

RESPONSE_CAP = 4096  # bytes read from an answer; the log keeps the first EXCERPT of them
EXCERPT = 500
USER_AGENT = "vetting-webhooks/1"


@dataclass
class Outcome:
    status_code: int | None
    latency_ms: int
    excerpt: str = ""
    error: str = ""
    retry_after: float | None = None


class PinnedAdapter(HTTPAdapter):
    """Connects to the address that was checked while TLS still verifies the host name."""

    def __init__(self, hostname: str, **kwargs):
        self.hostname = hostname
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["server_hostname"] = self.hostname
        kwargs["assert_hostname"] = self.hostname
        super().init_poolmanager(*args, **kwargs)


def signature_header(*, secrets: list[str], msg_id: str, timestamp: datetime, body: str) -> str:
    """`v1,<base64>` per secret, space-separated (two during a rotation's grace period)."""
    return " ".join(Webhook(s).sign(msg_id, timestamp, body) for s in secrets)


def post(*, url: str, address: str, msg_id: str, payload: dict, secrets: list[str]) -> Outcome:
    body = json.dumps(payload, separators=(",", ":"))
    now = datetime.now(UTC)
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature_header(secrets=secrets, msg_id=msg_id, timestamp=now,
                                              body=body),
    }
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    netloc = f"{host}:{parts.port}" if parts.port else host
    headers["host"] = parts.netloc
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    started = time.monotonic()
    with requests.Session() as session:
        session.mount("https://", PinnedAdapter(parts.hostname))
        try:
            response = session.post(
                pinned, data=body.encode(), headers=headers, allow_redirects=False, stream=True,
                timeout=(settings.WEBHOOK_CONNECT_TIMEOUT, settings.WEBHOOK_READ_TIMEOUT),
            )
        except requests.RequestException as exc:
            return Outcome(None, _ms(started), error=f"{type(exc).__name__}: {exc}"[:300])
        with response:
            head = _read_capped(response)
            return Outcome(response.status_code, _ms(started),
                           excerpt=head.decode("utf-8", "replace")[:EXCERPT],
                           retry_after=_retry_after(response.headers.get("retry-after")))


def _read_capped(response) -> bytes:
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(chunk_size=1024):
            chunks.append(chunk)
            size += len(chunk)
            if size >= RESPONSE_CAP:
                break
    except requests.RequestException:
        pass  # the status is what counts; a body cut short is fine
    return b"".join(chunks)[:RESPONSE_CAP]


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (a number of seconds or an HTTP date); None if absent or bad."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
