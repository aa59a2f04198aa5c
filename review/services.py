"""The review workflow's writes: the state machine, maker-checker, verification requests.

    new ──start──▶ in_review ──clear──▶ cleared
     │                 │
     └──clear/escalate─┴──escalate──▶ escalated ──approve──▶ approved
                                            └─────reject───▶ rejected

    cleared | approved ──(re-score raises the level)──▶ new   (reopened)

Every transition is one service call that checks, under a row lock on the candidate:
the actor's role, that the candidate is in a state the transition starts from (and, from a
form, still the state the user saw), the reason code and comment, and maker-checker: whoever
approves or rejects is an HR lead who did not escalate. Each writes the review, a Decision
row (the timeline) and an audit event in one transaction. Refusals raise ApplicationError
with a code: forbidden (403), maker_checker (403), stale or invalid_transition or
not_scored or verification_required (409), invalid (400).

Approving a critical candidate needs a passed identity verification on record (the latest
verification outcome is "passed"), or the HR lead's explicit override with a reason, which
goes on the decision's comment and the audit event ("override": true, "override_reason").
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from candidates.models import Candidate, RiskLevel
from core import events
from core.audit import audit_record
from core.exceptions import ApplicationError
from review import roles
from review.events import ReviewTransitioned, VerificationRecorded
from review.models import (
    REOPENABLE_STATES,
    Decision,
    DecisionAction,
    Review,
    ReviewState,
    VerificationMethod,
    VerificationOutcome,
    VerificationRequest,
)
from review.rings import FRAUD_REASONS
from signals.events import RiskChanged
from signals.services import known_bad_record, known_bad_withdraw

CLEAR_REASONS = {
    "explained_link": "Shared detail explained (family, housemate, agency)",
    "identity_verified": "Identity verified (live video, in person or notarised)",
    "data_error": "Data entry or ATS import error",
    "weak_signals": "Weak signals only, nothing to act on",
    "other": "Other (say why in the comment)",
}
ESCALATE_REASONS = {
    "identity_ring": "Identity details shared with other applicants",
    "laptop_farm": "Equipment would ship to a likely laptop farm",
    "payment_risk": "Pay routed to someone else or abroad",
    "verification_failed": "Identity verification failed",
    "verification_declined": "Declined or dodged identity verification",
    "other": "Other (say why in the comment)",
}
APPROVE_REASONS = {
    "identity_verified": "Identity verified in person or on live video",
    "flags_explained": "Flags explained and documented",
    "other": "Other (say why in the comment)",
}
REJECT_REASONS = {
    "fraud_confirmed": "Fraudulent or borrowed identity confirmed",
    "verification_failed": "Identity verification failed",
    "verification_declined": "Declined identity verification",
    "sanctions_match": "Sanctions list or known front company",
    "other": "Other (say why in the comment)",
}
# Rejections that make the candidate's strong identifiers known bad: any other record that
# presents one is critical from then on (signals.checks.known_bad).
KNOWN_BAD_REASONS = FRAUD_REASONS  # a rejection for one of these makes identifiers known bad
ALL_REASONS = {**CLEAR_REASONS, **ESCALATE_REASONS, **APPROVE_REASONS, **REJECT_REASONS,
               "level_raised": "Risk level rose on re-score",
               # The queue's triage (review/triage.py).
               "no_review_needed": "No review needed: low risk, weak signals only",
               "review_anyway": "Reviewed anyway at a recruiter's request",
               "triage_lapsed": "Re-score brought a signal that needs a look"}
COMMENT_MAX = 4000


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    capability: str
    reasons: dict[str, str] | None  # None: no reason or comment taken
    maker_checker: bool = False


TRANSITIONS = {
    t.action: t
    for t in (
        Transition(DecisionAction.START, (ReviewState.NEW,), ReviewState.IN_REVIEW,
                   roles.REVIEW, None),
        # Clearing or escalating straight from "new" is allowed: deciding is also picking up.
        Transition(DecisionAction.CLEAR, (ReviewState.NEW, ReviewState.IN_REVIEW),
                   ReviewState.CLEARED, roles.REVIEW, CLEAR_REASONS),
        Transition(DecisionAction.ESCALATE, (ReviewState.NEW, ReviewState.IN_REVIEW),
                   ReviewState.ESCALATED, roles.REVIEW, ESCALATE_REASONS),
        Transition(DecisionAction.APPROVE, (ReviewState.ESCALATED,), ReviewState.APPROVED,
                   roles.DECIDE, APPROVE_REASONS, maker_checker=True),
        Transition(DecisionAction.REJECT, (ReviewState.ESCALATED,), ReviewState.REJECTED,
                   roles.DECIDE, REJECT_REASONS, maker_checker=True),
    )
}


def review_start(*, candidate_id: int, actor, expected_state: str | None = None) -> Review:
    return review_transition(candidate_id=candidate_id, actor=actor,
                             action=DecisionAction.START, expected_state=expected_state)


def review_clear(*, candidate_id: int, actor, reason_code: str, comment: str,
                 expected_state: str | None = None) -> Review:
    return review_transition(candidate_id=candidate_id, actor=actor,
                             action=DecisionAction.CLEAR, reason_code=reason_code,
                             comment=comment, expected_state=expected_state)


def review_escalate(*, candidate_id: int, actor, reason_code: str, comment: str,
                    expected_state: str | None = None) -> Review:
    return review_transition(candidate_id=candidate_id, actor=actor,
                             action=DecisionAction.ESCALATE, reason_code=reason_code,
                             comment=comment, expected_state=expected_state)


def review_approve(*, candidate_id: int, actor, reason_code: str, comment: str,
                   expected_state: str | None = None, override: bool = False,
                   override_reason: str = "") -> Review:
    """Approve an escalated candidate. A critical one needs a passed identity verification
    on record, or `override` with an `override_reason` (recorded and audited)."""
    return review_transition(candidate_id=candidate_id, actor=actor,
                             action=DecisionAction.APPROVE, reason_code=reason_code,
                             comment=comment, expected_state=expected_state,
                             override=override, override_reason=override_reason)


def review_reject(*, candidate_id: int, actor, reason_code: str, comment: str,
                  expected_state: str | None = None) -> Review:
    return review_transition(candidate_id=candidate_id, actor=actor,
                             action=DecisionAction.REJECT, reason_code=reason_code,
                             comment=comment, expected_state=expected_state)


@transaction.atomic
def review_transition(*, candidate_id: int, actor, action: str, reason_code: str = "",
                      comment: str = "", expected_state: str | None = None,
                      override: bool = False, override_reason: str = "") -> Review:
    """Apply one transition of TRANSITIONS, or raise ApplicationError and change nothing.

    `override` and `override_reason` only matter to approving a critical candidate without
    a passed identity verification (verification_required)."""
    rule = TRANSITIONS.get(action)
    if rule is None:
        raise ApplicationError(f"Unknown action {action!r}.", code="invalid")
    if not roles.user_can(actor, rule.capability):
        raise ApplicationError("Your role does not allow this decision.", code="forbidden")
    candidate, review = _locked_review(candidate_id)
    _check_state(review, rule, expected_state)
    if candidate.risk_score is None:
        raise ApplicationError("This candidate has not been scored yet; decide once the "
                               "score is in.", code="not_scored")
    if rule.maker_checker and review.escalated_by_id == actor.pk:
        raise ApplicationError(
            "You escalated this candidate, so another HR lead must approve or reject it "
            "(maker-checker).", code="maker_checker")
    comment = (comment or "").strip()
    if rule.reasons is not None:
        _check_reason(rule, reason_code, comment)
    overridden = None
    if rule.action == DecisionAction.APPROVE:
        overridden = _check_verification(candidate, override, override_reason)
    return _apply(candidate, review, rule, actor, reason_code, comment, override=overridden)


def verification_passed(candidate_id: int) -> bool:
    """Whether the candidate's latest verification with an outcome passed (a pass followed by
    a failure is no pass)."""
    latest = (VerificationRequest.objects.filter(candidate_id=candidate_id)
              .exclude(outcome=VerificationOutcome.PENDING)
              .order_by("-outcome_at", "-id").values_list("outcome", flat=True).first())
    return latest == VerificationOutcome.PASSED


def _check_verification(candidate: Candidate, override: bool, override_reason: str
                        ) -> str | None:
    """Approving a critical candidate needs a passed identity verification on record, or an
    HR lead's explicit override with a reason. Returns the override reason when one is used."""
    if candidate.risk_level != RiskLevel.CRITICAL or verification_passed(candidate.pk):
        return None
    if not override:
        raise ApplicationError(
            "This candidate is critical: approving needs a passed identity verification on "
            "record (live video with ID, device pickup or notarised ID), or an override "
            "with a reason.", code="verification_required")
    reason = (override_reason or "").strip()
    if not reason:
        raise ApplicationError(
            "Say why you approve without a passed identity verification.", code="invalid",
            extra={"fields": {"override_reason": ["Give the reason for the override."]}})
    if len(reason) > COMMENT_MAX:
        raise ApplicationError(
            "The override reason is too long.", code="invalid",
            extra={"fields": {"override_reason": [
                f"Keep the reason under {COMMENT_MAX} characters."]}})
    return reason


def _locked_review(candidate_id: int) -> tuple[Candidate, Review]:
    """Lock the candidate row (the scoring service takes the same lock first), then read or
    create its review: two decisions on one candidate never interleave."""
    candidate = (Candidate.objects.select_for_update().only("id", "risk_score", "risk_level")
                 .filter(pk=candidate_id).first())
    if candidate is None:
        raise ApplicationError("No such candidate.", code="not_found")
    review = Review.objects.filter(candidate_id=candidate_id).first()
    return candidate, review or Review(candidate_id=candidate_id, state=ReviewState.NEW)


def _check_state(review: Review, rule: Transition, expected_state: str | None) -> None:
    current = ReviewState(review.state)
    if expected_state and expected_state != current:
        raise ApplicationError(
            f"This candidate changed while you were looking at it: it is now "
            f"{current.label.lower()}. Nothing was saved; review the page again.",
            code="stale")
    if current not in rule.sources:
        raise ApplicationError(
            f"A candidate that is {current.label.lower()} cannot be "
            f"{DecisionAction(rule.action).label.lower()}.",
            code="invalid_transition")


def _check_reason(rule: Transition, reason_code: str, comment: str) -> None:
    errors = {}
    if reason_code not in rule.reasons:
        errors["reason_code"] = ["Choose a reason."]
    if not comment:
        errors["comment"] = ["Say in a sentence what you checked and why you decided so."]
    elif len(comment) > COMMENT_MAX:
        errors["comment"] = [f"Keep the comment under {COMMENT_MAX} characters."]
    if errors:
        raise ApplicationError("The decision needs a reason and a comment.", code="invalid",
                               extra={"fields": errors})


def _apply(candidate: Candidate, review: Review, rule: Transition, actor, reason_code: str,
           comment: str, *, override: str | None = None) -> Review:
    now = timezone.now()
    before = _review_state(review)
    from_state = review.state
    review.state = rule.target
    if rule.action == DecisionAction.START:
        review.assignee = actor
    elif rule.action == DecisionAction.ESCALATE:
        review.assignee = review.assignee or actor
        review.escalated_by, review.escalated_at = actor, now
    else:
        review.assignee = review.assignee or actor
        review.decided_by, review.decided_at = actor, now
    if rule.reasons is not None:
        review.reason_code = reason_code
    review.full_clean(exclude=["candidate"])
    review.save()
    if override is not None:  # on the timeline with the decision, and on the audit trail
        comment = (f"{comment}\n\nOverride: approved without a passed identity "
                   f"verification. Reason: {override}")
    Decision.objects.create(
        candidate_id=candidate.pk, action=rule.action, from_state=from_state,
        to_state=rule.target, reason_code=reason_code if rule.reasons else "",
        comment=comment if rule.reasons else "", actor=actor,
        risk_score=candidate.risk_score, risk_level=candidate.risk_level,
    )
    after = _review_state(review)
    if rule.reasons is not None:
        after |= {"reason_code": reason_code, "comment": comment}
    if override is not None:
        after |= {"override": True, "override_reason": override}
    audit_record(actor=actor, action=f"review.{rule.action}", target_type="candidate",
                 target_id=candidate.pk, before=before,
                 after=after | {"risk_score": candidate.risk_score,
                                "risk_level": candidate.risk_level})
    events.emit(ReviewTransitioned(
        candidate_id=candidate.pk, action=rule.action, from_state=from_state,
        to_state=rule.target, reason_code=reason_code if rule.reasons else "",
        actor=actor.get_username(), risk_score=candidate.risk_score,
        risk_level=candidate.risk_level,
    ))
    _feed_back(candidate.pk, rule.action, reason_code, actor)
    return review


def _feed_back(candidate_id: int, action: str, reason_code: str, actor) -> None:
    """What the HR leads decided feeds back into scoring, in the decision's transaction: a
    rejection as fraud makes the candidate's identifiers known bad (and re-scores those who
    present them); clearing or approving the candidate withdraws that."""
    if action == DecisionAction.REJECT and reason_code in KNOWN_BAD_REASONS:
        known_bad_record(candidate_id=candidate_id, reason=reason_code,
                         decided_by=actor.get_username())
    elif action in (DecisionAction.CLEAR, DecisionAction.APPROVE):
        known_bad_withdraw(candidate_id=candidate_id)


def _review_state(review: Review) -> dict:
    return {"state": review.state}


def review_refusal_record(*, candidate_id: int, actor, action: str, error: ApplicationError
                          ) -> None:
    """Put a refused decision on the audit trail (a maker-checker breach, a wrong role). The
    refused transition itself was rolled back; this is written in a transaction of its own."""
    audit_record(actor=actor, action=f"review.{action}.refused", target_type="candidate",
                 target_id=candidate_id, before=None,
                 after={"code": error.code, "message": error.message})


def on_risk_changed(event: RiskChanged) -> Review | None:
    """Subscribed to scoring's RiskChanged (review/apps.py)."""
    return review_on_rescore(candidate_id=event.candidate_id, old_level=event.old_level,
                             new_level=event.new_level)


def review_on_rescore(*, candidate_id: int, old_level: str, new_level: str) -> Review | None:
    """Runs inside the scoring transaction and under its lock on the candidate, whenever a
    score is written (delivered as a RiskChanged event). A re-score that raises the level reopens a
    cleared or approved candidate (back to "new", at the top of the queue again); nothing
    else changes here. Returns the reopened review, if any.
    """
    if RiskLevel.rank(new_level) <= RiskLevel.rank(old_level):
        return None
    review = (Review.objects.select_for_update()
              .filter(candidate_id=candidate_id, state__in=REOPENABLE_STATES).first())
    if review is None:
        return None
    comment = f"Risk level rose from {old_level or 'unscored'} to {new_level} on re-score."
    review_reopen(review, reason_code="level_raised", comment=comment, level=new_level,
                  audit_actor="system:rescore", before={"risk_level": old_level})
    return review


def review_reopen(review: Review, *, reason_code: str, comment: str, level: str,
                  actor=None, audit_actor: str = "", score: int | None = None,
                  before: dict | None = None) -> None:
    """Put a decided review back to "new" (reopened), assigned to `actor` (None: nobody),
    with a REOPEN decision, a "review.reopen" audit event (`audit_actor` labels the system
    when there is no actor; `before` adds to the audited before-state) and a
    ReviewTransitioned. The one way a review reopens: a higher re-score (review_on_rescore),
    a lapsed or overridden "no review needed" (review.triage). The caller holds the lock."""
    from_state = review.state
    review.state = ReviewState.NEW
    review.reopened_at = timezone.now()
    review.decided_by = review.decided_at = None
    review.escalated_by = review.escalated_at = None
    review.assignee = actor
    review.reason_code = reason_code
    review.save()
    Decision.objects.create(
        candidate_id=review.candidate_id, action=DecisionAction.REOPEN, from_state=from_state,
        to_state=ReviewState.NEW, reason_code=reason_code, comment=comment, actor=actor,
        risk_score=score, risk_level=level)
    audit_record(actor=actor if actor is not None else audit_actor, action="review.reopen",
                 target_type="candidate", target_id=review.candidate_id,
                 before={"state": from_state, **(before or {})},
                 after={"state": ReviewState.NEW.value, "risk_level": level,
                        "reason_code": reason_code})
    events.emit(ReviewTransitioned(
        candidate_id=review.candidate_id, action=DecisionAction.REOPEN, from_state=from_state,
        to_state=ReviewState.NEW, reason_code=reason_code,
        actor=actor.get_username() if actor is not None else "system", risk_score=score,
        risk_level=level))


@transaction.atomic
def verification_request_create(*, candidate_id: int, actor, method: str,
                                note: str = "") -> VerificationRequest:
    """Record that the candidate was asked to verify their identity in a way a remote
    impostor cannot fake (THREATS: live video with ID, in-person device pickup, notarised
    ID). A new candidate counts as picked up."""
    if not roles.user_can(actor, roles.REVIEW):
        raise ApplicationError("Your role does not allow this.", code="forbidden")
    if method not in VerificationMethod.values:
        raise ApplicationError("Choose a verification method.", code="invalid",
                               extra={"fields": {"method": ["Choose a verification method."]}})
    candidate, review = _locked_review(candidate_id)
    if review.state not in (ReviewState.NEW, ReviewState.IN_REVIEW, ReviewState.ESCALATED):
        raise ApplicationError(
            f"The review is {ReviewState(review.state).label.lower()}; verification is asked "
            "for while it is open.", code="invalid_transition")
    if review.state == ReviewState.NEW and candidate.risk_score is not None:
        _apply(candidate, review, TRANSITIONS[DecisionAction.START], actor, "", "")
    request = VerificationRequest(candidate_id=candidate_id, method=method,
                                  note=(note or "").strip()[:COMMENT_MAX], requested_by=actor)
    request.full_clean()
    request.save()
    audit_record(actor=actor, action="verification.request", target_type="candidate",
                 target_id=candidate_id, before=None,
                 after={"verification_id": request.pk, "method": method, "note": request.note})
    events.emit(VerificationRecorded(
        candidate_id=candidate_id, verification_id=request.pk, method=method,
        outcome=request.outcome, actor=actor.get_username()))
    return request


@transaction.atomic
def verification_outcome_record(*, candidate_id: int, verification_id: int, actor,
                                outcome: str, note: str = "") -> VerificationRequest:
    """Record how a verification went. An outcome is recorded once and never changed."""
    if not roles.user_can(actor, roles.REVIEW):
        raise ApplicationError("Your role does not allow this.", code="forbidden")
    if outcome not in VerificationOutcome.values or outcome == VerificationOutcome.PENDING:
        raise ApplicationError("Choose an outcome.", code="invalid",
                               extra={"fields": {"outcome": ["Choose an outcome."]}})
    request = (VerificationRequest.objects.select_for_update()
               .filter(pk=verification_id, candidate_id=candidate_id).first())
    if request is None:
        raise ApplicationError("No such verification request.", code="not_found")
    if request.outcome != VerificationOutcome.PENDING:
        raise ApplicationError("This verification already has an outcome.",
                               code="invalid_transition")
    request.outcome = outcome
    request.outcome_note = (note or "").strip()[:COMMENT_MAX]
    request.outcome_by = actor
    request.outcome_at = timezone.now()
    request.full_clean()
    request.save()
    audit_record(actor=actor, action="verification.outcome", target_type="candidate",
                 target_id=request.candidate_id,
                 before={"verification_id": request.pk, "outcome": VerificationOutcome.PENDING},
                 after={"verification_id": request.pk, "method": request.method,
                        "outcome": outcome, "note": request.outcome_note})
    events.emit(VerificationRecorded(
        candidate_id=request.candidate_id, verification_id=request.pk,
        method=request.method, outcome=outcome, actor=actor.get_username()))
    if outcome == VerificationOutcome.FAILED:  # identity not confirmed: known bad
        known_bad_record(candidate_id=request.candidate_id, reason="verification_failed",
                         decided_by=actor.get_username())
    return request
