"""Identity reuse across applicants (THREATS B1, C2, E2, D4).

One flag `reuse.<kind>` per identifier of this candidate that other *persons* present too.
How strong each kind is (a bank account vs a shared IP) is the catalog's business (severity and
points); this check says how many different persons share it. Records of the same person (a
re-application, an ATS duplicate) and of the candidate's household are resolved first
(signals.resolution): what they share is shown as a note ("same person, applied 2 times",
"household of 2") and not counted.

Shipping addresses are left to the shipping check (`shipping.shared_address`), which knows
what a shared drop address means.
"""

import re
import unicodedata

from candidates.choices import WEAK_IDENTIFIER_KINDS, IdentifierKind
from signals.catalog import CATALOG
from signals.engine import CandidateSnapshot, Flag, Lookups, OtherCandidate, check
from signals.resolution import HOUSEHOLD, SAME_PERSON, Resolution, Tie, persons, resolve

# Reuse by more applicants is stronger evidence of one operator behind many personas:
# (minimum number of others, multiplier), highest first. Capped at 1.6 so that a key shared
# by dozens (a carrier-grade NAT) cannot outweigh a different, stronger link.
COUNT_MULTIPLIERS = ((5, 1.6), (2, 1.3), (1, 1.0))
# Kinds that honest people share (room-mates, families, offices).
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
    resolution = resolve(snapshot, lookups)
    flags = []
    seen: set[tuple[str, str]] = set()
    for kind, key, label in snapshot.identifiers or ():
        code = f"reuse.{kind}"
        if not key or kind in SKIPPED_KINDS or code not in CATALOG or (kind, key) in seen:
            continue
        seen.add((kind, key))
        flag = _reuse_flag(snapshot, lookups, resolution, kind, key, label or "")
        if flag:
            flags.append(flag)
    return flags + entity_notes(resolution)


def entity_notes(resolution: Resolution) -> list[Flag]:
    """"Same person, applied 2 times", "household of 2": shown, never counted."""
    notes = []
    same = resolution.of(SAME_PERSON)
    if same:
        notes.append(Flag(
            "entity.same_person",
            f"Same person, applied {len(same) + 1} times: also {_ties_text(same)}",
            {"others": [tie.as_evidence() for tie in same]}))
    household = resolution.of(HOUSEHOLD)
    if household:
        notes.append(Flag(
            "entity.household",
            f"Household of {len(persons([t.other for t in household])) + 1}: "
            f"{_ties_text(household)}",
            {"others": [tie.as_evidence() for tie in household]}))
    return notes


def _ties_text(ties: list[Tie]) -> str:
    shown = [f"{t.other.full_name or t.other.external_id} ({t.why})"
             for t in ties[:NAMES_IN_SUMMARY]]
    more = len(ties) - NAMES_IN_SUMMARY
    return "; ".join(shown) + (f" and {more} more" if more > 0 else "")


def _reuse_flag(snapshot: CandidateSnapshot, lookups: Lookups, resolution: Resolution,
                kind: str, key: str, label: str) -> Flag | None:
    everyone = others_sharing(snapshot, lookups, kind, key)
    # Sharing within a person (a re-application) or a household (one home, a joint account)
    # is shown by the entity notes and is not reuse; only different persons count.
    related = [o for o in everyone if resolution.related(o.id)]
    others = [o for o in everyone if not resolution.related(o.id)]
    if not others:
        return None
    different = len(persons(others))
    what = _describe(kind, label)
    summary = f"{what} is also on {applications(len(others))} ({names_list(others)})"
    if different != len(others):
        summary += f": {different} different {'person' if different == 1 else 'people'}"
    evidence = {
        "kind": kind,
        "identifier": label,
        "count": len(others),
        "persons": different,
        "others": [o.as_evidence() for o in others],
    }
    if related:
        evidence["not_counted"] = [
            {"id": o.id, "relation": resolution.relation(o.id)} for o in related]
    # Reuse by more persons is stronger evidence of one operator behind many personas.
    return Flag(code=f"reuse.{kind}", summary=summary, evidence=evidence,
                multiplier=count_multiplier(different))
