"""Celery entry points for candidates. Tasks take ids, re-fetch, and call one service."""

from datetime import timedelta

from celery import shared_task
from django.db import OperationalError as DatabaseOperationalError
from django.utils import timezone


@shared_task(
    acks_late=True,  # a worker killed mid-run leaves the message for another worker
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseOperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def candidate_score_task(candidate_id: int) -> None:
    """Score one candidate. Idempotent: scoring the same revision twice stores one result."""
    from signals.services import candidate_score

    candidate_score(candidate_id=candidate_id)


@shared_task
def candidates_sweep_unscored_task() -> int:
    from candidates.services import candidates_sweep_unscored

    return candidates_sweep_unscored()


@shared_task
def idempotency_keys_prune_task() -> int:
    from candidates.models import IdempotencyRecord

    cutoff = timezone.now() - timedelta(hours=24)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
