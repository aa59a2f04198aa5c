"""What the HR leads decided feeds back (issue 10, item 5).

When an HR lead rejects a candidate as fraud, or its identity verification fails, its strong
identifiers become known bad (signals.services.known_bad_record). Any other record that
presents one is critical, whatever name it comes under, with the decision as evidence: a
known fraudster's phone or bank account coming back under a new name is the clearest sign
there is.
"""

from candidates.choices import IdentifierKind
from signals.engine import CandidateSnapshot, Flag, Lookups, check

# The identifiers that belong to one person; a shared home or IP says nothing of that kind.
KNOWN_BAD_KINDS = frozenset({
    IdentifierKind.BANK_ACCOUNT, IdentifierKind.WALLET, IdentifierKind.PAYOUT_EMAIL,
    IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.GITHUB,
    IdentifierKind.LINKEDIN, IdentifierKind.GITLAB,
})


@check("known_bad")
def known_bad(snapshot: CandidateSnapshot, lookups: Lookups) -> list[Flag]:
    flags = []
    seen: set[tuple[str, str]] = set()
    for kind, key, label in snapshot.identifiers or ():
        if kind not in KNOWN_BAD_KINDS or (kind, key) in seen:
            continue
        seen.add((kind, key))
        decisions = [d for d in lookups.known_bad(kind, key) if d.source.id != snapshot.id]
        if not decisions:
            continue
        first = decisions[0]
        what = f"{IdentifierKind.label_of(kind)} {label}".strip()
        flags.append(Flag(
            "known_bad.identifier",
            f"{what} belongs to {first.source.full_name or first.source.external_id}, "
            f"rejected as fraud ({first.reason.replace('_', ' ')})",
            {"kind": kind, "identifier": label,
             "decisions": [d.as_evidence() for d in decisions],
             "others": [d.source.as_evidence() for d in decisions]}))
    return flags
