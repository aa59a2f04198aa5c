"""The transactional outbox: events become `Event` and `Delivery` rows in the transaction of
the change that caused them, and are handed to the broker after it commits.

The handlers below are subscribed in webhooks/apps.py and run synchronously inside the
emitter's transaction (core/events.py). They never talk to the broker or the network
themselves: if the change rolls back, so do the rows, and nothing was announced; if the
publish after commit fails (broker down), the rows stay and the sweep (tasks.py) sends them.
"""

import logging
import time
import uuid
from datetime import timedelta

from celery import current_app
from django.db import transaction
from django.utils import timezone

from candidates.models import Candidate
from review.events import ReviewTransitioned, VerificationRecorded
from signals.events import RiskChanged
from webhooks.models import Delivery, Endpoint, Event, EventType
from webhooks.payloads import candidate_ref, candidate_risk, risk_data

logger = logging.getLogger(__name__)

SEND_TASK = "webhooks.tasks.delivery_send_task"
DECISIONS = {"clear": "cleared", "approve": "approved", "reject": "rejected"}


def on_risk_changed(event: RiskChanged) -> None:
    # Scoring emits RiskChanged on every run. The integration hears of a run only when what
    # it may see changed (the scoped score, level or flags): a re-score caused by another
    # integration's applicant leaves its risk as it was, and sending "scored" anyway would
    # tell it that someone elsewhere shares its applicant's details (docs/tenancy.md).
    # Checked first: most runs change nothing the integration sees, and cost no query here.
    if not event.scoped_changed:
        return
    candidate = Candidate.objects.filter(pk=event.candidate_id).first()
    if candidate is None or not _subscribed(candidate, None):
        return
    risk = candidate_risk(candidate)
    event_record(candidate=candidate, type=EventType.CANDIDATE_SCORED,
                 data={**candidate_ref(candidate), **risk_data(risk)})
    if event.old_scoped_level and event.old_scoped_level != event.new_scoped_level:
        event_record(candidate=candidate, type=EventType.CANDIDATE_RISK_LEVEL_CHANGED, data={
            **candidate_ref(candidate), "old_level": event.old_scoped_level,
            "new_level": event.new_scoped_level, "score": risk.score,
        })


def _review_event(event: ReviewTransitioned) -> tuple[str, dict] | None:
    """The webhook event type and extra data of a transition; None for start and reopen,
    which are internal to the workflow."""
    if event.action == "escalate":
        return EventType.REVIEW_ESCALATED, {}
    if event.action in DECISIONS:
        return EventType.REVIEW_DECIDED, {"decision": DECISIONS[event.action]}
    return None


def _review_data(event: ReviewTransitioned, candidate: Candidate, extra: dict) -> dict:
    return {**candidate_ref(candidate), **extra, "by": event.actor,
            "reason_code": event.reason_code, "state": event.to_state,
            **risk_data(candidate_risk(candidate))}


def on_review_transitioned(event: ReviewTransitioned) -> None:
    kind = _review_event(event)
    if kind is None:
        return
    candidate = Candidate.objects.filter(pk=event.candidate_id).first()
    if candidate is None:
        return
    event_record(candidate=candidate, type=kind[0], data=_review_data(event, candidate, kind[1]))


def on_review_transitioned_many(events_: list[ReviewTransitioned]) -> None:
    """on_review_transitioned for a bulk action's events (core.events.emit_many): the same
    events and deliveries, from one query for the candidates, one for the endpoints and one
    INSERT each of events and deliveries (events_record_many)."""
    wanted = [(event, kind) for event in events_ if (kind := _review_event(event))]
    if not wanted:
        return
    candidates = Candidate.objects.in_bulk({event.candidate_id for event, _ in wanted})
    events_record_many([
        (candidates[event.candidate_id], kind[0],
         _review_data(event, candidates[event.candidate_id], kind[1]))
        for event, kind in wanted if event.candidate_id in candidates])


def on_verification_recorded(event: VerificationRecorded) -> None:
    candidate = Candidate.objects.filter(pk=event.candidate_id).first()
    if candidate is None:
        return
    event_record(candidate=candidate, type=EventType.VERIFICATION_RECORDED, data={
        **candidate_ref(candidate), "verification_id": event.verification_id,
        "method": event.method, "outcome": event.outcome, "by": event.actor,
    })


def _subscribed(candidate: Candidate, type_: str | None) -> list[Endpoint]:
    endpoints = Endpoint.objects.filter(integration_id=candidate.integration_id, enabled=True)
    return [e for e in endpoints if type_ is None or type_ in e.event_types]


def event_record(*, candidate: Candidate, type: str, data: dict) -> None:
    """Write the event and one delivery per enabled endpoint of the candidate's integration
    subscribed to it, in the caller's transaction; publish them once it commits. Nothing is
    written when no endpoint wants the event."""
    events_record_many([(candidate, type, data)])


def events_record_many(items: list[tuple[Candidate, str, dict]]) -> int:
    """Events for many (candidate, type, data) at once: one query for the endpoints,
    one INSERT of the events, one of their deliveries, one publish after commit. Returns how
    many events were written (those some endpoint wants)."""
    endpoints: dict[int, list[Endpoint]] = {}
    for endpoint in Endpoint.objects.filter(
            integration_id__in={candidate.integration_id for candidate, _, _ in items},
            enabled=True):
        endpoints.setdefault(endpoint.integration_id, []).append(endpoint)
    now = timezone.now()
    stamp = now.isoformat().replace("+00:00", "Z")
    rows = []
    for candidate, type_, data in items:
        wanting = [e for e in endpoints.get(candidate.integration_id, ())
                   if type_ in e.event_types]
        if wanting:
            rows.append((Event(msg_id=f"msg_{uuid.uuid4().hex}",
                               integration_id=candidate.integration_id, type=type_,
                               candidate_id=candidate.pk, created_at=now,
                               payload={"type": type_, "timestamp": stamp, "data": data}),
                         wanting))
    if not rows:
        return 0
    Event.objects.bulk_create([event for event, _ in rows], batch_size=1000)
    deliveries = Delivery.objects.bulk_create(
        [Delivery(event=event, endpoint=e, next_attempt_at=now)
         for event, wanting in rows for e in wanting], batch_size=1000)
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: deliveries_publish(delivery_ids=ids))
    return len(rows)


# After a failed publish, this process leaves deliveries to the sweep for a while rather than
# making every request wait for the broker's connect timeout again.
BROKER_BACKOFF_SECONDS = 10.0
_broker_down_until = 0.0


def deliveries_publish(*, delivery_ids: list[int], countdown: float | None = None) -> bool:
    """Hand deliveries to the broker; never raises, and never blocks for long: a broker that
    does not answer costs one bounded connect (CELERY_BROKER_CONNECTION_TIMEOUT and the
    publish retry policy), then nothing for BROKER_BACKOFF_SECONDS. What is not published
    keeps `published_at` NULL and is sent by the sweep. Returns whether all were published.
    """
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return False
    published = []
    try:
        for delivery_id in delivery_ids:
            if current_app.conf.task_always_eager:  # the embedded demo: no broker
                current_app.tasks[SEND_TASK].apply(args=(delivery_id,))
            else:
                # By name: the task (tasks.py) calls the services that call this function.
                current_app.send_task(SEND_TASK, args=(delivery_id,), countdown=countdown)
            published.append(delivery_id)
    except Exception:  # kombu raises several types (OperationalError, socket errors, ...)
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning("broker unavailable; %d webhook deliveries left for the sweep",
                       len(delivery_ids) - len(published), exc_info=True)
    if published:
        at = timezone.now() + timedelta(seconds=countdown or 0)
        Delivery.objects.filter(pk__in=published).update(published_at=at)
    return len(published) == len(delivery_ids)
