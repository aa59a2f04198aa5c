"""Celery entry points for scoring, and the hand-off to them.

Tasks take ids, re-fetch, and call one service. The hand-off: a candidate whose evidence
changed (candidates' EvidenceChanged) or that a newer score of a linked candidate affects
(RescoreRequested) is handed to a worker after the change commits. The durable record is the
candidate row itself, written in the change's transaction; no request and no scoring run
ever waits for the broker. A pending candidate is in one of four states:

  enqueued_at NULL                  not published yet: the relay thread publishes it right
                                    after commit (the sweep, if the broker was down or hung)
  enqueued_at set, no lease         published, waiting in the queue
  lease in the future               a worker is scoring it (for at most the time limit)
  lease run out                     its worker died: the sweep publishes it again at once

The sweep (beat, every SCORING_SWEEP_SECONDS) also re-sends messages the broker lost, and
scored candidates whose last score lacks a check.
"""

import logging
import os
import random
import threading
from contextlib import contextmanager
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError as DatabaseOperationalError
from django.db import close_old_connections, connection, transaction
from django.db.models.functions import Now
from django.utils import timezone

from candidates.events import EvidenceChanged
from candidates.models import Candidate, RiskStatus
from signals.events import RescoreRequested
from signals.relay import Relay
from signals.services import candidate_score, candidate_scoring_claim

logger = logging.getLogger(__name__)
CHECK_RETRIES = 5
MAX_COUNTDOWN = 3600  # beyond an hour, the sweep's hourly pass is as good
# A database outage (a restart, a fail-over) is ridden out by the task's own retries: 1, 2, 4,
# 8, 15, 30, 60 and 60 seconds after each failure (each stretched by up to 20% so that the
# retries of a whole queue do not hit the database in the same second), three minutes in all.
# Beyond that the task gives up and the sweep sends the candidate again once the database is
# back: at once if its lease ran out, else SCORING_REQUEUE_AFTER_SECONDS after its publish.
DB_RETRY_COUNTDOWNS = (1, 2, 4, 8, 15, 30, 60, 60)
# The worker's claim outlasts the hard time limit, after which the run is certainly over.
LEASE_SECONDS = settings.SCORING_TIME_LIMIT + 5
# The relay's publish gives up after this long (a local Redis answers in well under 1 ms).
PUBLISH_TIMEOUT_SECONDS = 1


@shared_task(
    bind=True,
    acks_late=True,  # a worker killed mid-run leaves the message (and the lease, see above)
    reject_on_worker_lost=True,
    soft_time_limit=settings.SCORING_TIME_LIMIT * 0.8,
    time_limit=settings.SCORING_TIME_LIMIT,
    max_retries=max(CHECK_RETRIES, len(DB_RETRY_COUNTDOWNS)),
)
def candidate_score_task(self, candidate_id: int) -> dict | None:
    """Score one candidate. Safe to run twice (the service is idempotent).

    When a check failed or could not run yet (an external API rate-limited us), the score is
    stored anyway with the check marked, and the task runs again later to complete it.
    """
    try:
        if not candidate_scoring_claim(candidate_id=candidate_id, lease_seconds=LEASE_SECONDS):
            return None  # scored already (a duplicate message) or deleted
        outcome = candidate_score(candidate_id=candidate_id)
    except DatabaseOperationalError as exc:
        if self.request.retries >= len(DB_RETRY_COUNTDOWNS):
            raise  # the sweep takes over once the database is back
        countdown = DB_RETRY_COUNTDOWNS[self.request.retries] * random.uniform(1, 1.2)
        raise self.retry(exc=exc, countdown=countdown) from exc
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
    transaction.on_commit(lambda: candidates_hand_off(candidate_ids=[event.candidate_id]))


def on_rescore_requested(event: RescoreRequested) -> None:
    """Subscribed in signals/apps.py: re-score linked candidates once the score commits."""
    transaction.on_commit(lambda: candidates_hand_off(candidate_ids=list(event.candidate_ids)))


def candidates_hand_off(*, candidate_ids: list[int]) -> None:
    """Called after commit: pass the candidates to the relay thread. Returns at once, whatever
    the broker does; what the relay cannot publish, the sweep does."""
    if candidate_score_task.app.conf.task_always_eager:
        # The embedded default (no REDIS_URL): no broker to wait for; score in process.
        for candidate_id in candidate_ids:
            try:
                candidate_score_task.delay(candidate_id)
            except Exception:
                logger.exception("scoring candidate %s in process failed", candidate_id)
        return
    relay.submit(candidate_ids)


def candidates_publish_scoring(candidate_ids: list[int]) -> int:
    """Publish a scoring task per candidate with a short, bounded publish, and record the
    hand-off (`enqueued_at`) of those the broker took. Never raises for the broker: returns
    how many it took (fewer when it failed, which is logged; the rest are the sweep's)."""
    published: list[int] = []
    try:
        with _broker_connection() as broker:
            producer = broker.Producer()
            for candidate_id in candidate_ids:
                candidate_score_task.apply_async((candidate_id,), producer=producer,
                                                 retry=False)
                published.append(candidate_id)
    except Exception as exc:  # kombu raises several types (OperationalError, socket errors)
        logger.warning("broker unavailable (%s); %d candidate(s) left for the sweep",
                       exc, len(candidate_ids) - len(published))
    now = timezone.now()
    for candidate_id in published:
        # One row per statement: holding no other row lock while waiting for this one, the
        # relay can never be part of a deadlock (a multi-row UPDATE of linked candidates
        # was, against a scoring run re-scoring them).
        Candidate.objects.filter(pk=candidate_id, risk_status=RiskStatus.PENDING).update(
            enqueued_at=now
        )
    return len(published)


_thread_broker = threading.local()


@contextmanager
def _broker_connection():
    """A broker connection whose every socket operation gives up after
    PUBLISH_TIMEOUT_SECONDS: a hung broker costs the caller one second, not the connection
    pool's retries. Kept per thread (the relay thread publishes through one connection) and
    dropped on any error, in a forked child, or when the configured broker URL changes."""
    app = candidate_score_task.app
    key = (os.getpid(), app.conf.broker_url)
    if getattr(_thread_broker, "key", None) != key:
        _broker_connection_drop()
        options = {**app.conf.broker_transport_options,
                   "socket_timeout": PUBLISH_TIMEOUT_SECONDS,
                   "socket_connect_timeout": PUBLISH_TIMEOUT_SECONDS}
        _thread_broker.connection = app.connection_for_write(
            connect_timeout=PUBLISH_TIMEOUT_SECONDS, transport_options=options)
        _thread_broker.key = key
    try:
        yield _thread_broker.connection
    except Exception:
        _broker_connection_drop()
        raise


def _broker_connection_drop() -> None:
    kept, key = getattr(_thread_broker, "connection", None), getattr(_thread_broker, "key", None)
    _thread_broker.connection = _thread_broker.key = None
    if kept is not None and key[0] == os.getpid():  # a forked child leaves its parent's alone
        kept.release()


def _relay_publish(candidate_ids: list[int]) -> bool:
    """The relay thread's batch. Its database connection is the thread's own: kept between
    batches (a new PostgreSQL connection per create cost the API a third of its throughput)
    and closed when the relay goes idle, as Django does for a request's at its end."""
    close_old_connections()  # one that broke (the database restarted) or grew too old
    return candidates_publish_scoring(candidate_ids) == len(candidate_ids)


# One per process (web and worker alike); its thread starts with the first hand-off.
relay = Relay(_relay_publish, name="scoring-relay", on_idle=lambda: connection.close())


SWEEP_BATCH_SIZE = 500  # one beat tick; a backlog drains over a few ticks, oldest first
# A candidate committed this recently may still be on its way through the relay.
RELAY_GRACE_SECONDS = 10


def candidates_sweep_unscored(*, batch_size: int = SWEEP_BATCH_SIZE) -> int:
    """Send again what the hand-off did not bring to a live worker. In order:

    1. pending candidates never published (the broker was down or hung at commit, the relay
       dropped them, or their process died first);
    2. pending candidates whose worker died: the lease it took when it started ran out;
    3. pending candidates published more than SCORING_REQUEUE_AFTER_SECONDS ago that no
       worker ever started, only while nothing waits in the queue (before that they may just
       be waiting their turn in a backlog): the broker lost their message;
    4. scored candidates whose last score lacks a check, once the task's own retries are
       spent (every SCORING_INCOMPLETE_RETRY_SECONDS).

    Returns how many were handed over.
    """
    now = timezone.now()
    pending = Candidate.objects.filter(risk_status=RiskStatus.PENDING)
    ids = list(
        pending.filter(enqueued_at__isnull=True,
                       updated_at__lt=now - timedelta(seconds=RELAY_GRACE_SECONDS))
        .order_by("updated_at")
        .values_list("pk", flat=True)[:batch_size]
    )
    if len(ids) < batch_size:
        dead = list(
            pending.filter(scoring_lease_until__lt=Now())
            .order_by("scoring_lease_until")
            .values_list("pk", flat=True)[: batch_size - len(ids)]
        )
        # Back to "not published": if the publish below fails, rule 1 finds them next time.
        pending.filter(pk__in=dead, scoring_lease_until__lt=Now()).update(
            scoring_lease_until=None, enqueued_at=None)
        ids += dead
    if len(ids) < batch_size and _scoring_queue_is_empty():
        stale = now - timedelta(seconds=settings.SCORING_REQUEUE_AFTER_SECONDS)
        ids += list(
            pending.filter(enqueued_at__lt=stale, scoring_lease_until__isnull=True)
            .order_by("enqueued_at")
            .values_list("pk", flat=True)[: batch_size - len(ids)]
        )
    if len(ids) < batch_size:
        incomplete_stale = now - timedelta(seconds=settings.SCORING_INCOMPLETE_RETRY_SECONDS)
        ids += list(
            Candidate.objects.exclude(incomplete_checks=[])
            .filter(updated_at__lt=incomplete_stale)
            .exclude(pk__in=ids)
            .order_by("updated_at")
            .values_list("pk", flat=True)[: batch_size - len(ids)]
        )
    return candidates_publish_scoring(ids) if ids else 0


def _scoring_queue_is_empty() -> bool:
    """Whether no message waits in the scoring queue (False when the broker cannot say)."""
    queue = candidate_score_task.app.conf.task_default_queue
    try:
        with _broker_connection() as broker:
            return broker.default_channel.queue_declare(queue=queue).message_count == 0
    except Exception as exc:
        logger.warning("broker unavailable (%s); lost messages are looked for next time", exc)
        return False
