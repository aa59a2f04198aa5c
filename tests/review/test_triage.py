""""No review needed" (review/triage.py): a low score with weak flags only is cleared by the
system when scored, told apart from a recruiter's clearance, reversible by "Review anyway",
reopened by a higher re-score or a re-score with a signal that needs a look; the backlog
command clears what is already there."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from candidates.models import Candidate
from core import events
from core.audit import AuditEvent
from core.exceptions import ApplicationError
from review.events import ReviewTransitioned
from review.models import Decision, Review, ReviewState
from review.services import review_start
from review.triage import no_review_needed, review_review_anyway
from signals.events import RiskChanged
from tests.review.factories import candidate_make, client_for, flag, level_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def triage_on(settings):
    settings.REVIEW_NO_REVIEW_BELOW = "medium"


def score(candidate, value: int, flags=(), incomplete=()) -> None:
    """What scoring does: save the risk, then emit RiskChanged in the same transaction."""
    old = Candidate.objects.get(pk=candidate.pk).risk_level
    Candidate.objects.filter(pk=candidate.pk).update(
        risk_score=value, risk_level=level_for(value), risk_flags=list(flags),
        risk_status="scored", incomplete_checks=list(incomplete))
    events.emit(RiskChanged(candidate_id=candidate.pk, old_level=old,
                            new_level=level_for(value), score=value))


def review_of(candidate):
    return Review.objects.filter(candidate=candidate).first()


def test_the_rule():
    weak = [flag("email.persona_pattern"), flag("entity.household")]
    assert no_review_needed(level="low", flags=weak, incomplete=[])
    assert no_review_needed(level="low", flags=[], incomplete=[])
    assert not no_review_needed(level="low", flags=[flag("phone.voip")], incomplete=[])
    assert not no_review_needed(level="medium", flags=weak, incomplete=[])
    assert not no_review_needed(level="low", flags=weak,
                                incomplete=[{"check": "sanctions", "status": "failed"}])
    combo = {"code": "combo.throwaway_contact", "severity": "high"}
    assert not no_review_needed(level="low", flags=[combo], incomplete=[])


def test_a_low_weak_candidate_is_cleared_by_the_system_when_scored():
    seen = []
    events.subscribe(ReviewTransitioned, seen.append)
    try:
        c = candidate_make("Quiet Applicant", None)
        score(c, 8, [flag("email.persona_pattern")])
    finally:
        events._handlers[ReviewTransitioned].remove(seen.append)
    review = review_of(c)
    assert review.state == ReviewState.CLEARED and review.reason_code == "no_review_needed"
    assert review.decided_by is None and review.decided_at is not None
    decision = Decision.objects.get(candidate=c)
    assert decision.actor is None and decision.action == "clear"
    assert "No review needed" in decision.comment
    event = AuditEvent.objects.get(action="review.no_review_needed")
    assert event.actor_label == "system:triage" and event.target_id == str(c.pk)
    assert [(e.action, e.to_state, e.actor, e.reason_code) for e in seen] == [
        ("clear", "cleared", "system", "no_review_needed")]


def test_medium_strong_touched_or_switched_off_stays_new(recruiter, settings):
    medium = candidate_make("Medium", None)
    score(medium, 30, [flag("phone.voip")])
    strong = candidate_make("Strong flag", None)
    score(strong, 15, [flag("reuse.ip"), flag("phone.voip")])
    touched = candidate_make("Touched", 40)
    review_start(candidate_id=touched.pk, actor=recruiter)
    score(touched, 5)
    settings.REVIEW_NO_REVIEW_BELOW = ""
    off = candidate_make("Off", None)
    score(off, 3)
    assert review_of(medium) is None and review_of(strong) is None and review_of(off) is None
    assert review_of(touched).state == ReviewState.IN_REVIEW


def test_review_anyway_puts_it_back_to_new_and_a_higher_rescore_reopens(recruiter):
    c = candidate_make("Quiet", None)
    score(c, 5)
    client = client_for(recruiter)
    page = client.get("/?view=no_review_needed").content.decode()
    assert "Quiet" in page and "Review anyway" in page
    response = client.post(reverse("review:review_anyway", kwargs={"pk": c.pk}))
    assert response.status_code == 302
    review = review_of(c)
    assert review.state == ReviewState.NEW and review.assignee == recruiter
    assert review.reason_code == "review_anyway"
    assert AuditEvent.objects.filter(action="review.reopen", actor=recruiter).exists()
    score(c, 6)  # re-scored the same: a recruiter asked for it, it is not cleared again
    assert review_of(c).state == ReviewState.NEW
    with pytest.raises(ApplicationError):
        review_review_anyway(candidate_id=c.pk, actor=recruiter)

    other = candidate_make("Later risky", None)
    score(other, 5)
    score(other, 50, [flag("reuse.bank_account")])  # level rose: reopened as any clearance
    assert review_of(other).state == ReviewState.NEW
    assert review_of(other).reason_code == "level_raised"


def test_a_rescore_with_a_strong_flag_at_the_same_level_reopens():
    c = candidate_make("Quiet", None)
    score(c, 5)
    score(c, 12, [flag("phone.voip")])  # still low, but a medium-severity flag
    review = review_of(c)
    assert review.state == ReviewState.NEW and review.reason_code == "triage_lapsed"
    assert AuditEvent.objects.filter(action="review.reopen", actor_label="system:triage").exists()


def test_review_anyway_needs_a_system_clearance_and_the_role(recruiter, admin_user):
    c = candidate_make("Not cleared", 5)
    response = client_for(recruiter).post(reverse("review:review_anyway", kwargs={"pk": c.pk}))
    assert response.status_code == 409
    with pytest.raises(ApplicationError) as refused:
        review_review_anyway(candidate_id=c.pk, actor=admin_user)
    assert refused.value.code == "forbidden"


def test_the_backlog_command_clears_the_untouched_low_weak_ones(recruiter):
    quiet = [candidate_make(f"Quiet {i}", 4, flags=[flag("reuse.ip")]) for i in range(3)]
    loud = candidate_make("Loud", 10, flags=[flag("phone.voip")])
    started = candidate_make("Started", 4)
    review_start(candidate_id=started.pk, actor=recruiter)
    call_command("review_triage", verbosity=0)
    assert [review_of(c).state for c in quiet] == ["cleared"] * 3
    assert review_of(loud) is None and review_of(started).state == "in_review"
    call_command("review_triage", verbosity=0)  # idempotent
    assert Decision.objects.filter(reason_code="no_review_needed").count() == 3


def test_the_candidate_page_says_the_system_cleared_it_and_offers_review_anyway(recruiter):
    c = candidate_make("Quiet Page", None)
    score(c, 5)
    page = client_for(recruiter).get(reverse("review:candidate", kwargs={"pk": c.pk}))
    assert b"by the system" in page.content and b"Review anyway" in page.content


def test_switching_the_rule_off_leaves_earlier_clearances_alone(settings):
    c = candidate_make("Quiet", None)
    score(c, 5)
    settings.REVIEW_NO_REVIEW_BELOW = ""
    score(c, 9, [flag("phone.voip")])
    assert review_of(c).state == ReviewState.CLEARED
