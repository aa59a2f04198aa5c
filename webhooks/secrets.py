"""Signing secrets: made here, shown once, stored only encrypted.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) with a key derived from the
WEBHOOK_SECRET_KEY setting, kept apart from SECRET_KEY so that rotating the session key does
not orphan every endpoint's secret. A database dump alone does not reveal any secret.
"""

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet
from django.conf import settings

SECRET_PREFIX = "whsec_"


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"webhooks.secrets:" + settings.WEBHOOK_SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def secret_generate() -> str:
    """A new `whsec_<base64 of 32 random bytes>` secret (the Standard Webhooks format)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def secret_decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()
