"""Entity resolution beneath the checks: which other records are this person, this household,
or different people (issue 10).

Sharing an email, a phone or a bank account is a ring only between *different persons*. The
same human applying twice (another position, an ATS duplicate) shares everything, and so
does a couple with one home and a joint account. Resolution decides, for every other
candidate this one shares an identifier with:

- **same person**: the names agree (order, case, accents, middle initials ignored) and they
  share an identifier: a re-application;
- **household**: different names, one home (a shared residential or mailing address), and a
  plausible family tie: a surname in common, or an account of this candidate's whose holder
  names both. A "household" of more than HOUSEHOLD_MAX other persons at one address is not a
  family but a farm: then nobody there is a household;
- **different persons**: everything else, the reuse signal;
- a recruiter's correction ("same person", "not the same person") overrides all of the
  above for that pair (`Lookups.resolution_corrections`).

It is incremental and indexed: a candidate is resolved against the candidates the identifier
index returns for its own identifiers (`Lookups.shared`), never against everyone, and the
answer is recomputed at each scoring, so a newcomer joins or splits groups as it arrives and
a correction applies at the next scoring of either candidate. It reads other candidates only
through the look-ups, so the integration-scoped run (ScopedLookups) resolves against what
that integration may see. Pure: no database.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from candidates.choices import WEAK_IDENTIFIER_KINDS, IdentifierKind
from signals.engine import CandidateSnapshot, Lookups, OtherCandidate

SAME_PERSON, HOUSEHOLD, DISTINCT = "same_person", "household", "distinct"
CORRECTED_SAME, CORRECTED_DIFFERENT = "same", "different"
HOME_KINDS = frozenset({"residential_address", "mailing_address"})
RESOLVED_KINDS = frozenset(IdentifierKind.values) - {IdentifierKind.SHIPPING_ADDRESS}
HOUSEHOLD_MAX = 3  # other persons at one home: a larger "family" is a farm
NAME_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir"}
# Words that are not surnames on their own ("de Jong", "van den Berg", "dela Cruz").
PARTICLES = {"de", "da", "del", "della", "der", "den", "van", "von", "la", "le", "dos", "das",
             "du", "dela", "di", "y", "e", "and"}


def name_words(name: str | None) -> list[str]:
    """The words of a name: accents folded, lower case, punctuation and titles dropped."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("ł", "l").replace("ø", "o").replace("ß", "ss")
    return [w for w in re.split(r"[\W_]+", text) if w and w not in NAME_TITLES]


def names_agree(a: str | None, b: str | None) -> bool:
    """One person's name as two records write it: the same words in any order ("Whitfield,
    Dana"), or the same first and last word with a middle name or initial on one side only
    ("Dana J. Whitfield"). Never true for an empty name."""
    first, second = name_words(a), name_words(b)
    if not first or not second:
        return False
    if sorted(first) == sorted(second):
        return True
    full_a = [w for w in first if len(w) > 1]
    full_b = [w for w in second if len(w) > 1]
    return (len(full_a) >= 2 and len(full_b) >= 2 and full_a[0] == full_b[0]
            and full_a[-1] == full_b[-1])


def surnames(name: str | None) -> set[str]:
    """The words of a name after the first that can be surnames."""
    words = [w for w in name_words(name) if len(w) > 1]
    return {w for w in words[1:] if w not in PARTICLES}


def holder_names_both(holder: str, mine: str, theirs: str) -> bool:
    """A joint account's holder names both people: each one's first name is in it."""
    words = set(name_words(holder))
    mine_words, their_words = name_words(mine), name_words(theirs)
    return bool(mine_words and their_words and mine_words[0] in words
                and their_words[0] in words and mine_words[0] != their_words[0])


@dataclass(frozen=True)
class Tie:
    other: OtherCandidate
    relation: str  # SAME_PERSON, HOUSEHOLD or DISTINCT
    kinds: tuple[str, ...]  # the identifier kinds they share
    why: str  # one line a recruiter reads
    corrected: bool = False  # a recruiter said so

    def as_evidence(self) -> dict:
        return self.other.as_evidence() | {"shares": list(self.kinds), "why": self.why,
                                           "corrected": self.corrected}


@dataclass
class Resolution:
    ties: dict[int, Tie] = field(default_factory=dict)

    def relation(self, other_id: int) -> str:
        tie = self.ties.get(other_id)
        return tie.relation if tie else DISTINCT

    def related(self, other_id: int) -> bool:
        """Same person or household: sharing with them is not reuse."""
        return self.relation(other_id) in (SAME_PERSON, HOUSEHOLD)

    def of(self, relation: str) -> list[Tie]:
        return [t for t in self.ties.values() if t.relation == relation]


def persons(others: list[OtherCandidate]) -> list[list[OtherCandidate]]:
    """Other records grouped into persons by name (one person applying twice counts once):
    the reuse signal is stronger the more *persons* share an identifier, not records."""
    groups: list[list[OtherCandidate]] = []
    for other in others:
        for group in groups:
            if names_agree(group[0].full_name, other.full_name):
                group.append(other)
                break
        else:
            groups.append([other])
    return groups


def resolve(snapshot: CandidateSnapshot, lookups: Lookups) -> Resolution:
    """The candidate's ties to every other candidate sharing an identifier with it; computed
    once per look-ups object (every check of a run asks)."""
    memo = lookups.memo()
    key = ("resolution", snapshot.id)
    if key not in memo:
        memo[key] = _resolve(snapshot, lookups)
    return memo[key]


def _resolve(snapshot: CandidateSnapshot, lookups: Lookups) -> Resolution:
    shared: dict[int, tuple[OtherCandidate, set[str]]] = {}
    for kind, key, _label in snapshot.identifiers or ():
        # A shipping address is where a laptop goes, not who someone is: the shipping
        # check weighs it (a household ships to the home it shares, a residential address).
        if not key or kind not in RESOLVED_KINDS:
            continue
        for other in lookups.shared(kind, key) or ():
            if other.id != snapshot.id:
                shared.setdefault(other.id, (other, set()))[1].add(kind)
    corrections = {other.id: (other, verdict)
                   for other, verdict in lookups.resolution_corrections(snapshot.id)}
    for other_id, (other, _verdict) in corrections.items():
        shared.setdefault(other_id, (other, set()))
    resolution = Resolution()
    households: list[Tie] = []
    for other_id, (other, kinds) in sorted(shared.items()):
        tie = _tie(snapshot, other, tuple(sorted(kinds)), corrections.get(other_id))
        resolution.ties[other_id] = tie
        if tie.relation == HOUSEHOLD:
            households.append(tie)
    if len(persons([t.other for t in households])) > HOUSEHOLD_MAX:
        for tie in households:  # too many "relatives" at one home: a farm, not a family
            resolution.ties[tie.other.id] = Tie(
                tie.other, DISTINCT, tie.kinds,
                f"more than {HOUSEHOLD_MAX} others at one home: not counted as a household")
    return resolution


def _tie(snapshot: CandidateSnapshot, other: OtherCandidate, kinds: tuple[str, ...],
         correction: tuple[OtherCandidate, str] | None) -> Tie:
    if correction is not None:
        verdict = correction[1]
        relation = SAME_PERSON if verdict == CORRECTED_SAME else DISTINCT
        why = ("a recruiter confirmed they are the same person" if verdict == CORRECTED_SAME
               else "a recruiter confirmed they are different people")
        return Tie(other, relation, kinds, why, corrected=True)
    shares = ", ".join(k.replace("_", " ") for k in kinds)
    if names_agree(snapshot.full_name, other.full_name):
        return Tie(other, SAME_PERSON, kinds, f"same name; shares {shares}")
    if HOME_KINDS & set(kinds):
        common = surnames(snapshot.full_name) & surnames(other.full_name)
        if common:
            return Tie(other, HOUSEHOLD, kinds,
                       f"one home and the surname {sorted(common)[0].title()}; shares {shares}")
        for payment in snapshot.payments or ():
            if payment.holder_name and holder_names_both(payment.holder_name,
                                                         snapshot.full_name, other.full_name):
                return Tie(other, HOUSEHOLD, kinds,
                           f"one home and a joint account naming both; shares {shares}")
    strong = [k for k in kinds if k not in WEAK_IDENTIFIER_KINDS]
    if strong:
        return Tie(other, DISTINCT, kinds, f"another name; shares {shares}")
    return Tie(other, DISTINCT, kinds, f"shares {shares}")
