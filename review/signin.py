"""Sign-in protection with django-axes: the policy, and the few hooks axes leaves to us.

django-axes enforces it for every sign-in path (its authentication backend refuses a locked
client before any password is checked, the review UI's and the admin's alike) and counts
failures in the cache (Redis when configured, so every web process sees the same counts).
Three limits, none of which an attacker can aim at someone else:

- **account from one address:** AXES_FAILURE_LIMIT (5) failures for one username from one
  client address lock that (username, address) pair. The same username from another address
  is not affected, so guessing at a colleague's username from elsewhere cannot lock them out.
- **one address across usernames:** SIGNIN_ADDRESS_FAILURE_LIMIT (20) failures from one client
  address, whatever the usernames, lock that address: password spraying (many usernames, one
  password each) is throttled, and only the sprayer's own address is locked.
- **the whole deployment (distributed spraying):** after SIGNIN_GLOBAL_FAILURE_LIMIT (100)
  failures system-wide within one cool-off window, every address gets only AXES_FAILURE_LIMIT
  failures across usernames until the window ends. Nobody is locked out who does not fail from
  their own address, and nothing waits: no global lock (which would let an attacker lock
  everybody out) and no sleeping (which would tie up the web workers for the attacker).

All three are refused for AXES_COOLOFF_TIME (15 minutes) after the failure that locked them;
attempts while locked are refused without being counted or checked. IPv6 clients are counted
per /64 (one customer's allocation), or one host could pick a fresh address per attempt.

The client address is REMOTE_ADDR unless the deployment says which forwarded header its proxy
sets (AXES_IPWARE_META_PRECEDENCE_ORDER, AXES_IPWARE_PROXY_COUNT; see docker-compose.yml).

Lock-outs go on the audit trail (action "auth.lockout"), at most SIGNIN_AUDIT_LOCKOUT_LIMIT an
hour, with the attacker-chosen username cut short, so a flood cannot fill the trail.

If the cache is unreachable the checks fail open and say so in the log: a Redis outage must
not lock everybody out.
"""

import ipaddress
import logging
import time

import ipware.ip
from axes.backends import AxesStandaloneBackend
from axes.handlers.cache import AxesCacheHandler
from axes.helpers import (
    get_cache,
    get_cache_timeout,
    get_client_cache_keys,
    get_lockout_parameters,
)
from axes.signals import user_locked_out
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from core.audit import audit_record

logger = logging.getLogger(__name__)

LOCKED_MESSAGE = (
    "Too many failed sign-in attempts from your network. "
    "Try again in 15 minutes, or ask an administrator to check the account."
)

# Attacker-chosen text (the username typed) is cut to this length wherever it is kept.
USERNAME_KEPT_CHARS = 64
AUDIT_WINDOW_SECONDS = 3600

PAIR, ADDRESS, GLOBAL = "account", "address", "global"


def client_address(request) -> str:
    """The client's address as the deployment's proxy settings say (AXES_CLIENT_IP_CALLABLE).

    django-ipware reads the headers named by AXES_IPWARE_META_PRECEDENCE_ORDER (by default
    REMOTE_ADDR only: no forwarded header is trusted unless configured). An IPv6 address is
    reduced to its /64."""
    address, _ = ipware.ip.get_client_ip(
        request,
        proxy_order=settings.AXES_IPWARE_PROXY_ORDER,
        proxy_count=settings.AXES_IPWARE_PROXY_COUNT,
        proxy_trusted_ips=settings.AXES_IPWARE_PROXY_TRUSTED_IPS,
        request_header_order=settings.AXES_IPWARE_META_PRECEDENCE_ORDER,
    )
    if not address:
        return "unknown"
    try:
        if ipaddress.ip_address(address).version == 6:
            return str(ipaddress.ip_network(f"{address}/64", strict=False))
    except ValueError:  # e.g. a scoped address ("fe80::1%eth0"): counted as it is
        pass
    return address


def signin_username(request, credentials) -> str:
    """The username as axes counts it (AXES_USERNAME_CALLABLE): trimmed, case-folded, cut short.

    axes builds a counter's key by gluing the values together ("rita" + "198.51.100.1"), so
    "rita1" from 98.51.100.1 would count against rita from 198.51.100.1. The length prefix and
    the separator make every (username, address) pair, and every bare address, a distinct key.
    """
    if credentials:
        value = credentials.get("username")
    else:
        value = getattr(request, "POST", {}).get("username")
    name = (value or "").strip().lower()[:150]
    return f"{len(name)}:{name}|"


class SignInBackend(AxesStandaloneBackend):
    """axes' backend (first in AUTHENTICATION_BACKENDS): refuses a locked-out client before any
    password is checked. A call without a request (the shell, a management command, the test
    client's login()) comes from no client that could be locked out, and goes on to the next
    backend instead of failing as axes would."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response, credentials=None):
    """AXES_LOCKOUT_CALLABLE: keep the page the view rendered (its form shows LOCKED_MESSAGE),
    answered as 429 Too Many Requests."""
    original_response.status_code = settings.AXES_HTTP_RESPONSE_CODE
    return original_response


class SignInLockoutHandler(AxesCacheHandler):
    """axes' cache handler with a limit per lockout parameter (see the module docstring).

    axes has one AXES_FAILURE_LIMIT for all its counters; we need a higher one for the address
    across usernames than for a (username, address) pair, plus the system-wide count.
    """

    def _counters(self, request, credentials) -> list[tuple[str, str, int]]:
        """(scope, cache key, limit) for each of AXES_LOCKOUT_PARAMETERS, in order."""
        parameters = get_lockout_parameters(request, credentials)
        keys = get_client_cache_keys(request, credentials)
        counters = []
        for parameter, key in zip(parameters, keys, strict=True):
            scope = ADDRESS if parameter == "ip_address" else PAIR
            counters.append((scope, key, self._limit(scope)))
        return counters

    def _limit(self, scope: str) -> int:
        if scope == PAIR:
            return settings.AXES_FAILURE_LIMIT
        if self._global_failures() >= settings.SIGNIN_GLOBAL_FAILURE_LIMIT:
            return min(settings.AXES_FAILURE_LIMIT, settings.SIGNIN_ADDRESS_FAILURE_LIMIT)
        return settings.SIGNIN_ADDRESS_FAILURE_LIMIT

    def _global_key(self) -> str:
        window = int(time.time()) // _cooloff_seconds()
        return f"signin-failures-global:{window}"

    def _global_failures(self) -> int:
        return int(self.cache.get(self._global_key(), 0) or 0)

    def _count(self, key: str, timeout: int | None, touch: bool = True) -> int:
        if self.cache.add(key, 1, timeout=timeout):
            return 1
        try:
            count = self.cache.incr(key)
        except ValueError:  # expired between add() and incr()
            self.cache.add(key, 1, timeout=timeout)
            return 1
        if touch:
            self.cache.touch(key, timeout=timeout)
        return count

    def get_failures(self, request, credentials=None) -> int:
        try:
            return max(self.cache.get(key, 0) for _, key, _ in self._counters(request, credentials))
        except Exception:
            logger.warning("sign-in lockout: cache unavailable, not throttling", exc_info=True)
            return 0

    def is_locked(self, request, credentials=None) -> bool:
        try:
            return any(self.cache.get(key, 0) >= limit
                       for _, key, limit in self._counters(request, credentials))
        except Exception:
            logger.warning("sign-in lockout: cache unavailable, not throttling", exc_info=True)
            return False

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            return
        if request.axes_locked_out:
            # Refused by the backend before any password was checked: not counted, so a lock
            # ends AXES_COOLOFF_TIME after the failure that set it, however often it is tried.
            request.axes_credentials = credentials
            return
        if self.is_whitelisted(request, credentials):
            return
        try:
            self._failure_count(request, credentials)
        except Exception:
            logger.warning("sign-in lockout: cache unavailable, failure not counted",
                           exc_info=True)

    def _failure_count(self, request, credentials: dict) -> None:
        timeout = get_cache_timeout(request)
        total = self._count(self._global_key(), _cooloff_seconds() * 2, touch=False)
        if total == settings.SIGNIN_GLOBAL_FAILURE_LIMIT:
            self._locked(request, credentials, GLOBAL, total)
        for scope, key, limit in self._counters(request, credentials):
            count = self._count(key, timeout)
            request.axes_failures_since_start = max(
                count, request.axes_failures_since_start or 0)
            if count >= limit:
                request.axes_locked_out = True
                request.axes_credentials = credentials
            if count == limit:  # the failure that locked it: announced once
                self._locked(request, credentials, scope, count)

    def _locked(self, request, credentials: dict, scope: str, failures: int) -> None:
        username = (credentials or {}).get("username") or ""
        logger.warning("sign-in lockout (%s) after %d failures from %s", scope, failures,
                       request.axes_ip_address)
        user_locked_out.send("axes", request=request, username=username,
                             ip_address=request.axes_ip_address, scope=scope, failures=failures)

    def user_logged_in(self, sender, request, user, **kwargs):
        """A success clears that account's count from that address, and nothing else: clearing
        the address's count would let someone with one valid account spray between sign-ins."""
        if not settings.AXES_RESET_ON_SUCCESS:
            return
        credentials = {"username": user.get_username()}
        try:
            for scope, key, _ in self._counters(request, credentials):
                if scope == PAIR:
                    self.cache.delete(key)
        except Exception:
            logger.warning("sign-in lockout: cache unavailable, count not reset", exc_info=True)


def _cooloff_seconds() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds()))


def lockout_audit(sender, request, username: str, ip_address: str, scope: str = PAIR,
                  failures: int = 0, **kwargs) -> None:
    """user_locked_out receiver: one audit event per lock-out, at most
    SIGNIN_AUDIT_LOCKOUT_LIMIT an hour; past that, one event saying the rest of the hour is
    only logged. The username is attacker-chosen text: printable characters only, cut short."""
    cache = get_cache()
    key = f"signin-lockout-audits:{int(time.time()) // AUDIT_WINDOW_SECONDS}"
    try:
        if not cache.add(key, 1, timeout=AUDIT_WINDOW_SECONDS * 2):
            recorded = cache.incr(key)
        else:
            recorded = 1
    except Exception:
        logger.warning("sign-in lockout: cache unavailable, lock-out not audited", exc_info=True)
        return
    limit = settings.SIGNIN_AUDIT_LOCKOUT_LIMIT
    if recorded > limit + 1:
        return
    if recorded == limit + 1:
        audit_record(actor="anonymous", action="auth.lockout", target_type="system",
                     target_id="audit-limit", before=None,
                     after={"recorded_this_hour": limit,
                            "note": "further lock-outs this hour are logged, not audited"})
        return
    cooloff = _cooloff_seconds()
    after = {"scope": scope, "ip": ip_address, "failures": failures, "locked_seconds": cooloff}
    if scope == PAIR:
        name = "".join(ch for ch in username if ch.isprintable())[:USERNAME_KEPT_CHARS]
        audit_record(actor="anonymous", action="auth.lockout", target_type="user",
                     target_id=name, before=None, after=after)
    elif scope == ADDRESS:
        audit_record(actor="anonymous", action="auth.lockout", target_type="address",
                     target_id=ip_address, before=None, after=after)
    else:
        audit_record(actor="anonymous", action="auth.lockout", target_type="system",
                     target_id="sign-in", before=None,
                     after={**after, "address_limit": settings.AXES_FAILURE_LIMIT})


class _LockoutMessage:
    """Shows the lock-out instead of "wrong password" when axes refused the attempt or the
    attempt was the one that locked it (axes flags the request in both cases)."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise forms.ValidationError(LOCKED_MESSAGE, code="locked") from None
            raise


class SignInForm(_LockoutMessage, AuthenticationForm):
    pass


class AdminSignInForm(_LockoutMessage, AdminAuthenticationForm):
    pass
