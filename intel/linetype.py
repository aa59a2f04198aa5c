"""Phone line type from an optional provider: a Twilio Lookup v2 compatible API.

Offline metadata cannot tell a Google Voice or TextNow number from a mobile in the US and the
rest of the +1 plan (THREATS E1), so this asks
`GET {TWILIO_LOOKUP_URL}/v2/PhoneNumbers/{e164}?Fields=line_type_intelligence` with HTTP
basic auth (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN). Without both settings there is no
provider and `line_type` returns None: the check then says VoIP could not be determined.

Answers are cached in PhoneLineType for LINE_TYPE_CACHE_SECONDS (each look-up is billed).
A timeout, connection error, 429 or 5xx raises SourceUnavailable and is never cached.
"""

import logging
from datetime import timedelta
from urllib.parse import quote

import requests
from django.conf import settings
from django.utils import timezone

from intel import ratelimit
from intel.models import PhoneLineType
from intel.types import SourceUnavailable

logger = logging.getLogger(__name__)

USER_AGENT = "candidate-vetting (phone line-type check)"
RATE_LIMIT_NAME = "line-type"
TRANSIENT_RETRY_SECONDS = 60
# 401/403 (credentials), 400 and other answers retrying soon will not fix.
UNEXPECTED_RETRY_SECONDS = 300


def configured() -> bool:
    return bool(settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN)


def line_type(e164: str) -> str | None:
    """The provider's line type for e164: mobile, landline, fixedVoip, nonFixedVoip, tollFree,
    personal, ... or "" when the provider could not tell. None when no provider is
    configured. Raises SourceUnavailable when the provider cannot answer now."""
    e164 = (e164 or "").strip()
    if not configured() or not e164:
        return None
    fresh_since = timezone.now() - timedelta(seconds=settings.LINE_TYPE_CACHE_SECONDS)
    row = PhoneLineType.objects.filter(e164=e164, fetched_at__gte=fresh_since).first()
    if row is not None:
        return row.line_type
    wait = ratelimit.window_remaining(RATE_LIMIT_NAME)
    if wait:
        raise SourceUnavailable(f"line-type provider rate limit: waiting {wait}s", wait)
    kind, carrier_name = _answer(_get(e164))
    PhoneLineType.objects.update_or_create(
        e164=e164, defaults={"line_type": kind, "carrier": carrier_name,
                             "fetched_at": timezone.now()},
    )
    return kind


def carrier(e164: str) -> str:
    """The carrier the provider named for e164 in its cached answer; "" when unknown."""
    if not e164:
        return ""
    row = PhoneLineType.objects.filter(e164=e164.strip()).only("carrier").first()
    return row.carrier if row else ""


def _get(e164: str) -> requests.Response:
    url = f"{settings.TWILIO_LOOKUP_URL.rstrip('/')}/v2/PhoneNumbers/{quote(e164, safe='+')}"
    try:
        return requests.get(
            url, params={"Fields": "line_type_intelligence"},
            auth=(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN),
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            timeout=settings.TWILIO_TIMEOUT,
        )
    except requests.Timeout:
        raise SourceUnavailable(f"line-type provider did not answer within "
                           f"{settings.TWILIO_TIMEOUT}s", TRANSIENT_RETRY_SECONDS) from None
    except requests.RequestException as exc:
        raise SourceUnavailable(f"line-type provider unreachable ({type(exc).__name__})",
                           TRANSIENT_RETRY_SECONDS) from None


def _answer(response: requests.Response) -> tuple[str, str]:
    """(line type, carrier) from a definite answer; SourceUnavailable for the rest."""
    status = response.status_code
    if status == 429:
        wait = ratelimit.retry_after_seconds(response, default=TRANSIENT_RETRY_SECONDS)
        ratelimit.window_set(RATE_LIMIT_NAME, wait)
        raise SourceUnavailable(f"line-type provider rate limit (429): retry in {wait}s", wait)
    if status >= 500:
        wait = ratelimit.retry_after_seconds(response, default=TRANSIENT_RETRY_SECONDS)
        raise SourceUnavailable(f"line-type provider error {status}", wait)
    if status == 404:
        return "", ""  # the provider does not know the number: undetermined, not a finding
    if status != 200:
        logger.warning("line-type provider answered %s", status)
        raise SourceUnavailable(f"line-type provider answered {status}", UNEXPECTED_RETRY_SECONDS)
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise SourceUnavailable("line-type provider answered 200 without JSON",
                           UNEXPECTED_RETRY_SECONDS)
    # Null when the number is invalid or the provider has no data for it (with error_code).
    intelligence = body.get("line_type_intelligence") or {}
    if not isinstance(intelligence, dict):
        intelligence = {}
    kind = intelligence.get("type") or ""
    carrier_name = intelligence.get("carrier_name") or ""
    return str(kind)[:40], str(carrier_name)[:200]
