"""The review state machine: transitions, reasons, maker-checker, stale forms, reopening on a
higher score, and verification requests."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from candidates.models import Candidate
from core.audit import AuditEvent
from core.exceptions import ApplicationError
from review import roles
from review.models import Decision, Review, ReviewState, VerificationRequest
from review.services import (
    review_approve,
    review_clear,
    review_escalate,
    review_on_rescore,
    review_reject,
    review_start,
    verification_outcome_record,
    verification_request_create,
)
from signals.scoring import Scored
from tests.review.factories import candidate_make, user_make, verification_passed_make

REASON = {"reason_code": "identity_ring", "comment": "Shares a bank account with two others."}


def state_of(candidate) -> str:
    review = Review.objects.filter(candidate=candidate).first()
    return review.state if review else ReviewState.NEW


def refused(code: str, call, **kwargs):
    with pytest.raises(ApplicationError) as info:
        call(**kwargs)
    assert info.value.code == code, info.value.message
    return info.value


@pytest.mark.django_db
class TestReviewTransitions:
    def test_it_starts_a_review_and_records_who(self, candidate, recruiter):
        review = review_start(candidate_id=candidate.pk, actor=recruiter)
        assert review.state == ReviewState.IN_REVIEW
        assert review.assignee == recruiter
        decision = Decision.objects.get(candidate=candidate)
        assert (decision.action, decision.from_state, decision.to_state) == (
            "start", "new", "in_review")
        assert decision.risk_score == 88 and decision.risk_level == "critical"

    def test_it_refuses_to_start_twice(self, candidate, recruiter):
        review_start(candidate_id=candidate.pk, actor=recruiter)
        refused("invalid_transition", review_start, candidate_id=candidate.pk, actor=recruiter)

    def test_it_clears_from_in_review_with_a_reason_and_comment(self, candidate, recruiter):
        review_start(candidate_id=candidate.pk, actor=recruiter)
        review = review_clear(candidate_id=candidate.pk, actor=recruiter,
                              reason_code="explained_link", comment="Sisters sharing a flat.")
        assert review.state == ReviewState.CLEARED
        assert review.decided_by == recruiter and review.decided_at is not None
        last = Decision.objects.filter(candidate=candidate).latest("id")
        assert (last.reason_code, last.comment) == ("explained_link", "Sisters sharing a flat.")

    def test_it_clears_or_escalates_straight_from_new(self, candidate, recruiter):
        review_escalate(candidate_id=candidate.pk, actor=recruiter, **REASON)
        assert state_of(candidate) == ReviewState.ESCALATED
        other = candidate_make("Other", 30)
        review_clear(candidate_id=other.pk, actor=recruiter, reason_code="weak_signals",
                     comment="Only a payout service.")
        assert state_of(other) == ReviewState.CLEARED

    @pytest.mark.parametrize("reason_code,comment,field", [
        ("", "A comment.", "reason_code"),
        ("approve-me", "A comment.", "reason_code"),
        ("identity_ring", "   ", "comment"),
    ])
    def test_it_requires_a_valid_reason_and_a_comment(self, candidate, recruiter, reason_code,
                                                      comment, field):
        error = refused("invalid", review_escalate, candidate_id=candidate.pk, actor=recruiter,
                        reason_code=reason_code, comment=comment)
        assert field in error.extra["fields"]
        assert state_of(candidate) == ReviewState.NEW
        assert not Decision.objects.exists()

    def test_a_clear_reason_is_not_an_escalation_reason(self, candidate, recruiter):
        refused("invalid", review_escalate, candidate_id=candidate.pk, actor=recruiter,
                reason_code="explained_link", comment="Wrong list.")

    def test_it_escalates_and_records_the_maker(self, candidate, recruiter):
        review = review_escalate(candidate_id=candidate.pk, actor=recruiter, **REASON)
        assert review.escalated_by == recruiter and review.escalated_at is not None
        event = AuditEvent.objects.get(action="review.escalate")
        assert event.actor == recruiter and event.target_id == str(candidate.pk)
        assert event.before == {"state": "new"}
        assert event.after["state"] == "escalated"
        assert event.after["reason_code"] == "identity_ring"
        assert event.after["risk_level"] == "critical"

    def test_an_hr_lead_who_did_not_escalate_approves(self, escalated, hr_lead):
        verification_passed_make(escalated, hr_lead)  # critical: verification needed
        review = review_approve(candidate_id=escalated.pk, actor=hr_lead,
                                reason_code="identity_verified", comment="Met in person.")
        assert review.state == ReviewState.APPROVED and review.decided_by == hr_lead

    def test_an_hr_lead_who_did_not_escalate_rejects(self, escalated, hr_lead):
        review = review_reject(candidate_id=escalated.pk, actor=hr_lead,
                               reason_code="fraud_confirmed", comment="Borrowed identity.")
        assert review.state == ReviewState.REJECTED

    @pytest.mark.parametrize("call", [review_approve, review_reject])
    def test_maker_checker_refuses_the_hr_lead_who_escalated(self, candidate, hr_lead, call):
        review_escalate(candidate_id=candidate.pk, actor=hr_lead, **REASON)
        error = refused("maker_checker", call, candidate_id=candidate.pk, actor=hr_lead,
                        reason_code="other", comment="I escalated it and now decide it.")
        assert error.status_code == 403
        assert state_of(candidate) == ReviewState.ESCALATED
        assert not AuditEvent.objects.filter(action__in=["review.approve",
                                                         "review.reject"]).exists()

    def test_maker_checker_holds_in_the_database_too(self, escalated, hr_lead):
        review = Review.objects.get(candidate=escalated)
        review.state = ReviewState.APPROVED
        review.decided_by = review.escalated_by
        review.decided_at = timezone.now()
        with pytest.raises(IntegrityError), transaction.atomic():
            review.save()

    @pytest.mark.parametrize("call", [review_approve, review_reject])
    def test_a_recruiter_cannot_approve_or_reject(self, escalated, recruiter, call):
        refused("forbidden", call, candidate_id=escalated.pk, actor=recruiter,
                reason_code="other", comment="Not my call.")
        assert state_of(escalated) == ReviewState.ESCALATED

    def test_an_admin_takes_no_review_decision(self, candidate, admin_user):
        refused("forbidden", review_escalate, candidate_id=candidate.pk, actor=admin_user,
                **REASON)
        refused("forbidden", review_start, candidate_id=candidate.pk, actor=admin_user)

    def test_a_user_without_a_role_takes_no_decision(self, candidate, norole):
        refused("forbidden", review_start, candidate_id=candidate.pk, actor=norole)

    @pytest.mark.parametrize("call", [review_approve, review_reject])
    def test_only_escalated_candidates_are_approved_or_rejected(self, candidate, hr_lead,
                                                                  call):
        refused("invalid_transition", call, candidate_id=candidate.pk, actor=hr_lead,
                reason_code="other", comment="Skipping the escalation.")

    def test_a_decided_candidate_takes_no_further_decision(self, escalated, hr_lead, hr_lead2):
        verification_passed_make(escalated, hr_lead)
        review_approve(candidate_id=escalated.pk, actor=hr_lead, reason_code="other",
                       comment="Fine.")
        refused("invalid_transition", review_reject, candidate_id=escalated.pk, actor=hr_lead2,
                reason_code="other", comment="Changed my mind.")
        refused("invalid_transition", review_escalate, candidate_id=escalated.pk,
                actor=hr_lead2, **REASON)

    def test_it_refuses_a_decision_taken_on_a_stale_page(self, candidate, recruiter, hr_lead):
        review_start(candidate_id=candidate.pk, actor=recruiter)
        error = refused("stale", review_clear, candidate_id=candidate.pk, actor=hr_lead,
                        reason_code="other", comment="Looked fine to me.", expected_state="new")
        assert error.status_code == 409
        assert state_of(candidate) == ReviewState.IN_REVIEW

    def test_it_refuses_decisions_on_unscored_candidates(self, recruiter):
        pending = candidate_make("Not Scored", None)
        refused("not_scored", review_escalate, candidate_id=pending.pk, actor=recruiter,
                **REASON)

    def test_it_answers_not_found_for_a_missing_candidate(self, recruiter):
        refused("not_found", review_start, candidate_id=999999, actor=recruiter)

    def test_every_decision_is_on_the_audit_trail(self, candidate, recruiter, hr_lead):
        review_start(candidate_id=candidate.pk, actor=recruiter)
        review_escalate(candidate_id=candidate.pk, actor=recruiter, **REASON)
        verification_passed_make(candidate, hr_lead)
        review_approve(candidate_id=candidate.pk, actor=hr_lead, reason_code="flags_explained",
                       comment="Bank letter checked.")
        actions = list(AuditEvent.objects.filter(target_type="candidate")
                       .order_by("id").values_list("action", "actor_label"))
        assert actions == [("review.start", "rita"), ("review.escalate", "rita"),
                           ("review.approve", "hana")]


APPROVE = {"reason_code": "flags_explained", "comment": "Bank letter in her own name."}


@pytest.mark.django_db
class TestApprovingACriticalCandidate:
    """A critical candidate is approved on a passed identity verification, or on an HR lead's
    explicit override with a reason (issue 12)."""

    def test_it_is_refused_without_a_passed_verification(self, escalated, hr_lead):
        error = refused("verification_required", review_approve, candidate_id=escalated.pk,
                        actor=hr_lead, **APPROVE)
        assert error.status_code == 409
        assert state_of(escalated) == ReviewState.ESCALATED
        assert not AuditEvent.objects.filter(action="review.approve").exists()

    def test_a_pending_or_failed_verification_is_not_enough(self, escalated, hr_lead):
        pending = VerificationRequest.objects.create(candidate=escalated, requested_by=hr_lead,
                                                     method="live_video_id")
        refused("verification_required", review_approve, candidate_id=escalated.pk,
                actor=hr_lead, **APPROVE)
        verification_passed_make(escalated, hr_lead)
        verification_outcome_record(candidate_id=escalated.pk, verification_id=pending.pk,
                                    actor=hr_lead, outcome="failed")  # the latest outcome
        refused("verification_required", review_approve, candidate_id=escalated.pk,
                actor=hr_lead, **APPROVE)

    def test_it_is_allowed_with_a_passed_verification(self, escalated, hr_lead):
        verification_passed_make(escalated, hr_lead)
        review = review_approve(candidate_id=escalated.pk, actor=hr_lead, **APPROVE)
        assert review.state == ReviewState.APPROVED
        event = AuditEvent.objects.get(action="review.approve")
        assert "override" not in event.after

    def test_it_is_allowed_with_an_override_and_its_reason(self, escalated, hr_lead):
        review = review_approve(candidate_id=escalated.pk, actor=hr_lead, override=True,
                                override_reason="Known to us for years; verified at the office.",
                                **APPROVE)
        assert review.state == ReviewState.APPROVED
        decision = Decision.objects.get(candidate=escalated, action="approve")
        assert decision.comment.startswith(APPROVE["comment"])
        assert "Override: approved without a passed identity verification" in decision.comment
        assert "Known to us for years" in decision.comment
        event = AuditEvent.objects.get(action="review.approve")
        assert event.after["override"] is True
        assert event.after["override_reason"] == "Known to us for years; verified at the office."

    def test_an_override_without_a_reason_is_refused(self, escalated, hr_lead):
        error = refused("invalid", review_approve, candidate_id=escalated.pk, actor=hr_lead,
                        override=True, override_reason="   ", **APPROVE)
        assert "override_reason" in error.extra["fields"]
        assert state_of(escalated) == ReviewState.ESCALATED

    def test_a_non_critical_candidate_is_approved_as_before(self, recruiter, hr_lead):
        high = candidate_make("High Only", 60)
        review_escalate(candidate_id=high.pk, actor=recruiter, **REASON)
        review = review_approve(candidate_id=high.pk, actor=hr_lead, **APPROVE)
        assert review.state == ReviewState.APPROVED

    def test_rejecting_needs_no_verification(self, escalated, hr_lead):
        review = review_reject(candidate_id=escalated.pk, actor=hr_lead,
                               reason_code="fraud_confirmed", comment="Borrowed identity.")
        assert review.state == ReviewState.REJECTED


@pytest.mark.django_db
class TestReopenOnHigherScore:
    def cleared(self, recruiter, level="high"):
        candidate = candidate_make("Reopen Me", 50)
        Candidate.objects.filter(pk=candidate.pk).update(risk_level=level)
        review_clear(candidate_id=candidate.pk, actor=recruiter, reason_code="explained_link",
                     comment="Flatmates.")
        return candidate

    def test_it_reopens_a_cleared_candidate_when_the_level_rises(self, recruiter):
        candidate = self.cleared(recruiter)
        review = review_on_rescore(candidate_id=candidate.pk, old_level="high",
                                   new_level="critical")
        assert review.state == ReviewState.NEW and review.reopened_at is not None
        assert review.decided_by is None and review.assignee is None
        reopen = Decision.objects.filter(candidate=candidate).latest("id")
        assert (reopen.action, reopen.from_state, reopen.actor) == ("reopen", "cleared", None)
        event = AuditEvent.objects.get(action="review.reopen")
        assert event.actor_label == "system:rescore"
        assert event.before == {"state": "cleared", "risk_level": "high"}

    @pytest.mark.parametrize("old,new", [("high", "high"), ("critical", "high"),
                                         ("high", "medium"), ("high", "")])
    def test_it_leaves_a_cleared_candidate_alone_when_the_level_does_not_rise(
        self, recruiter, old, new
    ):
        candidate = self.cleared(recruiter)
        assert review_on_rescore(candidate_id=candidate.pk, old_level=old, new_level=new) is None
        assert state_of(candidate) == ReviewState.CLEARED

    def test_it_reopens_an_approved_candidate_too(self, escalated, hr_lead):
        verification_passed_make(escalated, hr_lead)
        review_approve(candidate_id=escalated.pk, actor=hr_lead, reason_code="other",
                       comment="Verified.")
        review = review_on_rescore(candidate_id=escalated.pk, old_level="high",
                                   new_level="critical")
        assert review.state == ReviewState.NEW
        assert review.escalated_by is None  # a new escalation needs a new maker

    @pytest.mark.parametrize("setup", ["none", "in_review", "escalated", "rejected"])
    def test_open_or_rejected_reviews_are_not_touched(self, candidate, recruiter, hr_lead,
                                                      setup):
        if setup in ("in_review",):
            review_start(candidate_id=candidate.pk, actor=recruiter)
        if setup in ("escalated", "rejected"):
            review_escalate(candidate_id=candidate.pk, actor=recruiter, **REASON)
        if setup == "rejected":
            review_reject(candidate_id=candidate.pk, actor=hr_lead, reason_code="other",
                          comment="No.")
        before = state_of(candidate)
        assert review_on_rescore(candidate_id=candidate.pk, old_level="low",
                                 new_level="critical") is None
        assert state_of(candidate) == before

    def test_the_scoring_pipeline_reopens_it(self, recruiter, monkeypatch):
        """candidate_score calls review_on_rescore with the old and the new level."""
        from signals import services as scoring

        candidate = candidate_make("Rescored", 12)
        Candidate.objects.filter(pk=candidate.pk).update(risk_level="low")
        review_clear(candidate_id=candidate.pk, actor=recruiter, reason_code="weak_signals",
                     comment="Nothing much.")
        monkeypatch.setattr(scoring, "score_flags",
                            lambda flags, weights: Scored(score=91, level="critical", flags=[]))
        scoring.candidate_score(candidate_id=candidate.pk)
        candidate.refresh_from_db()
        assert candidate.risk_level == "critical"
        assert state_of(candidate) == ReviewState.NEW
        assert Decision.objects.filter(candidate=candidate, action="reopen").count() == 1

        scoring.candidate_score(candidate_id=candidate.pk)  # same level again: nothing new
        assert Decision.objects.filter(candidate=candidate, action="reopen").count() == 1


@pytest.mark.django_db
class TestVerification:
    def test_it_records_a_request_and_picks_the_candidate_up(self, candidate, recruiter):
        request = verification_request_create(candidate_id=candidate.pk, actor=recruiter,
                                              method="live_video_id", note="Thursday 10:00")
        assert request.outcome == "pending" and request.requested_by == recruiter
        assert state_of(candidate) == ReviewState.IN_REVIEW
        event = AuditEvent.objects.get(action="verification.request")
        assert event.after["method"] == "live_video_id"

    def test_it_records_the_outcome_once(self, candidate, recruiter, hr_lead):
        request = verification_request_create(candidate_id=candidate.pk, actor=recruiter,
                                              method="device_pickup")
        done = verification_outcome_record(candidate_id=candidate.pk,
                                           verification_id=request.pk, actor=hr_lead,
                                           outcome="failed", note="Sent someone else.")
        assert done.outcome == "failed" and done.outcome_by == hr_lead
        refused("invalid_transition", verification_outcome_record, candidate_id=candidate.pk,
                verification_id=request.pk, actor=recruiter, outcome="passed")
        assert AuditEvent.objects.filter(action="verification.outcome").count() == 1

    def test_an_outcome_belongs_to_its_candidate(self, candidate, recruiter):
        request = verification_request_create(candidate_id=candidate.pk, actor=recruiter,
                                              method="notarised_id")
        other = candidate_make("Someone Else", 20)
        refused("not_found", verification_outcome_record, candidate_id=other.pk,
                verification_id=request.pk, actor=recruiter, outcome="passed")

    def test_it_refuses_unknown_methods_and_outcomes(self, candidate, recruiter):
        refused("invalid", verification_request_create, candidate_id=candidate.pk,
                actor=recruiter, method="selfie")
        request = verification_request_create(candidate_id=candidate.pk, actor=recruiter,
                                              method="notarised_id")
        refused("invalid", verification_outcome_record, candidate_id=candidate.pk,
                verification_id=request.pk, actor=recruiter, outcome="pending")

    def test_it_is_asked_only_while_the_review_is_open(self, candidate, recruiter):
        review_clear(candidate_id=candidate.pk, actor=recruiter, reason_code="other",
                     comment="Fine.")
        refused("invalid_transition", verification_request_create, candidate_id=candidate.pk,
                actor=recruiter, method="live_video_id")

    def test_an_admin_cannot_request_verification(self, candidate, admin_user):
        refused("forbidden", verification_request_create, candidate_id=candidate.pk,
                actor=admin_user, method="live_video_id")
        assert not VerificationRequest.objects.exists()


@pytest.mark.django_db
def test_roles_are_exclusive_and_audited():
    user = user_make("switch", roles.RECRUITER)
    roles.user_role_set(user=user, role=roles.HR_LEAD)
    user.refresh_from_db()
    assert roles.user_roles(user) == {roles.HR_LEAD}
    roles.user_role_set(user=user, role=roles.ADMIN)
    user.refresh_from_db()
    assert roles.user_roles(user) == {roles.ADMIN}
    assert user.is_staff and user.is_superuser
    actions = list(AuditEvent.objects.filter(target_id=str(user.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["user.create", "role.grant", "role.revoke", "role.grant", "user.flags",
                       "role.revoke"]


class TestReviewEvents:
    """Higher layers (ATS write-back, webhooks) learn of decisions through core.events."""

    @pytest.fixture
    def heard(self):
        from core import events
        from review.events import ReviewTransitioned, VerificationRecorded

        received = []
        events.subscribe(ReviewTransitioned, received.append)
        events.subscribe(VerificationRecorded, received.append)
        yield received
        events._handlers[ReviewTransitioned].remove(received.append)
        events._handlers[VerificationRecorded].remove(received.append)

    def test_it_emits_each_transition_with_its_reason(self, heard, recruiter, candidate):
        review_start(candidate_id=candidate.pk, actor=recruiter)
        review_escalate(candidate_id=candidate.pk, actor=recruiter, reason_code="identity_ring",
                        comment="same IBAN as a ring")
        assert [(e.action, e.from_state, e.to_state, e.reason_code, e.actor) for e in heard] == [
            ("start", "new", "in_review", "", recruiter.username),
            ("escalate", "in_review", "escalated", "identity_ring", recruiter.username),
        ]
        assert heard[-1].risk_level == candidate.risk_level

    def test_a_refused_transition_emits_nothing(self, heard, recruiter, candidate):
        with pytest.raises(ApplicationError):
            review_approve(candidate_id=candidate.pk, actor=recruiter, reason_code="verified",
                           comment="x")
        assert heard == []

    def test_it_emits_verification_requests_and_outcomes(self, heard, recruiter, candidate):
        request = verification_request_create(candidate_id=candidate.pk, actor=recruiter,
                                              method="live_video_id", note="")
        verification_outcome_record(candidate_id=candidate.pk, verification_id=request.pk,
                                    actor=recruiter, outcome="passed")
        outcomes = [e.outcome for e in heard if hasattr(e, "verification_id")]
        assert outcomes == ["pending", "passed"]
