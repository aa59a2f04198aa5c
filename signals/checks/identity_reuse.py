"""Identity reuse across applicants (THREATS B1, C2, E2, D4).

One flag `reuse.<kind>` per identifier of this candidate that other candidates present too.
How strong each kind is (a bank account vs a shared IP) is the catalog's business (severity and
points); this check only says how many others share it and whether they look like the same
person applying again.

Shipping addresses are left to the shipping check (`shipping.shared_address`), which knows
what a shared drop address means.
"""

import re
import unicodedata

from candidates.choices import WEAK_IDENTIFIER_KINDS, IdentifierKind
from signals.catalog import CATALOG
from signals.engine import CandidateSnapshot, Flag, Lookups, OtherCandidate, check

# Reuse by more applicants is stronger evidence of one operator behind many personas:
# (minimum number of others, multiplier), highest first. Capped at 1.6 so that a key shared
# by dozens (a carrier-grade NAT) cannot outweigh a different, stronger link.
COUNT_MULTIPLIERS = ((5, 1.6), (2, 1.3), (1, 1.0))
# Every other applicant has the candidate's own name: most likely the same person applying
# again (another position, another ATS). Still shown, since a name is easy to copy.
SAME_NAME_MULTIPLIER = 0.5
# Kinds that honest people share (room-mates, families, offices): a same-name match on these
# is the candidate's own earlier application and says nothing, so it is not flagged.
WEAK_KINDS = WEAK_IDENTIFIER_KINDS
SKIPPED_KINDS = {IdentifierKind.SHIPPING_ADDRESS}  # signals/checks/shipping.py
NAMES_IN_SUMMARY = 3

# Words that are not part of who someone is: "Dr. Dana Whitfield" is Dana Whitfield.
NAME_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir"}


def name_tokens(name: str | None) -> list[str]:
    """The words of a person's name: accents folded (José -> jose), lower case, punctuation
    and titles dropped."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return [word for word in re.split(r"[\W_]+", text) if word and word not in NAME_TITLES]


def same_name(a: str | None, b: str | None) -> bool:
    """The same full name in any order, case or accents; never true for an empty name."""
    words = sorted(name_tokens(a))
    return bool(words) and words == sorted(name_tokens(b))


def count_multiplier(count: int) -> float:
    for minimum, multiplier in COUNT_MULTIPLIERS:
        if count >= minimum:
            return multiplier
    return 1.0


def others_sharing(snapshot: CandidateSnapshot, lookups: Lookups, kind: str,
                   key: str) -> list[OtherCandidate]:
    """The other candidates presenting (kind, key), each once, never the candidate itself."""
    seen = {snapshot.id}
    others = []
    for other in lookups.shared(kind, key) or ():
        if other.id not in seen:
            seen.add(other.id)
            others.append(other)
    return others


def names_list(others: list[OtherCandidate]) -> str:
    names = [o.full_name or o.external_id or f"#{o.id}" for o in others[:NAMES_IN_SUMMARY]]
    more = len(others) - NAMES_IN_SUMMARY
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def _describe(kind: str, label: str) -> str:
    # Account labels name themselves ("IBAN …1234", "Wise account …1234") and are masked.
    if kind == "bank_account" and label:
        return label
    return f"{IdentifierKind.label_of(kind)} {label}".strip()


def applications(count: int) -> str:
    return f"{count} other application{'s' if count != 1 else ''}"


@check("identity_reuse")
def identity_reuse(snapshot: CandidateSnapshot, lookups: Lookups) -> list[Flag]:
    flags = []
    seen: set[tuple[str, str]] = set()
    for kind, key, label in snapshot.identifiers or ():
        code = f"reuse.{kind}"
        if not key or kind in SKIPPED_KINDS or code not in CATALOG or (kind, key) in seen:
            continue
        seen.add((kind, key))
        flag = _reuse_flag(snapshot, lookups, kind, key, label or "")
        if flag:
            flags.append(flag)
    return flags


def _reuse_flag(snapshot: CandidateSnapshot, lookups: Lookups, kind: str, key: str,
                label: str) -> Flag | None:
    others = others_sharing(snapshot, lookups, kind, key)
    namesakes = [o for o in others if same_name(snapshot.full_name, o.full_name)]
    if kind in WEAK_KINDS:
        # The candidate's own earlier application at their own home or network.
        others = [o for o in others if o not in namesakes]
        namesakes = []
    if not others:
        return None

    different = len(others) - len(namesakes)
    what = _describe(kind, label)
    summary = f"{what} is also on {applications(len(others))} ({names_list(others)})"
    evidence = {
        "kind": kind,
        "identifier": label,
        "count": len(others),
        "others": [o.as_evidence() for o in others],
    }
    if namesakes:
        evidence["same_name"] = [o.id for o in namesakes]
    if different == 0:
        multiplier = SAME_NAME_MULTIPLIER
        evidence["note"] = "same name: possibly a re-application"
        summary += "; same name: possibly a re-application"
    else:
        # Only applicants under other names make it a ring; namesakes are listed, not counted.
        multiplier = count_multiplier(different)
        if namesakes:
            summary += f"; {len(namesakes)} with the same name"
    return Flag(code=f"reuse.{kind}", summary=summary, evidence=evidence, multiplier=multiplier)
