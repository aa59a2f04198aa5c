"""Celery entry points for webhook delivery, and the sweep that makes it at-least-once.

The durable record is the `Delivery` row, written in the transaction of the change (see
outbox.py). A task only says "try this delivery now"; when the broker lost the message
(outage, worker killed before acknowledging) the sweep publishes the delivery again.
"""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError as DatabaseOperationalError
from django.db.models import Q
from django.utils import timezone

from webhooks.models import Delivery, DeliveryStatus
from webhooks.outbox import deliveries_publish
from webhooks.services import delivery_send

SWEEP_BATCH_SIZE = 1000  # one beat tick (5 s); a backlog drains over a few ticks


@shared_task(
    acks_late=True,  # a worker killed mid-send leaves the message (and the sweep) to retry
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseOperationalError,),  # the database restarting is transient
    retry_backoff=True,
    max_retries=5,
)
def delivery_send_task(delivery_id: int) -> str | None:
    return delivery_send(delivery_id=delivery_id)


@shared_task
def deliveries_sweep_task() -> int:
    return deliveries_sweep()


def deliveries_sweep(*, batch_size: int = SWEEP_BATCH_SIZE) -> int:
    """Publish pending deliveries that are due and that no worker holds, when they were never
    published (broker down at commit, a retry whose time came) or were published a while
    ago and still not sent (the message was lost, or its worker died). Returns how many."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.WEBHOOK_REPUBLISH_SECONDS)
    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .filter(Q(published_at__isnull=True) | Q(published_at__lt=stale))
        .order_by("next_attempt_at").values_list("pk", flat=True)[:batch_size]
    )
    if ids and not deliveries_publish(delivery_ids=ids):
        return 0
    return len(ids)
