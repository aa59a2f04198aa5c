"""Celery entry points for the connectors, and the hand-off to them after commit.

The durable records are the rows: a Delivery stored before the webhook was answered, a
Writeback written in the scoring or decision transaction, an Assessment marked complete.
Each task re-fetches by id and calls one service; HTTP failures (the ATS API down) are
retried with exponential backoff, and when the retries run out the row is marked failed
and shown on the connection page. A sweep re-sends rows whose task never reached a worker.
"""

import logging
from collections.abc import Mapping
from datetime import timedelta

import requests
from celery import shared_task
from django.db import transaction
from django.utils import timezone

from connectors import services
from connectors.models import (
    Assessment,
    AssessmentStatus,
    Connection,
    Delivery,
    DeliveryStatus,
    Writeback,
    WritebackStatus,
)
from review.events import ReviewTransitioned
from signals.events import RiskChanged

logger = logging.getLogger(__name__)
MAX_RETRIES = 8  # 1 s, 2 s, 4 s ... about 4 minutes in all; the sweep takes over after
MAX_COUNTDOWN = 600
SWEEP_AFTER = timedelta(minutes=10)
SWEEP_BATCH_SIZE = 500


def _countdown(retries: int) -> int:
    return min(2**retries, MAX_COUNTDOWN)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def delivery_process_task(self, delivery_id: int) -> str:
    try:
        return services.delivery_process(delivery_id=delivery_id)
    except requests.RequestException as exc:
        if self.request.retries >= MAX_RETRIES:
            services.delivery_fail(delivery_id=delivery_id, error=services._http_error(exc))
            return DeliveryStatus.FAILED
        raise self.retry(countdown=_countdown(self.request.retries)) from None


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def writeback_send_task(self, writeback_id: int) -> bool:
    try:
        return services.writeback_send(writeback_id=writeback_id)
    except requests.RequestException as exc:
        if self.request.retries >= MAX_RETRIES:
            services.writeback_fail(writeback_id=writeback_id, error=services._http_error(exc))
            return False
        raise self.retry(countdown=_countdown(self.request.retries)) from None


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def assessment_callback_task(self, assessment_id: int) -> bool:
    try:
        return services.assessment_callback_send(assessment_id=assessment_id)
    except requests.RequestException:
        # Greenhouse also polls test_status hourly: a lost callback only delays the result.
        if self.request.retries >= MAX_RETRIES:
            return False
        raise self.retry(countdown=_countdown(self.request.retries)) from None


@shared_task
def connectors_sweep_task() -> int:
    return connectors_sweep()


def _send(task, pk: int) -> bool:
    """Publish after commit; never raises (the sweep re-sends what the broker refused)."""
    try:
        task.delay(pk)
    except Exception:
        logger.warning("broker unavailable; %s(%s) left for the sweep", task.name, pk,
                       exc_info=True)
        return False
    return True


def delivery_accept(*, connection: Connection, body: bytes,
                    headers: Mapping[str, str]) -> tuple[Delivery, bool]:
    """Store a verified delivery (services.delivery_receive) and map it after commit."""
    with transaction.atomic():
        delivery, created = services.delivery_receive(connection=connection, body=body,
                                                      headers=headers)
        if created:
            transaction.on_commit(lambda: _send(delivery_process_task, delivery.pk))
    return delivery, created


def on_risk_changed(event: RiskChanged) -> None:
    """Subscribed in connectors/apps.py; runs inside the scoring transaction."""
    writebacks, assessments = services.risk_changed_record(event)
    for pk in writebacks:
        transaction.on_commit(lambda pk=pk: _send(writeback_send_task, pk))
    for pk in assessments:
        transaction.on_commit(lambda pk=pk: _send(assessment_callback_task, pk))


def on_review_transitioned(event: ReviewTransitioned) -> None:
    """Subscribed in connectors/apps.py; runs inside the decision's transaction."""
    for pk in services.review_transitioned_record(event):
        transaction.on_commit(lambda pk=pk: _send(writeback_send_task, pk))


def on_review_transitioned_many(events_: list[ReviewTransitioned]) -> None:
    """on_review_transitioned for a bulk action's events: one query finds the few candidates
    with a write-back to owe; only those go through on_review_transitioned."""
    linked = services.writeback_linked_ids([event.candidate_id for event in events_])
    for event in events_:
        if event.candidate_id in linked:
            on_review_transitioned(event)


def connectors_sweep(*, batch_size: int = SWEEP_BATCH_SIZE) -> int:
    """Re-send deliveries, write-backs and callbacks left pending longer than SWEEP_AFTER
    (broker down at commit, or a worker lost). The services are idempotent."""
    stale = timezone.now() - SWEEP_AFTER
    sent = 0
    for task, ids in (
        (delivery_process_task, Delivery.objects.filter(
            status=DeliveryStatus.PENDING, received_at__lt=stale)),
        (writeback_send_task, Writeback.objects.filter(
            status=WritebackStatus.PENDING, created_at__lt=stale)),
        (assessment_callback_task, Assessment.objects.filter(
            status=AssessmentStatus.COMPLETE, callback_sent_at__isnull=True,
            created_at__lt=stale).exclude(callback_url="")),
    ):
        for pk in ids.values_list("pk", flat=True)[:batch_size]:
            if not _send(task, pk):
                return sent
            sent += 1
    return sent
