"""Scoring a candidate. The checks arrive with the check engine; until then a run scores the
evidence with no checks, which still exercises the whole hand-off: API, broker, worker, store.
"""

from django.db import transaction
from django.utils import timezone

from candidates.models import Candidate, RiskLevel, RiskStatus
from signals.models import ScoreRun

SCORING_VERSION = "0"


@transaction.atomic
def candidate_score(*, candidate_id: int) -> ScoreRun | None:
    candidate = Candidate.objects.select_for_update().filter(pk=candidate_id).first()
    if candidate is None:
        return None  # deleted since it was enqueued: nothing to do
    run = ScoreRun.objects.create(
        candidate=candidate, revision=candidate.revision, version=SCORING_VERSION,
        score=0, level=RiskLevel.LOW, flags=[],
    )
    candidate.risk_status = RiskStatus.SCORED
    candidate.risk_score = run.score
    candidate.risk_level = run.level
    candidate.risk_flags = run.flags
    candidate.scored_at = timezone.now()
    candidate.scored_revision = candidate.revision
    candidate.save(update_fields=["risk_status", "risk_score", "risk_level", "risk_flags",
                                  "scored_at", "scored_revision", "updated_at"])
    return run
