"""Resume template reuse (THREATS B2): the resume is a near-duplicate of another applicant's.

The near-duplicates come from `lookups.similar_resumes` (MinHash/LSH in signals.resume).
A near-duplicate under the candidate's own name is the same person applying again (another
position, another ATS) and is not flagged; under another name it is a shared template.
"""

import unicodedata

from rapidfuzz import fuzz

from signals.engine import CandidateSnapshot, Flag, Lookups, OtherCandidate, check
from signals.resolution import resolve

# Names at or above this token_set_ratio (order, case and accents ignored) are the same
# person: "Dana Whitfield", "Whitfield, Dana", "Dana W. Whitfield".
SAME_NAME_SCORE = 80
# More applicants on one template is stronger evidence of a persona mill:
# (minimum number of others, multiplier), highest first.
COUNT_MULTIPLIERS = ((5, 1.6), (2, 1.3), (1, 1.0))
NAMES_IN_SUMMARY = 3


@check("resume_reuse")
def resume_reuse_check(snapshot: CandidateSnapshot, lookups: Lookups) -> list[Flag]:
    resolution = resolve(snapshot, lookups)
    others = [
        (other, similarity)
        for other, similarity in lookups.similar_resumes(snapshot)
        if not same_person(snapshot.full_name, other.full_name)
        and not resolution.related(other.id)
    ]
    if not others:
        return []
    multiplier = next(m for minimum, m in COUNT_MULTIPLIERS if len(others) >= minimum)
    return [Flag(
        "resume.near_duplicate",
        _summary(others),
        {"others": [other.as_evidence() | {"similarity": round(similarity, 2)}
                    for other, similarity in others]},
        multiplier=multiplier,
    )]


def same_person(a: str | None, b: str | None) -> bool:
    return fuzz.token_set_ratio(_fold(a), _fold(b)) >= SAME_NAME_SCORE


def _fold(name: str | None) -> str:
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def _summary(others: list[tuple[OtherCandidate, float]]) -> str:
    top = max(similarity for _, similarity in others)
    names = ", ".join(other.full_name for other, _ in others[:NAMES_IN_SUMMARY])
    if len(others) > NAMES_IN_SUMMARY:
        names += f" and {len(others) - NAMES_IN_SUMMARY} more"
    noun = "another applicant's" if len(others) == 1 else f"{len(others)} other applicants'"
    return f"Resume is a near-duplicate ({round(top * 100)}% similar) of {noun} ({names})"
