"""Celery entry points for scoring, and the hand-off to them.

Tasks take ids, re-fetch, and call one service. The hand-off: a candidate whose evidence
changed (candidates' EvidenceChanged) or that a newer score of a linked candidate affects
(RescoreRequested) is handed to a worker after the change commits, and a sweep re-sends what
never reached one (broker outage) or whose worker died. The durable record is the candidate
row itself: risk_status=pending, written in the change's transaction, with enqueued_at.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError as DatabaseOperationalError
from django.db import transaction
from django.utils import timezone

from candidates.events import EvidenceChanged
from candidates.models import Candidate, RiskStatus
from signals.events import RescoreRequested
from signals.services import candidate_score

logger = logging.getLogger(__name__)
CHECK_RETRIES = 5
MAX_COUNTDOWN = 3600  # beyond an hour, the sweep's hourly pass is as good


@shared_task(
    bind=True,
    acks_late=True,  # a worker killed mid-run leaves the message for another worker
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseOperationalError,),  # the database restarting is transient
    retry_backoff=True,
    max_retries=CHECK_RETRIES,
)
def candidate_score_task(self, candidate_id: int) -> dict | None:
    """Score one candidate. Safe to run twice (the service is idempotent).

    When a check failed or could not run yet (an external API rate-limited us), the score is
    stored anyway with the check marked, and the task runs again later to complete it.
    """
    outcome = candidate_score(candidate_id=candidate_id)
    if outcome is None:
        return None
    if outcome.retry_after is not None and self.request.retries < CHECK_RETRIES:
        # A pending check knows when to come back (a rate limit's reset); a failed one backs
        # off exponentially. After the last retry the sweep takes over (hourly).
        countdown = (max(p["retry_after"] for p in outcome.pending) if outcome.pending
                     else outcome.retry_after * 2**self.request.retries)
        raise self.retry(countdown=min(countdown, MAX_COUNTDOWN))
    return {"score": outcome.score, "level": outcome.level, "stored": outcome.stored}


@shared_task
def candidates_sweep_unscored_task() -> int:
    return candidates_sweep_unscored()


def on_evidence_changed(event: EvidenceChanged) -> None:
    """Subscribed in signals/apps.py: score the new revision once it has committed."""
    transaction.on_commit(lambda: candidate_enqueue_scoring(candidate_id=event.candidate_id))


def on_rescore_requested(event: RescoreRequested) -> None:
    """Subscribed in signals/apps.py: re-score linked candidates once the score commits."""

    def enqueue():
        for candidate_id in event.candidate_ids:
            if not candidate_enqueue_scoring(candidate_id=candidate_id):
                break  # broker down: the sweep picks the rest up

    transaction.on_commit(enqueue)


def candidate_enqueue_scoring(*, candidate_id: int) -> bool:
    """Hand the candidate's scoring to the broker; never raises.

    Called after commit. When the broker is unreachable the candidate stays pending with no
    `enqueued_at`, and the periodic sweep enqueues it once the broker is back: the API still
    answers 2xx and no work is lost. Returns whether the broker took the task.
    """
    try:
        candidate_score_task.delay(candidate_id)
    except Exception:  # kombu raises several types (OperationalError, socket errors, ...)
        logger.warning("broker unavailable; candidate %s left for the sweep", candidate_id,
                       exc_info=True)
        return False
    Candidate.objects.filter(pk=candidate_id, risk_status=RiskStatus.PENDING).update(
        enqueued_at=timezone.now()
    )
    return True


SWEEP_BATCH_SIZE = 500  # one beat tick; a backlog drains over a few minutes, oldest first


def candidates_sweep_unscored(*, batch_size: int = SWEEP_BATCH_SIZE) -> int:
    """Enqueue pending candidates that never reached the broker or whose worker died, and
    scored candidates whose last score lacks a check (retried hourly by default).

    Returns how many were handed over.
    """
    stale = timezone.now() - timedelta(seconds=settings.SCORING_REQUEUE_AFTER_SECONDS)
    incomplete_stale = timezone.now() - timedelta(seconds=settings.SCORING_INCOMPLETE_RETRY_SECONDS)
    ids = list(
        Candidate.objects.filter(risk_status=RiskStatus.PENDING)
        .filter(enqueued_at__isnull=True)
        .values_list("pk", flat=True)[:batch_size]
    )
    if len(ids) < batch_size:
        ids += list(
            Candidate.objects.filter(risk_status=RiskStatus.PENDING, enqueued_at__lt=stale)
            .order_by("enqueued_at")
            .values_list("pk", flat=True)[: batch_size - len(ids)]
        )
    if len(ids) < batch_size:
        # Scored, but a check failed or stayed pending after the task's own retries.
        ids += list(
            Candidate.objects.exclude(incomplete_checks=[])
            .filter(updated_at__lt=incomplete_stale)
            .exclude(pk__in=ids)
            .order_by("updated_at")
            .values_list("pk", flat=True)[: batch_size - len(ids)]
        )
    handed = 0
    for candidate_id in ids:
        if not candidate_enqueue_scoring(candidate_id=candidate_id):
            break  # broker still down: the next sweep tries again
        handed += 1
    return handed
