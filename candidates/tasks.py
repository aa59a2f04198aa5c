"""Celery entry points for candidates. Tasks take ids, re-fetch, and call one service."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from candidates.models import IdempotencyRecord


@shared_task
def idempotency_keys_prune_task() -> int:
    cutoff = timezone.now() - timedelta(hours=24)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
