"""Reads for the connectors: connections by their public token or key, their last
deliveries, and the verdict an ATS may see."""

import hashlib
from dataclasses import dataclass

from django.db.models import QuerySet

from candidates.models import Candidate
from connectors.models import Connection, Delivery

TOP_FLAGS = 5


@dataclass(frozen=True)
class Verdict:
    status: str  # pending or scored
    score: int | None
    level: str
    flag_codes: tuple[str, ...]  # the candidate's own top flags, highest points first


def candidate_verdict(candidate: Candidate) -> Verdict:
    """What an ATS connection may see of a candidate's risk: its own score, level and top
    flag codes. The ONE place write-back and the Assessment test_status read them, so that
    integration-scoped risk applies here alone: the scoped_* fields are the risk computed
    only from the connection's own integration's applicants (docs/tenancy.md), so nothing an
    ATS reads depends on another integration's data."""
    flags = sorted(candidate.scoped_flags or [], key=lambda f: -f.get("points", 0))
    scored = candidate.risk_status == "scored" and candidate.scoped_score is not None
    return Verdict(
        status="scored" if scored else "pending",
        score=candidate.scoped_score if scored else None,
        level=candidate.scoped_level if scored else "",
        flag_codes=tuple(f["code"] for f in flags[:TOP_FLAGS] if f.get("code")),
    )


def connection_by_token(token: str) -> Connection | None:
    return (Connection.objects.select_related("integration")
            .filter(token=token, is_active=True).first())


def connection_by_assessment_key(key: str) -> Connection | None:
    digest = hashlib.sha256(key.encode()).hexdigest()
    return (Connection.objects.select_related("integration")
            .filter(assessment_key_hash=digest, is_active=True).first())


def connection_deliveries(connection: Connection, *, limit: int = 50) -> QuerySet[Delivery]:
    return (Delivery.objects.filter(connection=connection)
            .only("delivery_id", "event", "status", "attempts", "error", "received_at",
                  "processed_at", "candidate_id")
            .order_by("-received_at")[:limit])


def connection_list() -> QuerySet[Connection]:
    return Connection.objects.select_related("integration").order_by("integration__name", "kind")
