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
    # The same as the candidate's own integration may see it (docs/tenancy.md): what goes
    # out to an integration (ATS write-back, webhooks) uses these, never the levels above.
    old_scoped_level: str = ""
    new_scoped_level: str = ""
    scoped_score: int | None = None
    scoped_changed: bool = True  # the scoped score, level or flags differ from before


@dataclass(frozen=True)
class RescoreRequested:
    """These candidates were set back to pending because a linked candidate changed; the
    hand-off enqueues them once the transaction commits."""

    candidate_ids: tuple[int, ...]
