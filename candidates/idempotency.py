"""Idempotency-Key handling with Stripe's semantics.

The first request with a key runs, and its response is stored with an HMAC of the request;
a repeat with the same body replays that response, and a repeat with a different body is
refused (422). A repeat that arrives while the first is still running blocks on the key's
row until the first commits, then replays its response. Validation errors are not stored,
so a client may fix the body and retry with the same key. Keys are kept for 24 hours.
"""

import hashlib
import hmac
import json
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction

from candidates.models import IdempotencyRecord, Integration
from core.exceptions import ApplicationError

MAX_KEY_LENGTH = 255
Result = tuple[int, object]  # (HTTP status, JSON body)


def request_hash(*, method: str, path: str, body: bytes) -> str:
    """HMAC rather than a bare hash: the body may hold account numbers."""
    message = method.encode() + b" " + path.encode() + b"\n" + body
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _replay(*, integration: Integration, key: str, digest: str) -> Result | None:
    record = IdempotencyRecord.objects.filter(integration=integration, key=key).first()
    if record is None:
        return None
    if record.request_hash != digest:
        raise ApplicationError(
            "This Idempotency-Key was already used with a different request.",
            code="idempotency_key_reused",
        )
    return record.response_status, record.response_body


def idempotent_call(
    *, integration: Integration, key: str | None, digest: str, run: Callable[[], Result]
) -> tuple[Result, bool]:
    """Run `run` in one transaction, at most once per key. Returns (result, replayed)."""
    if not key:
        with transaction.atomic():
            return run(), False
    if len(key) > MAX_KEY_LENGTH:
        raise ApplicationError(
            f"Idempotency-Key is longer than {MAX_KEY_LENGTH} characters.", code="invalid"
        )
    replay = _replay(integration=integration, key=key, digest=digest)
    if replay is not None:
        return replay, True
    try:
        with transaction.atomic():
            # Claim the key first: a concurrent request with the same key blocks here.
            record = IdempotencyRecord.objects.create(
                integration=integration, key=key, request_hash=digest,
                response_status=0, response_body={},
            )
            status, body = run()
            record.response_status = status
            record.response_body = json.loads(json.dumps(body, default=str))
            record.save(update_fields=["response_status", "response_body"])
            return (status, body), False
    except IntegrityError:
        replay = _replay(integration=integration, key=key, digest=digest)
        if replay is None:
            raise
        return replay, True
