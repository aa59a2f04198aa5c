"""Failed sign-in throttling: after LOGIN_FAILURE_LIMIT failures for one username from one
client IP, that pair is refused for LOGIN_LOCKOUT_SECONDS (15 minutes), whatever password is
given.

Enforced in the authentication backend, so every sign-in path (the review UI, the admin)
goes through it; the forms only turn it into a clear message. Counters live in the cache
(Redis when configured, so they hold across web processes). Keyed by username and IP
together so that an attacker cannot lock a colleague out from elsewhere by guessing at
their username. If the cache is unreachable the check fails open and says so in the log:
a Redis outage must not lock everybody out.
"""

import hashlib
import logging

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import PermissionDenied

from core.audit import audit_record

logger = logging.getLogger(__name__)

LOCKED_MESSAGE = (
    "Too many failed sign-in attempts for this account from your network. "
    "Try again in 15 minutes, or ask an administrator to check the account."
)


def client_ip(request) -> str:
    """The peer address. Behind a proxy, configure it to set REMOTE_ADDR (e.g. gunicorn's
    --forwarded-allow-ips); X-Forwarded-For is not trusted here because clients can forge it."""
    if request is None:
        return "unknown"
    return request.META.get("REMOTE_ADDR") or "unknown"


def _key(username: str, ip: str) -> str:
    digest = hashlib.sha256(f"{(username or '').strip().lower()}|{ip}".encode()).hexdigest()
    return f"login-failures:{digest[:40]}"


def login_failures(*, username: str, ip: str) -> int:
    try:
        return int(cache.get(_key(username, ip)) or 0)
    except Exception:
        logger.warning("login throttle: cache unavailable, not throttling", exc_info=True)
        return 0


def login_locked(*, username: str, ip: str) -> bool:
    return login_failures(username=username, ip=ip) >= settings.LOGIN_FAILURE_LIMIT


def login_failure_record(*, username: str, ip: str) -> int:
    """Count one failure; the window starts at the first failure. Returns the count."""
    key = _key(username, ip)
    try:
        cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_SECONDS)
        return cache.incr(key)
    except Exception:
        logger.warning("login throttle: cache unavailable, failure not counted", exc_info=True)
        return 0


def login_failures_reset(*, username: str, ip: str) -> None:
    try:
        cache.delete(_key(username, ip))
    except Exception:
        logger.warning("login throttle: cache unavailable", exc_info=True)


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        ip = client_ip(request)
        if login_locked(username=username, ip=ip):
            # authenticate() stops at PermissionDenied and tries no other backend.
            raise PermissionDenied(LOCKED_MESSAGE)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            count = login_failure_record(username=username, ip=ip)
            logger.info("failed sign-in for %r from %s (%s)", username, ip, count)
            if count == settings.LOGIN_FAILURE_LIMIT:
                audit_record(actor="anonymous", action="auth.lockout", target_type="user",
                             target_id=username[:64], before=None,
                             after={"ip": ip, "failures": count,
                                    "locked_seconds": settings.LOGIN_LOCKOUT_SECONDS})
        else:
            login_failures_reset(username=username, ip=ip)
        return user


class _LockoutMessage:
    """Shows the lockout instead of "wrong password" when the pair is (or just became) locked."""

    locked = False

    def clean(self):
        username = self.cleaned_data.get("username")
        ip = client_ip(self.request)
        if username and login_locked(username=username, ip=ip):
            self.locked = True
            raise forms.ValidationError(LOCKED_MESSAGE, code="locked")
        try:
            return super().clean()
        except forms.ValidationError:
            if username and login_locked(username=username, ip=ip):
                self.locked = True
                raise forms.ValidationError(LOCKED_MESSAGE, code="locked") from None
            raise


class ThrottledAuthenticationForm(_LockoutMessage, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(_LockoutMessage, AdminAuthenticationForm):
    pass
