""""No review needed": candidates scored below REVIEW_NO_REVIEW_BELOW (default "medium", so
low only) whose flags are all weak or informational (severity low or info in the catalog),
and whose checks all completed, are cleared by the system when scored.

Recorded as a clearance by nobody: state "cleared", reason "no_review_needed", decided_by
NULL (the database constraint allows exactly this one clearance without a decider), a
Decision with actor NULL, an audit event by "system:triage", and a ReviewTransitioned
"clear" by "system", so the ATS write-back and the webhooks tell the ATS the candidate is
cleared, as they would for a recruiter's clearance. Why not a new review state: every
consumer of the state (webhooks, ATS write-back, the API, the overview) already knows what
"cleared" means; a system clearance is told apart by its reason and its missing decider.

Reversible: "Review anyway" puts it back to new (a recruiter, audited); a later re-score to a
higher level reopens it (review.services.review_on_rescore, as any clearance), and so does a
re-score that keeps the level but adds a flag that is not weak.

Only candidates nobody has touched (no Review row) are triaged: a candidate a recruiter
started, assigned, or asked to review anyway is never cleared behind their back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from candidates.models import Candidate, RiskLevel
from core.exceptions import ApplicationError
from review import roles
from review.assignment import review_round_robin
from review.bulk import clearance_write
from review.models import Review, ReviewState
from review.services import review_reopen
from signals.catalog import CATALOG, INFO, LOW
from signals.events import RiskChanged

NO_REVIEW_NEEDED = "no_review_needed"
REVIEW_ANYWAY = "review_anyway"
TRIAGE_LAPSED = "triage_lapsed"
TRIAGE_ACTOR = "system:triage"
WEAK_SEVERITIES = (LOW, INFO)
TRIAGE_COMMENT = "No review needed: scored {level} with weak or informational signals only."
BATCH_SIZE = 1000  # candidates per transaction in the backlog command


def flag_is_weak(flag: dict) -> bool:
    """The catalog's severity for the code (combinations, not in the catalog, carry their
    own: "high")."""
    code = str(flag.get("code", ""))
    severity = CATALOG[code].severity if code in CATALOG else flag.get("severity")
    return severity in WEAK_SEVERITIES


def no_review_needed(*, level: str, flags: list[dict], incomplete: list | None) -> bool:
    threshold = settings.REVIEW_NO_REVIEW_BELOW
    if not threshold or level not in RiskLevel.values:
        return False
    return (RiskLevel.rank(level) < RiskLevel.rank(threshold) and not incomplete
            and all(flag_is_weak(f) for f in flags or []))


def on_risk_changed(event: RiskChanged) -> None:
    """Subscribed to RiskChanged after review.services.on_risk_changed (review/apps.py), so a
    raised level has reopened a clearance before this runs."""
    review_triage_on_score(candidate_id=event.candidate_id, new_level=event.new_level)
    review_round_robin(candidate_id=event.candidate_id, old_level=event.old_level,
                       new_level=event.new_level)


def review_triage_on_score(*, candidate_id: int, new_level: str) -> str | None:
    """In the scoring transaction: clear an untouched candidate that needs no review, or
    reopen a system clearance that no longer qualifies. Returns "cleared", "reopened" or
    None. With the rule switched off nothing changes (earlier clearances stand)."""
    if not settings.REVIEW_NO_REVIEW_BELOW:
        return None
    row = (Candidate.objects.filter(pk=candidate_id)
           .values_list("risk_score", "risk_level", "risk_flags", "incomplete_checks").first())
    if row is None or row[0] is None:
        return None
    score, level, flags, incomplete = row
    qualifies = no_review_needed(level=level, flags=flags, incomplete=incomplete)
    review = Review.objects.select_for_update().filter(candidate_id=candidate_id).first()
    if review is None:
        if not qualifies:
            return None
        _system_clear([(candidate_id, score, level, ReviewState.NEW)])
        return "cleared"
    if is_system_clearance(review) and not qualifies:
        review_reopen(review, reason_code=TRIAGE_LAPSED, level=level, score=score,
                      comment=f"Reopened: the re-score ({level}) has a signal that needs a look.",
                      audit_actor=TRIAGE_ACTOR, before={"reason_code": NO_REVIEW_NEEDED})
        return "reopened"
    return None


def is_system_clearance(review: Review) -> bool:
    return (review.state == ReviewState.CLEARED and review.reason_code == NO_REVIEW_NEEDED
            and review.decided_by_id is None)


def _system_clear(rows: list[tuple]) -> None:
    by_level: dict[str, list[tuple]] = {}
    for row in rows:
        by_level.setdefault(row[2], []).append(row)
    for level, level_rows in by_level.items():
        clearance_write(level_rows, reviews={}, actor=None, reason_code=NO_REVIEW_NEEDED,
                        comment=TRIAGE_COMMENT.format(level=level), audit_actor=TRIAGE_ACTOR,
                        audit_action="review.no_review_needed")


def review_triage_backlog(*, batch_size: int = BATCH_SIZE, stdout=None) -> int:
    """Apply "no review needed" to the candidates already scored and never touched (the
    management command review_triage). One transaction per batch; idempotent (a triaged
    candidate has a Review row and is not looked at again). Returns how many it cleared."""
    threshold = settings.REVIEW_NO_REVIEW_BELOW
    if not threshold:
        return 0
    levels = [lv for lv in RiskLevel.values if RiskLevel.rank(lv) < RiskLevel.rank(threshold)]
    cleared, last = 0, 0
    while True:
        ids = list(Candidate.objects.filter(pk__gt=last, risk_score__isnull=False,
                                            risk_level__in=levels, review__isnull=True)
                   .order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return cleared
        last = ids[-1]
        cleared += _triage_batch(ids)
        if stdout is not None:
            stdout.write(f"  up to candidate {last}: {cleared} cleared so far")


@transaction.atomic
def _triage_batch(ids: list[int]) -> int:
    rows = (Candidate.objects.select_for_update().filter(pk__in=ids).order_by("pk")
            .values_list("pk", "risk_score", "risk_level", "risk_flags", "incomplete_checks"))
    touched = set(Review.objects.filter(candidate_id__in=ids).values_list("candidate_id",
                                                                          flat=True))
    clear = [(pk, score, level, ReviewState.NEW) for pk, score, level, flags, incomplete in rows
             if pk not in touched and score is not None
             and no_review_needed(level=level, flags=flags, incomplete=incomplete)]
    if clear:
        _system_clear(clear)
    return len(clear)


@transaction.atomic
def review_review_anyway(*, candidate_id: int, actor) -> Review:
    """A recruiter wants to look at a candidate the system cleared as "no review needed":
    back to new, assigned to them, audited as a reopening by them."""
    if not roles.user_can(actor, roles.REVIEW):
        raise ApplicationError("Your role does not allow this.", code="forbidden")
    locked = Candidate.objects.select_for_update().filter(pk=candidate_id).values_list(
        "risk_score", "risk_level").first()
    if locked is None:
        raise ApplicationError("No such candidate.", code="not_found")
    review = Review.objects.filter(candidate_id=candidate_id).first()
    if review is None or not is_system_clearance(review):
        raise ApplicationError("Only a candidate cleared as “no review needed” can be "
                               "reviewed anyway.", code="invalid_transition")
    review_reopen(review, reason_code=REVIEW_ANYWAY, actor=actor, score=locked[0],
                  level=locked[1], comment="Review anyway: a recruiter asked to look at it.",
                  before={"reason_code": NO_REVIEW_NEEDED})
    return review
