"""Shared helpers of the check tests: in-memory look-ups and scoring through the API."""

from candidates.models import Candidate
from signals.engine import Lookups, OtherCandidate
from signals.services import candidate_score
from tests.factories import CandidatePayloadFactory

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


def applicant(n: int, name: str, **overrides) -> dict:
    """An applicant sharing nothing with applicant m != n, except what `overrides` set."""
    fields = {
        "full_name": name,
        "phone": f"+1 512 555 01{n:02d}",
        "profiles": [{"network": "github", "url": f"https://github.com/dev{n}"}],
        "ip_addresses": [{"ip": f"198.51.100.{n}", "source": "application"}],
        "addresses": [{"kind": "residential", "line1": f"{n} Elm Street", "city": "Austin",
                       "postal_code": "78704", "country": "US"}],
        "payment_accounts": [{"method": "bank", "account_number": f"0001234567{n:02d}",
                              "routing_number": "111000025", "bank_country": "US",
                              "holder_name": name}],
    }
    return CandidatePayloadFactory(**(fields | overrides))
