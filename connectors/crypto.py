"""Secrets at rest: Fernet (AES-128-CBC + HMAC-SHA256) with a key of its own,
CONNECTORS_FERNET_KEY, so that a leaked SECRET_KEY or database dump alone reveals no ATS
secret. Several comma-separated keys rotate: the first encrypts, any decrypts."""

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _fernet() -> MultiFernet:
    if not settings.CONNECTORS_FERNET_KEYS:
        raise ImproperlyConfigured("Set CONNECTORS_FERNET_KEY to store ATS secrets.")
    return MultiFernet([Fernet(key.encode()) for key in settings.CONNECTORS_FERNET_KEYS])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode() if token else ""
