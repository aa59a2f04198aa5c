"""GitHub account age, from the GitHub REST API (`GET /users/{username}`), cached.

Only public data is read: `created_at`, `public_repos` and `followers`. A found account and a
404 ("no such account") are both cached in GithubAccount for GITHUB_CACHE_SECONDS, so
re-scoring does not call GitHub again. Anything else (a timeout, a connection error, a 5xx,
a rate limit, an answer we cannot read) raises SourceUnavailable: the candidate is scored without
the check and the worker retries later. Such an answer is never cached and never becomes a
"young" or "missing" finding.

Rate limits: 60 requests an hour per IP without a token, 5,000 with GITHUB_TOKEN. When GitHub
says the limit is used up, the window until it resets is shared through the cache
(intel.ratelimit), so other candidates' checks wait too rather than spend refusals.
"""

import logging
from datetime import timedelta
from urllib.parse import quote

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from intel import ratelimit
from intel.models import GithubAccount
from intel.types import GithubAccountInfo, SourceUnavailable

logger = logging.getLogger(__name__)

USER_AGENT = "candidate-vetting (profile-age check)"  # GitHub rejects requests without one
API_VERSION = "2022-11-28"
RATE_LIMIT_NAME = "github"
# Seconds before asking again after a timeout, connection error or 5xx; the task backs off
# exponentially from there.
TRANSIENT_RETRY_SECONDS = 60
# After an answer that retrying soon will not fix (401 bad token, an unreadable body).
UNEXPECTED_RETRY_SECONDS = 300


def github_account(username: str) -> GithubAccountInfo | None:
    """The GitHub account `username`, from the cache or the API.

    None when GitHub look-ups are switched off (GITHUB_ENABLED) or there is no username: the
    check cannot know. Raises SourceUnavailable when GitHub cannot answer now.
    """
    username = (username or "").strip().lower()
    if not settings.GITHUB_ENABLED or not username:
        return None
    cached = _cached(username)
    if cached is not None:
        return cached
    wait = ratelimit.window_remaining(RATE_LIMIT_NAME)
    if wait:
        raise SourceUnavailable(f"GitHub rate limit: waiting {wait}s for it to reset", wait)
    response = _get(username)
    return _store(username, response)


def _cached(username: str) -> GithubAccountInfo | None:
    fresh_since = timezone.now() - timedelta(seconds=settings.GITHUB_CACHE_SECONDS)
    row = GithubAccount.objects.filter(username=username, fetched_at__gte=fresh_since).first()
    return _info(row) if row else None


def _get(username: str) -> requests.Response:
    headers = {
        "Accept": "application/vnd.github+json",
        "User-Agent": USER_AGENT,
        "X-GitHub-Api-Version": API_VERSION,
    }
    if settings.GITHUB_TOKEN:
        headers["Authorization"] = f"Bearer {settings.GITHUB_TOKEN}"
    url = f"{settings.GITHUB_API_URL.rstrip('/')}/users/{quote(username, safe='')}"
    try:
        return requests.get(url, headers=headers, timeout=settings.GITHUB_TIMEOUT,
                            allow_redirects=True)
    except requests.Timeout:
        raise SourceUnavailable(f"GitHub did not answer within {settings.GITHUB_TIMEOUT}s",
                           TRANSIENT_RETRY_SECONDS) from None
    except requests.RequestException as exc:
        raise SourceUnavailable(f"GitHub unreachable ({type(exc).__name__})",
                           TRANSIENT_RETRY_SECONDS) from None


def _store(username: str, response: requests.Response) -> GithubAccountInfo:
    """Cache a definite answer (200, 404) and return it; raise SourceUnavailable for the rest."""
    status = response.status_code
    if status in (403, 429):
        # GitHub's primary limit (Remaining: 0, Reset) and secondary limits (Retry-After, or
        # neither: "wait at least one minute") both answer 403 or 429.
        wait = ratelimit.retry_after_seconds(response, default=TRANSIENT_RETRY_SECONDS)
        ratelimit.window_set(RATE_LIMIT_NAME, wait)
        logger.warning("GitHub rate limit (%s); pausing look-ups for %ss", status, wait)
        raise SourceUnavailable(f"GitHub rate limit ({status}): retry in {wait}s", wait)
    if status >= 500:
        wait = ratelimit.retry_after_seconds(response, default=TRANSIENT_RETRY_SECONDS)
        raise SourceUnavailable(f"GitHub error {status}", wait)
    if ratelimit.is_exhausted(response):
        # That was the last request of the window: spare the next check a refusal.
        ratelimit.window_set(RATE_LIMIT_NAME,
                             ratelimit.retry_after_seconds(response, TRANSIENT_RETRY_SECONDS))
    if status == 404:
        defaults = {"found": False, "created_at": None, "public_repos": None,
                    "followers": None}
    elif status == 200:
        defaults = _parse(response)
    else:  # 401 (bad GITHUB_TOKEN), 400, 422, ...: a problem on our side, not a finding
        logger.warning("GitHub answered %s for users/%s", status, username)
        raise SourceUnavailable(f"GitHub answered {status}", UNEXPECTED_RETRY_SECONDS)
    row, _ = GithubAccount.objects.update_or_create(
        username=username, defaults={**defaults, "fetched_at": timezone.now()}
    )
    return _info(row)


def _parse(response: requests.Response) -> dict:
    try:
        body = response.json()
        created_at = parse_datetime(body["created_at"])
    except (ValueError, KeyError, TypeError):
        created_at = None
        body = None
    if not isinstance(body, dict) or created_at is None:
        # Not what the users API answers: a proxy's page, a truncated body. Ask again later
        # rather than record an account without an age.
        raise SourceUnavailable("GitHub answered 200 without a readable created_at",
                           UNEXPECTED_RETRY_SECONDS)
    return {
        "found": True,
        "created_at": created_at,
        "public_repos": _count(body.get("public_repos")),
        "followers": _count(body.get("followers")),
    }


def _count(value) -> int | None:
    return value if isinstance(value, int) and value >= 0 else None


def _info(row: GithubAccount) -> GithubAccountInfo:
    return GithubAccountInfo(
        username=row.username, found=row.found, created_at=row.created_at,
        public_repos=row.public_repos, followers=row.followers,
    )
