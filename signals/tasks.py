"""Celery entry points for scoring. Tasks take ids, re-fetch, and call one service."""

import logging

from celery import shared_task
from django.db import OperationalError as DatabaseOperationalError

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
    from signals.services import candidate_score

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
