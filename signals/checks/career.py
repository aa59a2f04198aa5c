"""Careers copied across personas (issue 10): the paraphrase-robust resume link, and front
companies.

A persona mill rewrites each persona's resume with a language model (synonyms, reordered
bullets, changed numbers), which defeats the word-shingle near-duplicate search
(resume_reuse), but keeps the template's career: the same employers, in the same order,
from the same years. So the employment history is reduced to keys:

- "career": two consecutive jobs, as (employer, start year, employer, start year). Two honest
  people share one only if they worked at the same two companies, one after the other,
  starting in the same years: a template, or the same person applying twice (resolution);
- "employer": one employer's folded name, for front companies: an employer that is rare in
  the whole pool (held by at most RARE_EMPLOYER_MAX applicants) yet in the history of
  several unrelated ones.

The keys are indexed (signals.models.CareerKey), so a candidate's peers are one look-up per
key, never a comparison with every resume.
"""

import hashlib
import re
import unicodedata

from signals.engine import CandidateSnapshot, EmploymentSnap, Flag, Lookups, check
from signals.resolution import names_agree, persons, resolve

# Legal forms and filler dropped from employer names: "Cobalt Labs Inc." = "Cobalt Labs".
LEGAL_FORMS = {"inc", "llc", "ltd", "gmbh", "corp", "corporation", "co", "sa", "sl", "srl",
               "bv", "pvt", "ltda", "lda", "sp", "z", "o", "de", "cv", "plc", "ag", "the"}
CAREER_MULTIPLIERS = ((4, 1.6), (2, 1.3), (1, 1.0))  # (other persons, multiplier)
# An employer held by more applicants than this is not rare: a real employer of many.
RARE_EMPLOYER_MAX = 6
# Persons besides this candidate who must share a rare employer for it to be a link.
RARE_EMPLOYER_OTHERS = 2
NAMES_IN_SUMMARY = 3


def employer_fold(name: str | None) -> str:
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    words = [w for w in re.split(r"[\W_]+", text) if w and w not in LEGAL_FORMS]
    return " ".join(words)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def career_keys(employments: tuple[EmploymentSnap, ...]) -> list[tuple[str, str, str]]:
    """(kind, key, label) of an employment history: its consecutive job pairs and its
    employers. Jobs without an employer or start are left out."""
    jobs = sorted(((employer_fold(e.employer), e.start.year, e.employer)
                   for e in employments or () if e.start and employer_fold(e.employer)),
                  key=lambda job: job[1])
    keys: dict[tuple[str, str], str] = {}
    for (a, year_a, label_a), (b, year_b, label_b) in zip(jobs, jobs[1:]):
        keys[("career", _digest(f"{a}|{year_a}|{b}|{year_b}"))] = (
            f"{label_a} ({year_a}), then {label_b} ({year_b})")
    for folded, _year, label in jobs:
        keys[("employer", _digest(folded))] = label
    return [(kind, key, label) for (kind, key), label in keys.items()]


@check("career")
def career(snapshot: CandidateSnapshot, lookups: Lookups) -> list[Flag]:
    keys = career_keys(snapshot.employments)
    if not keys:
        return []
    resolution = resolve(snapshot, lookups)

    def unrelated(others):
        return [o for o in others if o.id != snapshot.id and not resolution.related(o.id)
                and not names_agree(snapshot.full_name, o.full_name)]

    flags = []
    copied: dict[int, object] = {}
    jobs = []
    for kind, key, label in keys:
        if kind == "career":
            others = unrelated(lookups.career_peers(kind, key))
            if others:
                jobs.append(label)
                copied.update((o.id, o) for o in others)
    if copied:
        others = list(copied.values())
        count = len(persons(others))
        multiplier = next(m for minimum, m in CAREER_MULTIPLIERS if count >= minimum)
        flags.append(Flag(
            "resume.same_career",
            f"Same employers in the same years as {_names(others)}: {'; '.join(jobs[:2])}",
            {"others": [o.as_evidence() for o in others], "jobs": jobs}, multiplier=multiplier))
    for kind, key, label in keys:
        if kind != "employer":
            continue
        holders = lookups.career_peers(kind, key)
        if len(holders) + 1 > RARE_EMPLOYER_MAX:
            continue  # a real employer of many applicants
        others = unrelated(holders)
        if len(persons(others)) >= RARE_EMPLOYER_OTHERS:
            flags.append(Flag(
                "employer.rare_shared",
                f"{label}, an employer only {len(holders) + 1} applicants name, is also in "
                f"the history of {_names(others)}",
                {"employer": label, "holders": len(holders) + 1,
                 "others": [o.as_evidence() for o in others]},
                # The rarer the name, the more a shared one says.
                multiplier=1.0 if len(holders) + 1 <= RARE_EMPLOYER_MAX // 2 + 1 else 0.7))
    return flags


def _names(others) -> str:
    names = [o.full_name or o.external_id for o in others[:NAMES_IN_SUMMARY]]
    more = len(others) - NAMES_IN_SUMMARY
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")
