"""The review workflow's data: where each candidate's review stands, every decision taken on
it, and the identity verifications asked for. The rules live in review/services.py.

A candidate without a Review row has never been touched and is in state "new": rows are
created by the first decision, so candidates loaded in bulk need nothing here.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from candidates.models import Candidate


class ReviewState(models.TextChoices):
    NEW = "new", "New"
    IN_REVIEW = "in_review", "In review"
    CLEARED = "cleared", "Cleared"
    ESCALATED = "escalated", "Escalated"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


# Still waiting for someone: what the queue shows by default.
OPEN_STATES = (ReviewState.NEW, ReviewState.IN_REVIEW, ReviewState.ESCALATED)
# Decided, one way or the other.
CLOSED_STATES = (ReviewState.CLEARED, ReviewState.APPROVED, ReviewState.REJECTED)
# Decided: the candidate may go ahead. A re-score that raises the level reopens these.
REOPENABLE_STATES = (ReviewState.CLEARED, ReviewState.APPROVED)


class Review(models.Model):
    candidate = models.OneToOneField(Candidate, on_delete=models.CASCADE, primary_key=True,
                                     related_name="review")
    state = models.CharField(max_length=12, choices=ReviewState.choices,
                             default=ReviewState.NEW)
    # Who picked the candidate up (start of review); cleared when it is reopened.
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    escalated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    escalated_at = models.DateTimeField(null=True, blank=True)
    # The person who took the current final decision (clear, approve, reject).
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason_code = models.CharField(max_length=40, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # Escalated and what follows from it always say who escalated.
            models.CheckConstraint(
                condition=~Q(state__in=["escalated", "approved", "rejected"])
                | Q(escalated_by__isnull=False),
                name="review_escalation_has_maker",
            ),
            # ...except the system's "no review needed" clearance (review/triage.py).
            models.CheckConstraint(
                condition=~Q(state__in=["cleared", "approved", "rejected"])
                | Q(decided_by__isnull=False, decided_at__isnull=False)
                | Q(state="cleared", reason_code="no_review_needed",
                    decided_at__isnull=False),
                name="review_decision_has_decider",
            ),
            # Maker-checker, in the database too: whoever approves or rejects is not whoever
            # escalated.
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "rejected"])
                | ~Q(decided_by=F("escalated_by")),
                name="review_maker_checker",
            ),
        ]
        indexes = [
            # Queue filter by review state ("awaiting HR approval" = escalated).
            models.Index(fields=["state"], name="review_state"),
            # "My escalations".
            models.Index(fields=["escalated_by", "state"], name="review_escalated_by"),
            # "Mine", and the round-robin's open candidates per assignee.
            models.Index(fields=["assignee", "state"], name="review_assignee"),
        ]

    def __str__(self) -> str:
        return f"review of candidate {self.candidate_id}: {self.state}"


class DecisionAction(models.TextChoices):
    START = "start", "Started review"
    CLEAR = "clear", "Cleared"
    ESCALATE = "escalate", "Escalated"
    APPROVE = "approve", "Approved"
    REJECT = "reject", "Rejected"
    REOPEN = "reopen", "Reopened"


class Decision(models.Model):
    """One transition of a review: the candidate's decision timeline. Never changed."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(max_length=12, choices=DecisionAction.choices)
    from_state = models.CharField(max_length=12, choices=ReviewState.choices)
    to_state = models.CharField(max_length=12, choices=ReviewState.choices)
    reason_code = models.CharField(max_length=40, blank=True)
    comment = models.TextField(blank=True)
    # NULL for the system (a re-score reopening the review).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    # The risk the decision was taken on.
    risk_score = models.PositiveIntegerField(null=True, blank=True)
    risk_level = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # The candidate page's timeline.
            models.Index(fields=["candidate", "created_at"], name="decision_timeline"),
            # The dashboard's decisions by outcome over the last weeks.
            models.Index(fields=["created_at", "action"], name="decision_outcomes"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A decision is history: it is never changed.")
        super().save(*args, **kwargs)


class VerificationMethod(models.TextChoices):
    """The identity checks the FBI/State/Treasury advisories and Mandiant recommend."""

    LIVE_VIDEO = "live_video_id", "Live video call, government ID held to camera"
    DEVICE_PICKUP = "device_pickup", "In-person device pickup with government ID"
    NOTARISED_ID = "notarised_id", "Notarised identity documents"


class VerificationOutcome(models.TextChoices):
    PENDING = "pending", "Pending"
    PASSED = "passed", "Passed: identity confirmed"
    FAILED = "failed", "Failed: identity not confirmed"
    DECLINED = "declined", "Declined or did not show up"


class VerificationRequest(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE,
                                  related_name="verification_requests")
    method = models.CharField(max_length=20, choices=VerificationMethod.choices)
    note = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=10, choices=VerificationOutcome.choices,
                               default=VerificationOutcome.PENDING)
    outcome_note = models.TextField(blank=True)
    outcome_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # An outcome, once recorded, says who recorded it and when.
            models.CheckConstraint(
                condition=Q(outcome="pending", outcome_at__isnull=True, outcome_by__isnull=True)
                | (~Q(outcome="pending") & Q(outcome_at__isnull=False, outcome_by__isnull=False)),
                name="verification_outcome_recorded",
            ),
        ]
        indexes = [
            # The candidate page's verification list.
            models.Index(fields=["candidate", "created_at"], name="verification_candidate"),
        ]


class CandidateFlag(models.Model):
    """One row per (candidate, flag code it carries now), with its application date: the
    overview's "flags by code over time" counted from a narrow index instead of unpacking
    the JSON of every candidate.

    Written only by database triggers on candidates_candidate (migration 0003), on every
    insert and on every update of risk_flags, risk_score or applied_at, whichever code path
    made the change (API, scoring, bulk loads); never by the ORM.
    """

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+",
                                  db_constraint=False)
    code = models.CharField(max_length=60)
    applied_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "code"], name="candidateflag_unique"),
        ]
        indexes = [
            # Flags by week: an index-only scan of the last weeks.
            models.Index(fields=["applied_at", "code"], name="candidateflag_week"),
        ]


class CaseState(models.TextChoices):
    OPEN = "open", "Open"
    DECIDED = "decided", "Decided"
    CLOSED = "closed", "Closed without a decision"


class Case(models.Model):
    """A group of linked candidates decided together (review/cases.py): opened from one
    candidate's ring (review.rings), with its members frozen at opening (CaseMember).

    Open until every member not excluded has a final decision (then decided), or until
    someone closes it without one (closed). Its history is the audit trail (target "case").
    """

    title = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=CaseState.choices, default=CaseState.OPEN)
    # The candidate whose ring was opened.
    opened_from = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    # The decision that closed the case (the last one applied, when several were needed).
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(state="open") | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="case_closed_says_by_whom",
            ),
        ]
        indexes = [
            # The cases page: open cases, oldest first.
            models.Index(fields=["state", "created_at"], name="case_state_age"),
        ]

    def __str__(self) -> str:
        return f"case #{self.pk}: {self.title}"


class CaseMember(models.Model):
    """A candidate in a case, frozen when the case was opened. An excluded member stays
    listed but no decision of the case is applied to it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    # Copy of case.state == open, kept by the services: what the one-open-case rule indexes.
    case_open = models.BooleanField(default=True)
    excluded = models.BooleanField(default=False)
    excluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    excluded_reason = models.TextField(blank=True)
    excluded_at = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "candidate"], name="casemember_unique"),
            # A candidate is in at most one open case (excluded or not); also the index of
            # "is this candidate in an open case?" (the candidate page's case link).
            models.UniqueConstraint(fields=["candidate"], condition=Q(case_open=True),
                                    name="casemember_one_open_case"),
            models.CheckConstraint(
                condition=Q(excluded=False)
                | Q(excluded_by__isnull=False, excluded_at__isnull=False),
                name="casemember_exclusion_says_by_whom",
            ),
        ]
        indexes = [
            # A candidate's cases, open or not.
            models.Index(fields=["candidate", "case"], name="casemember_candidate"),
        ]
