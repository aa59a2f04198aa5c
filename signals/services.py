"""Scoring a candidate: run the checks, score the flags, store the run, update the risk."""

import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from candidates.models import Candidate, RiskStatus
from candidates.selectors import links_from_matches
from core import events
from signals import (
    checks,  # noqa: F401  (registers every check)
    resume,
)
from signals.catalog import CATALOG, COMBOS, DEFAULT_THRESHOLDS
from signals.engine import CHECKS, run_checks
from signals.events import RescoreRequested, RiskChanged
from signals.lookups import DbLookups, snapshot_load
from signals.models import ComboWeight, FlagWeight, LevelThreshold, ScoreRun, WeightSet
from signals.scoring import score_flags, weights_load

logger = logging.getLogger(__name__)

# Bump when a check or the scoring rules change meaning, so history shows which engine ran.
SCORING_VERSION = "1.0"
# At most this many linked candidates are re-scored when a candidate changes: the most
# strongly linked first. A ring is far smaller; a popular office IP is not worth 5,000 runs.
RESCORE_LINKED_LIMIT = 200
# Candidates linked to a newcomer only by an IP are re-scored only while they are few. Many
# applicants on one IP means a VPN exit, an office or a carrier NAT: their scores change by
# at most the weak reuse.ip flag, and re-scoring all of them for every newcomer would grow with
# the square of the exit's users (measured in bench/scoring.py). They catch up at their own
# next scoring.
FANOUT_LIMITED_KINDS = {"ip"}
FANOUT_LIMIT = 20


@dataclass
class ScoreOutcome:
    candidate_id: int
    score: int
    level: str
    stored: bool  # False when the outcome equalled the previous run (nothing new stored)
    failed: list = field(default_factory=list)
    pending: list = field(default_factory=list)

    @property
    def retry_after(self) -> int | None:
        """Seconds after which to run again, when a check failed or could not run yet."""
        if self.pending:
            return max(p["retry_after"] for p in self.pending)
        return 60 if self.failed else None


def candidate_scoring_claim(*, candidate_id: int, lease_seconds: int) -> bool:
    """Record that a worker starts scoring the candidate and may run for `lease_seconds`.

    Returns False when there is nothing to score: the candidate is gone, or scored at its
    current revision with every check complete. That is a duplicate message, e.g. one the
    sweep re-sent while the first still waited in a backlog, or one Redis redelivered after
    its visibility timeout because the worker holding it was killed. The lease is not
    exclusive (two runs are harmless: the score is stored under a row lock and an unchanged
    outcome stores nothing); a later start extends it. It is in database time, so the
    sweep's comparison does not depend on the clocks of the worker hosts.
    """
    claimed = (
        Candidate.objects.filter(pk=candidate_id)
        .filter(Q(risk_status=RiskStatus.PENDING) | ~Q(incomplete_checks=[]))
        .update(scoring_lease_until=Now() + timedelta(seconds=lease_seconds))
    )
    return claimed == 1


def candidate_score(*, candidate_id: int) -> ScoreOutcome | None:
    """Score the candidate's current revision. Idempotent: the same evidence and weights give
    the same outcome, and an unchanged outcome stores nothing new.

    The checks run outside the transaction (they only read); the result is written under a
    row lock, and discarded if the candidate changed meanwhile (its own task scores the new
    revision). The first scoring of a new revision also re-scores the candidates linked to
    it, so the first member of a ring is flagged once later members arrive.
    """
    snapshot = snapshot_load(candidate_id)
    if snapshot is None:
        return None  # deleted since it was enqueued
    resume.resume_signature_store(candidate_id=snapshot.id, text=snapshot.resume_text)
    lookups = DbLookups(snapshot)
    results = run_checks(snapshot, lookups, CHECKS)
    weights = weights_load()
    scored = score_flags(results.flags, weights)
    flags = json.loads(json.dumps(scored.flags, default=str))  # as stored, for comparison

    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().filter(pk=candidate_id).first()
        if candidate is None or candidate.revision != snapshot.revision:
            return None
        weight_set, _ = WeightSet.objects.get_or_create(
            digest=weights.digest, defaults={"weights": weights.as_json()}
        )
        outcome = ScoreOutcome(candidate.pk, scored.score, scored.level, stored=False,
                               failed=results.failed, pending=results.pending)
        previous = candidate.score_runs.order_by("-created_at", "-id").first()
        cascade = candidate.scored_revision != snapshot.revision
        current = (snapshot.revision, weight_set.pk, scored.score, scored.level, flags,
                   results.failed, results.pending)
        if previous is None or current != (
            previous.revision, previous.weight_set_id, previous.score, previous.level,
            previous.flags, previous.failed_checks, previous.pending_checks,
        ):
            ScoreRun.objects.create(
                candidate=candidate, revision=snapshot.revision, version=SCORING_VERSION,
                weight_set=weight_set, score=scored.score, level=scored.level,
                flags=flags, failed_checks=results.failed,
                pending_checks=results.pending,
            )
            outcome.stored = True
            candidate.scored_at = timezone.now()
        elif candidate.scored_at is None:
            candidate.scored_at = previous.created_at
        # The review workflow (and whoever else listens) hears of it in this transaction.
        events.emit(RiskChanged(candidate_id=candidate.pk, old_level=candidate.risk_level,
                                new_level=scored.level, score=scored.score))
        candidate.risk_status = RiskStatus.SCORED
        candidate.risk_score = scored.score
        candidate.risk_level = scored.level
        candidate.risk_flags = flags
        candidate.scored_revision = snapshot.revision
        candidate.scoring_lease_until = None  # the run is over
        candidate.incomplete_checks = (
            [{"check": f["check"], "status": "failed", "reason": f["error"]}
             for f in results.failed]
            + [{"check": p["check"], "status": "pending", "reason": p["reason"]}
               for p in results.pending]
        )
        candidate.save(update_fields=["risk_status", "risk_score", "risk_level", "risk_flags",
                                      "scored_at", "scored_revision", "incomplete_checks",
                                      "scoring_lease_until", "updated_at"])
        if cascade:
            _rescore_linked(snapshot, lookups)
    return outcome


def _rescore_linked(snapshot, lookups: DbLookups) -> None:
    """Mark the candidates linked to this one for re-scoring; the hand-off (signals/tasks.py)
    enqueues them after commit.

    They are set back to pending in this transaction, so a broker outage only delays their
    re-score (the sweep sends them) and never loses it. Their current score stays visible.
    """
    # The same self-join and resume search the checks just ran: read from the look-ups.
    links = links_from_matches(lookups.matches())
    linked = [link["id"] for link in links if set(link["shared"]) - FANOUT_LIMITED_KINDS]
    ip_only = [link["id"] for link in links if not set(link["shared"]) - FANOUT_LIMITED_KINDS]
    if len(ip_only) <= FANOUT_LIMIT:
        linked += ip_only
    linked += [other.id for other, _ in lookups.similar_resumes(snapshot)]
    ids = list(dict.fromkeys(linked))[:RESCORE_LINKED_LIMIT]
    if not ids:
        return
    # A new hand-off: not yet published nor started (updated_at dates it for the sweep).
    Candidate.objects.filter(pk__in=ids).update(
        risk_status=RiskStatus.PENDING, enqueued_at=None, scoring_lease_until=None,
        updated_at=timezone.now(),
    )
    events.emit(RescoreRequested(candidate_ids=tuple(ids)))


def weights_sync() -> None:
    """Create a weight row for every catalog flag, combination and level that has none.

    Existing rows are never changed: after the first migrate, the admin owns the weights.
    """
    for code, spec in CATALOG.items():
        FlagWeight.objects.get_or_create(code=code, defaults={"points": spec.points})
    for combo in COMBOS:
        ComboWeight.objects.get_or_create(name=combo.name, defaults={"bonus": combo.bonus})
    for level, min_score in DEFAULT_THRESHOLDS.items():
        LevelThreshold.objects.get_or_create(level=level, defaults={"min_score": min_score})
