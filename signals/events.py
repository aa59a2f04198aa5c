"""What scoring tells the layers above it (delivered by core.events; see that module)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RiskChanged:
    """A scoring run stored the candidate's current risk. Emitted inside the scoring
    transaction, under the candidate's row lock, on every run (the levels may be equal)."""

    candidate_id: int
    old_level: str  # "" before the first score
    new_level: str
    score: int


@dataclass(frozen=True)
class RescoreRequested:
    """These candidates were set back to pending because a linked candidate changed; the
    hand-off enqueues them once the transaction commits."""

    candidate_ids: tuple[int, ...]
