"""Writes: endpoints and their secrets, and the sending of deliveries (called by the task).

Every change an admin or an integration makes to an endpoint is audited (never the secret).
"""

import random
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from candidates.models import Integration
from core.audit import audit_record
from core.exceptions import ApplicationError
from webhooks import safety, send
from webhooks.models import (
    SUBSCRIBABLE,
    Attempt,
    Delivery,
    DeliveryStatus,
    Endpoint,
    Event,
    EventType,
)
from webhooks.outbox import deliveries_publish
from webhooks.secrets import secret_decrypt, secret_encrypt, secret_generate

# Seconds before each retry after a failure (the first try is at once): 5 s, 5 min, 30 min,
# 2 h, 5 h, 10 h, 24 h, about 41.5 hours in all, each with +/-20% jitter so that a receiver
# coming back is not hit by every retry at the same moment. A Retry-After answer replaces
# the next wait (capped at a day).
RETRY_SCHEDULE = (5, 300, 1800, 7200, 18000, 36000, 86400)
JITTER = 0.2
RETRY_AFTER_MAX = 86400
# Retries this close are published at once with a countdown; later ones wait for the sweep.
COUNTDOWN_MAX = 30


def _event_types_check(event_types: list[str]) -> list[str]:
    unknown = sorted(set(event_types) - set(SUBSCRIBABLE))
    if unknown or not event_types:
        raise ApplicationError("Subscribe to at least one known event type.", code="invalid",
                               extra={"fields": {"event_types": [f"Unknown: {unknown}" if unknown
                                                                 else "Pick at least one."]}})
    return sorted(set(event_types))


def _url_check(url: str) -> str:
    try:
        safety.url_resolve(url)
    except ApplicationError as exc:
        raise ApplicationError(exc.message, code="invalid",
                               extra={"fields": {"url": [exc.message]}}) from None
    return url


@transaction.atomic
def endpoint_create(*, integration: Integration, url: str, event_types: list[str],
                    description: str = "", actor) -> tuple[Endpoint, str]:
    """Create an endpoint; returns it and its signing secret, the only time it is in clear."""
    secret = secret_generate()
    endpoint = Endpoint(integration=integration, url=_url_check(url), description=description,
                        event_types=_event_types_check(event_types),
                        secret_encrypted=secret_encrypt(secret))
    endpoint.full_clean()
    endpoint.save()
    audit_record(actor=actor, action="webhook_endpoint.create", target_type="webhook_endpoint",
                 target_id=endpoint.pk, after=_audit_view(endpoint))
    return endpoint, secret


@transaction.atomic
def endpoint_update(*, endpoint: Endpoint, actor, url: str | None = None,
                    event_types: list[str] | None = None, enabled: bool | None = None,
                    description: str | None = None) -> Endpoint:
    before = _audit_view(endpoint)
    if url is not None and url != endpoint.url:
        endpoint.url = _url_check(url)
    if event_types is not None:
        endpoint.event_types = _event_types_check(event_types)
    if description is not None:
        endpoint.description = description
    if enabled is not None and enabled != endpoint.enabled:
        endpoint.enabled = enabled
        if enabled:  # re-enabled by a person: forget why the system disabled it
            endpoint.disabled_reason, endpoint.failing_since = "", None
    endpoint.full_clean()
    endpoint.save()
    audit_record(actor=actor, action="webhook_endpoint.update", target_type="webhook_endpoint",
                 target_id=endpoint.pk, before=before, after=_audit_view(endpoint))
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: Endpoint, actor) -> None:
    audit_record(actor=actor, action="webhook_endpoint.delete", target_type="webhook_endpoint",
                 target_id=endpoint.pk, before=_audit_view(endpoint))
    endpoint.delete()


@transaction.atomic
def endpoint_secret_rotate(*, endpoint: Endpoint, actor) -> str:
    """A new secret signs from now on; the old one also signs (a second signature in the
    header) for WEBHOOK_ROTATION_GRACE_SECONDS, while receivers switch. Returns the new
    secret in clear, once. Rotating again within the grace period drops the oldest secret."""
    secret = secret_generate()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.previous_secret_expires_at = timezone.now() + timedelta(
        seconds=settings.WEBHOOK_ROTATION_GRACE_SECONDS)
    endpoint.secret_encrypted = secret_encrypt(secret)
    endpoint.save(update_fields=["secret_encrypted", "previous_secret_encrypted",
                                 "previous_secret_expires_at", "updated_at"])
    audit_record(actor=actor, action="webhook_endpoint.rotate_secret",
                 target_type="webhook_endpoint", target_id=endpoint.pk,
                 after={"previous_valid_until": endpoint.previous_secret_expires_at})
    return secret


def endpoint_signing_secrets(endpoint: Endpoint) -> list[str]:
    """The secrets that sign now: the current one, and the previous during its grace."""
    secrets = [secret_decrypt(endpoint.secret_encrypted)]
    if (endpoint.previous_secret_encrypted and endpoint.previous_secret_expires_at
            and endpoint.previous_secret_expires_at > timezone.now()):
        secrets.append(secret_decrypt(endpoint.previous_secret_encrypted))
    return secrets


def _audit_view(endpoint: Endpoint) -> dict:
    return {"integration": endpoint.integration.name, "url": endpoint.url,
            "event_types": endpoint.event_types, "enabled": endpoint.enabled}


@transaction.atomic
def endpoint_test_send(*, endpoint: Endpoint, actor) -> Event:
    """A `webhook.test` event for this endpoint only, sent like any other."""
    now = timezone.now()
    event = Event.objects.create(
        msg_id=f"msg_{uuid.uuid4().hex}", integration_id=endpoint.integration_id,
        type=EventType.TEST, created_at=now,
        payload={"type": EventType.TEST, "timestamp": now.isoformat().replace("+00:00", "Z"),
                 "data": {"endpoint_id": endpoint.pk, "sent_by": str(actor)}},
    )
    delivery = Delivery.objects.create(event=event, endpoint=endpoint, next_attempt_at=now)
    transaction.on_commit(lambda: deliveries_publish(delivery_ids=[delivery.pk]))
    return event


@transaction.atomic
def deliveries_resend(*, deliveries, actor, endpoint: Endpoint) -> int:
    """Send these deliveries again now, whatever their state (same `webhook-id`, so a
    receiver that already has one ignores it). Returns how many."""
    ids = list(deliveries.values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), published_at=None,
        locked_until=None)
    audit_record(actor=actor, action="webhook_endpoint.resend", target_type="webhook_endpoint",
                 target_id=endpoint.pk, after={"deliveries": len(ids)})
    transaction.on_commit(lambda: deliveries_publish(delivery_ids=ids))
    return len(ids)


def endpoint_replay_since(*, endpoint: Endpoint, since: datetime, actor) -> int:
    """Resend every delivery to this endpoint made since `since` (after an outage)."""
    return deliveries_resend(deliveries=endpoint.deliveries.filter(created_at__gte=since),
                             actor=actor, endpoint=endpoint)


def _lease_seconds() -> int:
    return settings.WEBHOOK_CONNECT_TIMEOUT + settings.WEBHOOK_READ_TIMEOUT + 5


def delivery_send(*, delivery_id: int) -> str | None:
    """Try one delivery once, if it is due and no other worker holds it. Idempotent: the
    claim is a conditional UPDATE, so a duplicated task or a sweep racing a worker sends
    nothing twice while a claim lasts.

    Returns the delivery's status afterwards, or None when there was nothing to do.
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING,
                                    next_attempt_at__lte=now)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
            .update(locked_until=now + timedelta(seconds=_lease_seconds()),
                    attempts=F("attempts") + 1)
        )
        if not claimed:
            return None
        delivery = Delivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
        # Logged before the request leaves: a worker killed mid-request leaves this row.
        attempt = Attempt.objects.create(delivery=delivery, number=delivery.attempts,
                                         started_at=now)
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        return _finish(delivery, attempt, send.Outcome(None, 0, error="endpoint disabled"),
                       final=True)
    try:
        address = safety.url_resolve(endpoint.url)
    except ApplicationError as exc:
        return _finish(delivery, attempt, send.Outcome(None, 0, error=exc.message[:300]))
    outcome = send.post(url=endpoint.url, address=address, msg_id=delivery.event.msg_id,
                        payload=delivery.event.payload,
                        secrets=endpoint_signing_secrets(endpoint))
    return _finish(delivery, attempt, outcome)


@transaction.atomic
def _finish(delivery: Delivery, attempt: Attempt, outcome: send.Outcome,
            final: bool = False) -> str:
    now = timezone.now()
    Attempt.objects.filter(pk=attempt.pk).update(
        finished_at=now, status_code=outcome.status_code, latency_ms=outcome.latency_ms,
        response_excerpt=outcome.excerpt, error=outcome.error)
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    delivery.last_status_code = outcome.status_code
    delivery.locked_until = None
    code = outcome.status_code or 0
    publish_in = None
    if delivery.status == DeliveryStatus.DELIVERED:
        pass  # another worker's try (after this one's claim ran out) got there first
    elif 200 <= code < 300:
        delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
        # Healthy again; written only when it was failing (no row lock on the hot path).
        Endpoint.objects.filter(pk=delivery.endpoint_id, failing_since__isnull=False).update(
            failing_since=None)
    else:
        delivery.status, publish_in = _failure(delivery, outcome, now, final=final)
    delivery.save(update_fields=["status", "delivered_at", "next_attempt_at", "published_at",
                                 "locked_until", "last_status_code"])
    if publish_in is not None and delivery.status == DeliveryStatus.PENDING:
        transaction.on_commit(
            lambda: deliveries_publish(delivery_ids=[delivery.pk], countdown=publish_in))
    return delivery.status


def _failure(delivery: Delivery, outcome: send.Outcome, now, *, final: bool):
    """The delivery's status after a failed try, and the countdown to publish its retry
    with (None: the sweep publishes it when due). Disables the endpoint on 410 Gone or
    after failing for WEBHOOK_DISABLE_AFTER_SECONDS."""
    endpoint = Endpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    status, publish_in = DeliveryStatus.PENDING, None
    if outcome.status_code == 410:
        # Gone: the receiver asks us to stop. Disabled until an admin re-enables it.
        status = DeliveryStatus.FAILED
        _endpoint_disable(endpoint, "The endpoint answered 410 Gone.")
    elif final or delivery.attempts > len(RETRY_SCHEDULE):
        status = DeliveryStatus.FAILED
    else:
        wait = RETRY_SCHEDULE[delivery.attempts - 1] * random.uniform(1 - JITTER, 1 + JITTER)
        if outcome.retry_after is not None:
            wait = min(outcome.retry_after, RETRY_AFTER_MAX)
        delivery.next_attempt_at = now + timedelta(seconds=wait)
        delivery.published_at = None
        publish_in = wait if wait <= COUNTDOWN_MAX else None
    if not final:
        endpoint.failing_since = endpoint.failing_since or now
        failing_for = (now - endpoint.failing_since).total_seconds()
        if failing_for > settings.WEBHOOK_DISABLE_AFTER_SECONDS:
            status = DeliveryStatus.FAILED
            _endpoint_disable(endpoint, f"Every delivery failed since "
                              f"{endpoint.failing_since:%Y-%m-%d %H:%M} UTC.")
    endpoint.save(update_fields=["enabled", "disabled_reason", "failing_since", "updated_at"])
    return status, publish_in


def _endpoint_disable(endpoint: Endpoint, reason: str) -> None:
    if endpoint.enabled:
        endpoint.enabled, endpoint.disabled_reason = False, reason
        audit_record(actor="system", action="webhook_endpoint.disable",
                     target_type="webhook_endpoint", target_id=endpoint.pk,
                     after={"reason": reason})
