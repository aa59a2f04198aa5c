"""Reading an HTTP API's "come back later" answers, and remembering them across workers.

When an API rate-limits us, every worker scoring another candidate would otherwise call it
again at once and earn another refusal (GitHub counts those too). The window until the limit
resets is kept in the Django cache (Redis when REDIS_URL is set, so every worker sees it;
process memory otherwise), and the clients raise SourceUnavailable without calling the API while
it is open. The window is an optimisation only: if the cache is unavailable the clients just
call the API and learn the limit again.
"""

import logging
import time
from email.utils import parsedate_to_datetime

import requests
from django.core.cache import cache

logger = logging.getLogger(__name__)

# A window never outlasts an hour: GitHub's and Twilio's limits reset within one, and a
# garbled header must not silence a client for days.
MAX_WAIT_SECONDS = 3600


def retry_after_seconds(response: requests.Response, default: int) -> int:
    """Seconds to wait before asking again, from the response's headers.

    `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset` (epoch seconds, GitHub's primary
    limit) first, then `Retry-After` (seconds or an HTTP date: secondary limits, 429s, 503s),
    else `default`. Always between 1 and MAX_WAIT_SECONDS.
    """
    headers = response.headers
    seconds: float | None = None
    if headers.get("X-RateLimit-Remaining", "").strip() == "0":
        reset = _number(headers.get("X-RateLimit-Reset"))
        if reset is not None:
            seconds = reset - time.time() + 1  # the reset second itself may still be limited
    if seconds is None and headers.get("Retry-After"):
        value = headers["Retry-After"].strip()
        seconds = _number(value)
        if seconds is None:
            try:
                seconds = parsedate_to_datetime(value).timestamp() - time.time()
            except (TypeError, ValueError):
                seconds = None
    if seconds is None:
        seconds = default
    return int(min(max(seconds, 1), MAX_WAIT_SECONDS))


def is_exhausted(response: requests.Response) -> bool:
    """True when the response says no requests are left in the current window."""
    return response.headers.get("X-RateLimit-Remaining", "").strip() == "0"


def window_remaining(name: str) -> int:
    """Seconds left in the rate-limit window recorded for the API `name`; 0 when none."""
    try:
        until = cache.get(_key(name))
    except Exception:  # the cache is an optimisation; never fail a check over it
        logger.warning("cache unavailable reading the %s rate-limit window", name, exc_info=True)
        return 0
    if not until:
        return 0
    return max(0, int(until - time.time()))


def window_set(name: str, seconds: int) -> None:
    """Record that the API `name` should not be called for `seconds`."""
    try:
        cache.set(_key(name), time.time() + seconds, timeout=seconds)
    except Exception:
        logger.warning("cache unavailable recording the %s rate-limit window", name,
                       exc_info=True)


def window_clear(name: str) -> None:
    try:
        cache.delete(_key(name))
    except Exception:
        logger.warning("cache unavailable clearing the %s rate-limit window", name,
                       exc_info=True)


def _key(name: str) -> str:
    return f"intel:rate-limited-until:{name}"


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
