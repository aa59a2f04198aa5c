"""Risk flows along strong links (issue 10, item 5): a candidate tied by a bank account or a
phone to a critical candidate is at least high.

Only criticality a candidate has on its own counts (`Lookups.linked_risk`): a critical level
that rests on this very flag is not passed on, so two candidates can never hold each other
critical after the reason that made one of them critical is gone. The scoring hand-off
re-scores the linked candidates whenever a level crosses critical either way
(signals.services), so the flow is re-applied when a decision makes someone critical, not
only when a newcomer arrives.
"""

from candidates.choices import IdentifierKind
from signals.engine import CandidateSnapshot, Flag, Lookups, check

# The ties that identify one person's money or line (the "bank account or phone").
STRONG_TIE_KINDS = (IdentifierKind.BANK_ACCOUNT, IdentifierKind.PHONE)
FLOW_CODE = "link.critical_tie"


@check("risk_flow")
def risk_flow(snapshot: CandidateSnapshot, lookups: Lookups) -> list[Flag]:
    ties: dict[int, tuple[object, set[str]]] = {}
    for kind, key, _label in snapshot.identifiers or ():
        if kind not in STRONG_TIE_KINDS or not key:
            continue
        for other in lookups.shared(kind, key) or ():
            if other.id != snapshot.id:
                ties.setdefault(other.id, (other, set()))[1].add(kind)
    if not ties:
        return []
    critical = lookups.linked_risk(sorted(ties))
    tied = [(other, kinds) for other_id, (other, kinds) in sorted(ties.items())
            if critical.get(other_id)]
    if not tied:
        return []
    other, kinds = tied[0]
    what = " and ".join(sorted(IdentifierKind.label_of(k).lower() for k in kinds))
    more = f" and {len(tied) - 1} more" if len(tied) > 1 else ""
    return [Flag(
        FLOW_CODE,
        f"Shares a {what} with {other.full_name or other.external_id}{more}, "
        f"who is critical",
        {"others": [o.as_evidence() | {"shares": sorted(k)} for o, k in tied]})]
