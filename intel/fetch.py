"""Downloading a published data file (a range list, the SDN list) for an import."""

import requests

from core.exceptions import ApplicationError

MAX_BYTES = 64 * 1024 * 1024  # far above any list we import; a bigger body is a wrong URL


def fetch_bytes(url: str, *, user_agent: str, timeout: tuple[int, int],
                unavailable: type[Exception], max_bytes: int = MAX_BYTES) -> bytes:
    """The body of `url`. Raises `unavailable` for what may pass (timeout, connection error,
    5xx, 429: the caller's task retries) and ApplicationError for what will not (another 4xx,
    a body larger than max_bytes)."""
    try:
        response = requests.get(url, timeout=timeout, stream=True,
                                headers={"User-Agent": user_agent})
    except requests.RequestException as exc:
        raise unavailable(f"{url}: {type(exc).__name__}: {exc}") from exc
    with response:
        if response.status_code >= 500 or response.status_code == 429:
            raise unavailable(f"{url} answered HTTP {response.status_code}")
        if response.status_code != 200:
            raise ApplicationError(f"{url} answered HTTP {response.status_code}")
        body = bytearray()
        try:
            for chunk in response.iter_content(chunk_size=1 << 16):
                body += chunk
                if len(body) > max_bytes:
                    raise ApplicationError(f"{url} is larger than {max_bytes} bytes")
        except requests.RequestException as exc:
            raise unavailable(f"{url}: {type(exc).__name__}: {exc}") from exc
    return bytes(body)
