"""What candidates tells the layers above it (delivered by core.events; see that module)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class EvidenceChanged:
    """A candidate was created or its record replaced (a new revision to score). Emitted
    inside the transaction that wrote it."""

    candidate_id: int
    revision: int


@dataclass(frozen=True)
class CandidateErased:
    """The candidate's personal data was erased (the ATS deleted or anonymised it). Emitted
    inside the erasing transaction: layers above erase what they derived from it."""

    candidate_id: int
