"""Per-API-key request rate limit (settings.API_RATE_LIMIT), answered with 429 + Retry-After."""

import logging

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from candidates.models import ApiKey

logger = logging.getLogger(__name__)


class ApiKeyRateThrottle(SimpleRateThrottle):
    """At most API_RATE_LIMIT requests (e.g. "1200/minute") per API key, counted in fixed
    windows of that period in the shared cache (Redis in production).

    DRF's SimpleRateThrottle keeps the timestamp of every request in the window and rewrites
    that list on each request: fine for 10 a minute, a cost of its own at thousands. One
    atomic counter per key and window is O(1); the price is that a client may send up to
    twice the rate across a window boundary, which a generous limit does not mind.

    Requests without an API key (refused before this runs, or the public schema) are not
    counted. If the cache is unreachable the request is let through and the outage logged:
    a Redis problem must not take the API down with it.
    """

    scope = "api_key"
    wait_seconds: float | None = None

    def get_rate(self):
        return settings.API_RATE_LIMIT or None

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return None
        # The key's hash, not its row id: ids are reused when a test database is recreated,
        # and the hash is unique to the key anyway.
        return f"throttle:api-key:{request.auth.key_hash[:32]}"

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        key = f"{key}:{window}"
        try:
            self.cache.add(key, 0, timeout=self.duration + 1)
            count = self.cache.incr(key)
        except ValueError:
            return True  # the window expired between add and incr: a new one starts
        except Exception:  # any cache failure: fail open, and say so
            logger.warning("API rate limit not applied: the cache is unavailable",
                           exc_info=True)
            return True
        self.wait_seconds = max((window + 1) * self.duration - now, 1)
        return count <= self.num_requests

    def wait(self):
        return self.wait_seconds
