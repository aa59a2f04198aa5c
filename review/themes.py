"""How the candidate page groups and words the flags: by theme, with a strength in words.

The stored flags carry a catalog severity (info, low, medium, high, critical). Shown as a level
word ("Medium") next to a "Low risk" candidate it reads as a contradiction, so the page says
how much a flag weighs as evidence instead: a strong, moderate or weak signal, or a note.

One table maps flag codes to themes by prefix (the longest prefix wins, so a combination can
be placed by its full code); a code the table does not know falls under "Other signals".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from review.selectors import flag_title as code_title
from signals.catalog import CRITICAL, HIGH, INFO, LOW, MEDIUM

IDENTITY_REUSE = "Identity reuse"
NETWORK = "Network & location"
IDENTITY = "Identity & profiles"
PAYMENT = "Payment"
CAREER = "Resume & career"
SANCTIONS = "Sanctions & known bad"
DATA = "Data quality"
OTHER = "Other signals"
THEME_ORDER = [SANCTIONS, IDENTITY_REUSE, NETWORK, PAYMENT, CAREER, IDENTITY, DATA, OTHER]

THEME_BY_PREFIX = {
    "sanctions.": SANCTIONS,
    "known_bad.": SANCTIONS,
    "reuse.": IDENTITY_REUSE,
    "link.": IDENTITY_REUSE,
    "entity.": IDENTITY_REUSE,
    "shipping.": NETWORK,
    "network.": NETWORK,
    "payment.": PAYMENT,
    "resume.": CAREER,
    "employer.": CAREER,
    "phone.": IDENTITY,
    "email.": IDENTITY,
    "profile.": IDENTITY,
    "data.": DATA,
    # Combinations, by what they combine.
    "combo.laptop_farm_ring": NETWORK,
    "combo.paid_abroad_to_someone_else": PAYMENT,
    "combo.templated_persona": CAREER,
    "combo.front_company_persona": CAREER,
    "combo.throwaway_contact": IDENTITY,
    "combo.": OTHER,
}
_PREFIXES = sorted(THEME_BY_PREFIX, key=len, reverse=True)

# Strength, from the flag's severity; never a level word.
STRONG, MODERATE, WEAK, NOTE = "strong", "moderate", "weak", "note"
STRENGTH_BY_SEVERITY = {CRITICAL: STRONG, HIGH: STRONG, MEDIUM: MODERATE, LOW: WEAK,
                        INFO: NOTE}
STRENGTH_LABELS = {STRONG: "strong signal", MODERATE: "moderate signal", WEAK: "weak signal",
                   NOTE: "note, not counted"}

OTHERS_SHOWN = 6  # applicants named under a flag; the rest are counted

# Flags whose stored text tells an operator to configure something. Recruiters get the plain
# words; admins (who can configure it) get the stored text and the operator's note.
OPERATOR_NOTES = {
    "phone.line_type_unknown": {
        "title": "Line type not checked",
        "summary": "Line type not checked: VoIP is not ruled out for this number.",
        "next_step": "Call the number during the interview process.",
        "operator": "No line-type provider answered for this number. Configure one "
                    "(TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN) to check +1 numbers for VoIP.",
    },
}


def theme_of(code: str) -> str:
    for prefix in _PREFIXES:
        if code.startswith(prefix):
            return THEME_BY_PREFIX[prefix]
    return OTHER


def strength_of(severity: str) -> str:
    return STRENGTH_BY_SEVERITY.get(severity, WEAK)


def flag_title(flag: dict) -> str:
    """A stored flag's heading: its title; combinations name what they combine ("Combination:
    laptop farm ring"), and a flag without a title is named from the catalog by its code."""
    code = str(flag.get("code", ""))
    if code.startswith("combo.") or not flag.get("title"):
        return code_title(code)
    return flag["title"]


@dataclass
class FlagView:
    """One flag as the page shows it."""

    code: str
    title: str
    summary: str
    next_step: str
    strength: str
    points: int
    evidence: dict
    anchor: str
    operator_note: str = ""
    others: list[dict] = field(default_factory=list)

    @property
    def strength_label(self) -> str:
        return STRENGTH_LABELS[self.strength]

    @property
    def others_shown(self) -> list[dict]:
        return self.others[:OTHERS_SHOWN]

    @property
    def others_more(self) -> int:
        return max(0, len(self.others) - OTHERS_SHOWN)

    @property
    def folded(self) -> bool:
        """Weak signals and notes are folded away under the strong and moderate ones."""
        return self.strength in (WEAK, NOTE)


@dataclass
class Theme:
    name: str
    flags: list[FlagView]

    @property
    def points(self) -> int:
        return sum(f.points for f in self.flags)


def flag_views(flags: list[dict], *, is_admin: bool) -> list[FlagView]:
    """The stored flags, strongest first, worded for the reader: recruiters never see an
    operator's configuration note."""
    views = []
    for index, flag in enumerate(flags or []):
        code = str(flag.get("code", ""))
        view = FlagView(
            code=code, title=flag_title(flag), summary=flag.get("summary") or "",
            next_step=flag.get("next_step") or "",
            strength=strength_of(flag.get("severity", "")),
            points=int(flag.get("points") or 0), evidence=flag.get("evidence") or {},
            anchor=f"flag-{index + 1}", others=_others(flag.get("evidence")),
        )
        note = OPERATOR_NOTES.get(code)
        if note:
            view.title = note["title"] if not is_admin else view.title
            if is_admin:
                view.operator_note = note["operator"]
            else:
                view.summary, view.next_step = note["summary"], note["next_step"]
        views.append(view)
    views.sort(key=lambda v: (v.folded, -v.points))
    return views


def themes_group(views: list[FlagView]) -> list[Theme]:
    """Flags by theme: the strongest theme first (by points; the fixed order breaks ties)."""
    groups: dict[str, list[FlagView]] = {}
    for view in views:
        groups.setdefault(theme_of(view.code), []).append(view)
    themes = [Theme(name, flags) for name, flags in groups.items()]
    themes.sort(key=lambda t: (-t.points, THEME_ORDER.index(t.name)))
    return themes


def top_reasons(views: list[FlagView], n: int = 3) -> list[FlagView]:
    """The n strongest concrete flags (combinations restate others; notes count nothing)."""
    concrete = [v for v in views if not v.code.startswith("combo.") and v.strength != NOTE]
    return sorted(concrete, key=lambda v: -v.points)[:n]


def _others(evidence) -> list[dict]:
    others = (evidence or {}).get("others") if isinstance(evidence, dict) else None
    return [o for o in others or [] if isinstance(o, dict) and isinstance(o.get("id"), int)]
