"""Secrets at rest: Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`), each kind of
secret with keys of its own, so that a leaked SECRET_KEY or a database dump alone reveals
none. Several keys rotate: the first encrypts, any of them decrypts."""

import base64
import hashlib

from cryptography.fernet import Fernet, MultiFernet


def derived_key(secret: str, *, purpose: str) -> bytes:
    """A Fernet key derived from a setting that is a free-form secret rather than a key."""
    digest = hashlib.sha256(purpose.encode() + b":" + secret.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def encrypt(value: str, *, keys: list[bytes]) -> str:
    return MultiFernet([Fernet(key) for key in keys]).encrypt(value.encode()).decode()


def decrypt(token: str, *, keys: list[bytes]) -> str:
    return MultiFernet([Fernet(key) for key in keys]).decrypt(token.encode()).decode()
