"""What a receiver is told: small JSON documents with a dotted `type`, a `timestamp` and
`data` holding only the candidate's own facts (docs/webhooks.md lists each with an example).

Never in a payload: account numbers, evidence (a flag's evidence can name other applicants),
other candidates' names or ids.
"""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from candidates.models import Candidate
from signals.models import ScoreRun

TOP_FLAGS = 5


@dataclass(frozen=True)
class CandidateRisk:
    score: int | None
    level: str
    flags: list[dict]  # the top flags: code, title, points (no evidence)


def candidate_risk(candidate: Candidate) -> CandidateRisk:
    """The score, level and top flags that this candidate's integration may see.

    The one place payloads read risk from. It reads the newest score run rather than the
    candidate row because RiskChanged is emitted before the row is updated in the scoring
    transaction; the run is written first and always holds the current outcome.
    """
    run = (ScoreRun.objects.filter(candidate_id=candidate.pk).order_by("-created_at", "-id")
           .only("score", "level", "flags").first())
    if run is None:
        score, level, flags = candidate.risk_score, candidate.risk_level, candidate.risk_flags
    else:
        score, level, flags = run.score, run.level, run.flags
    top = sorted(flags or [], key=lambda f: -int(f.get("points") or 0))[:TOP_FLAGS]
    return CandidateRisk(score=score, level=level or "", flags=[
        {"code": f["code"], "title": f.get("title", ""), "points": f.get("points")} for f in top
    ])


def candidate_ref(candidate: Candidate) -> dict:
    """Who the event is about, as the integration knows it, and where to see it."""
    return {
        "candidate_id": candidate.pk,
        "external_id": candidate.external_id,
        "url": settings.SITE_URL + reverse("review:candidate", args=[candidate.pk]),
    }


def risk_data(risk: CandidateRisk) -> dict:
    return {"score": risk.score, "level": risk.level, "top_flags": risk.flags}
