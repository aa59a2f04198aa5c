"""What a receiver is told: small JSON documents with a dotted `type`, a `timestamp` and
`data` holding only the candidate's own facts (docs/webhooks.md lists each with an example).

Never in a payload: account numbers, evidence (a flag's evidence can name other applicants),
other candidates' names or ids.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from candidates.models import Candidate

TOP_FLAGS = 5


@dataclass(frozen=True)
class CandidateRisk:
    score: int | None
    level: str
    flags: list[dict]  # the top flags: code, title, points (no evidence)


def candidate_risk(candidate: Candidate) -> CandidateRisk:
    """The score, level and top flags that this candidate's integration may see: the
    integration-scoped risk (docs/tenancy.md), never the full one, which counts and names
    other integrations' applicants. The one place payloads read risk from. RiskChanged is
    emitted after the scoring transaction saved the candidate row, so the row is current."""
    top = sorted(candidate.scoped_flags or [], key=lambda f: -int(f.get("points") or 0))
    return CandidateRisk(score=candidate.scoped_score, level=candidate.scoped_level or "",
                         flags=[{"code": f["code"], "title": f.get("title", ""),
                                 "points": f.get("points")} for f in top[:TOP_FLAGS]])


def candidate_ref(candidate: Candidate) -> dict:
    """Who the event is about, as the integration knows it, and where to see it."""
    return {
        "candidate_id": candidate.pk,
        "external_id": candidate.external_id,
        "url": settings.SITE_URL + reverse("review:candidate", args=[candidate.pk]),
    }


def risk_data(risk: CandidateRisk) -> dict:
    return {"score": risk.score, "level": risk.level, "top_flags": risk.flags}
