"""Signing secrets: made here, shown once, stored only encrypted.

Encrypted (core.crypto) with a key derived from the WEBHOOK_SECRET_KEY setting, kept apart
from SECRET_KEY so that rotating the session key does not orphan every endpoint's secret.
A database dump alone does not reveal any secret.
"""

import base64
import secrets

from django.conf import settings

from core import crypto

SECRET_PREFIX = "whsec_"


def _keys() -> list[bytes]:
    return [crypto.derived_key(settings.WEBHOOK_SECRET_KEY, purpose="webhooks.secrets")]


def secret_generate() -> str:
    """A new `whsec_<base64 of 32 random bytes>` secret (the Standard Webhooks format)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_encrypt(secret: str) -> str:
    return crypto.encrypt(secret, keys=_keys())


def secret_decrypt(token: str) -> str:
    return crypto.decrypt(token, keys=_keys())
