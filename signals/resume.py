"""Near-duplicate resume search (MinHash/LSH over an indexed table). Being built."""

from signals.engine import CandidateSnapshot, OtherCandidate


def resume_signature_store(*, candidate_id: int, text: str) -> None:
    return None


def resume_neighbours(snapshot: CandidateSnapshot) -> list[tuple[OtherCandidate, float]]:
    return []
