"""Each ATS's webhook signature, checked on the raw body before anything acts on it.

Every function takes the connection's secret, the raw body and the request headers, and
returns the delivery id to de-duplicate on, or raises SignatureInvalid. Comparisons are
constant-time (hmac.compare_digest).
"""

import hashlib
import hmac
import json
from collections.abc import Mapping

from connectors.models import AtsKind


class SignatureInvalid(Exception):
    pass


def _hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.strip().lower().encode())


def _body_id(body: bytes) -> str:
    """When the ATS sends no delivery id, the same body is the same delivery."""
    return "sha256:" + hashlib.sha256(body).hexdigest()


def greenhouse(secret: str, body: bytes, headers: Mapping[str, str]) -> str:
    # "Signature: sha256 <hex>", HMAC-SHA256 of the whole body with the secret key.
    scheme, _, given = headers.get("Signature", "").partition(" ")
    if scheme != "sha256" or not _same(_hmac_hex(secret, body), given):
        raise SignatureInvalid
    return headers.get("Greenhouse-Event-ID") or _body_id(body)


def lever(secret: str, body: bytes, headers: Mapping[str, str]) -> str:
    # No header: the body carries token, triggeredAt and signature, which is
    # HMAC-SHA256(signature token, token + triggeredAt). The token is unique per delivery.
    try:
        data = json.loads(body)
        token, triggered_at, given = data["token"], data["triggeredAt"], data["signature"]
    except (ValueError, KeyError, TypeError) as exc:
        raise SignatureInvalid from exc
    if not isinstance(token, str) or not isinstance(given, str):
        raise SignatureInvalid
    if not _same(_hmac_hex(secret, f"{token}{triggered_at}".encode()), given):
        raise SignatureInvalid
    return f"token:{token}"


def ashby(secret: str, body: bytes, headers: Mapping[str, str]) -> str:
    # "Ashby-Signature: sha256=<hex>" over the raw body.
    scheme, _, given = headers.get("Ashby-Signature", "").partition("=")
    if scheme != "sha256" or not _same(_hmac_hex(secret, body), given):
        raise SignatureInvalid
    return _body_id(body)


def workable(secret: str, body: bytes, headers: Mapping[str, str]) -> str:
    # "X-Workable-Signature: <hex>", HMAC-SHA256 of the body with the subscription token.
    if not _same(_hmac_hex(secret, body), headers.get("X-Workable-Signature", "")):
        raise SignatureInvalid
    return _body_id(body)


VERIFIERS = {
    AtsKind.GREENHOUSE: greenhouse,
    AtsKind.LEVER: lever,
    AtsKind.ASHBY: ashby,
    AtsKind.WORKABLE: workable,
}
