"""Shared helpers of the check tests: in-memory look-ups and scoring through the API."""

from candidates.models import Candidate
from signals.engine import Lookups, OtherCandidate
from signals.services import candidate_score

URL = "/api/v1/candidates/"


class MemoryLookups(Lookups):
    """Answers `shared` from a dict {(kind, key): [OtherCandidate, ...]} and records asks."""

    def __init__(self, shared: dict | None = None, presenting: dict | None = None):
        self.answers = shared or {}
        self.present = presenting or {}
        self.asked: list[tuple[str, str]] = []

    def shared(self, kind, key):
        self.asked.append((kind, key))
        return list(self.answers.get((kind, key), []))

    def presenting(self, kind, key):
        return list(self.present.get((kind, key), []))


def others(count: int) -> list[OtherCandidate]:
    return [OtherCandidate(100 + i, f"app-{100 + i}", f"Person {i}") for i in range(count)]


def scored_flags(api, payload) -> dict[str, dict]:
    """Post the payload through the API, score it, and return its flags by code."""
    response = api.post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    candidate_id = response.json()["id"]
    candidate_score(candidate_id=candidate_id)
    return {f["code"]: f for f in Candidate.objects.get(pk=candidate_id).risk_flags}
