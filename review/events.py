"""What the review workflow tells the layers above it (ATS write-back, outbound webhooks);
delivered by core.events, inside the transaction of the decision. See core/events.py."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ReviewTransitioned:
    """A review moved from one state to another by a person (start, clear, escalate,
    approve, reject) or by the system (reopen after a higher score)."""

    candidate_id: int
    action: str  # a DecisionAction value: start, clear, escalate, approve, reject, reopen
    from_state: str
    to_state: str
    reason_code: str  # "" for start
    actor: str  # the username, or "system"
    risk_score: int | None
    risk_level: str


@dataclass(frozen=True)
class VerificationRecorded:
    """An identity verification was asked for (outcome "pending") or its outcome recorded."""

    candidate_id: int
    verification_id: int
    method: str
    outcome: str  # pending, passed, failed, declined
    actor: str
