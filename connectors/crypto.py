"""ATS secrets at rest, encrypted with CONNECTORS_FERNET_KEY (core.crypto). Several
comma-separated keys rotate: the first encrypts, any decrypts."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core import crypto


def _keys() -> list[bytes]:
    if not settings.CONNECTORS_FERNET_KEYS:
        raise ImproperlyConfigured("Set CONNECTORS_FERNET_KEY to store ATS secrets.")
    return [key.encode() for key in settings.CONNECTORS_FERNET_KEYS]


def encrypt(value: str) -> str:
    return crypto.encrypt(value, keys=_keys()) if value else ""


def decrypt(token: str) -> str:
    return crypto.decrypt(token, keys=_keys()) if token else ""
