"""Trying weights before they go live (issue 10, item 6): a draft weight set scored against
the stored recent candidates and the stored evaluation population.

No check runs again: a stored score keeps its flags with each flag's multiplier (the
variant the check chose), so scoring them under other weights is the pure score_flags of
signals.scoring. Flags stored before multipliers were kept count as 1x.
"""

from collections import Counter
from dataclasses import dataclass, field

from candidates.models import Candidate, RiskLevel
from signals.catalog import CATALOG
from signals.engine import Flag
from signals.models import EvaluationCase, WeightDraft
from signals.scoring import Weights, score_flags, weights_load

RECENT_LIMIT = 1000  # the most recently scored candidates a preview re-scores
CHANGES_SHOWN = 200
FLAGGED = ("high", "critical")
MEDIUM_PLUS = ("medium", "high", "critical")


def draft_weights(draft: WeightDraft, base: Weights | None = None) -> Weights:
    """The weights in force with the draft's overrides."""
    base = base or weights_load()
    return Weights(points=base.points | dict(draft.points or {}),
                   combos=base.combos | dict(draft.combos or {}),
                   thresholds=base.thresholds | dict(draft.thresholds or {}),
                   decay=base.decay)


def flags_from_stored(stored: list[dict]) -> list[Flag]:
    """The scored flags of a stored score, without the combinations (derived again)."""
    return [Flag(f["code"], f.get("summary", ""), f.get("evidence") or {},
                 multiplier=float(f.get("multiplier", 1.0)))
            for f in stored or () if f.get("code") in CATALOG]


@dataclass
class LevelChange:
    candidate_id: int
    full_name: str
    old_level: str
    new_level: str
    old_score: int
    new_score: int


@dataclass
class EvaluationFigures:
    cases: int = 0
    precision: float = 1.0
    recall: float = 1.0
    honest_medium_plus: float = 0.0


@dataclass
class Preview:
    scored: int = 0  # recent candidates re-scored
    changes: list[LevelChange] = field(default_factory=list)
    transitions: Counter = field(default_factory=Counter)  # (old, new) -> count
    current: EvaluationFigures | None = None  # the evaluation population, weights in force
    draft: EvaluationFigures | None = None  # ... and under the draft

    @property
    def changed(self) -> int:
        return sum(self.transitions.values())

    @property
    def transition_rows(self) -> list[tuple[str, str, int]]:
        """(from, to, count), most common first (templates cannot call Counter.items)."""
        return [(old, new, count) for (old, new), count in self.transitions.most_common()]


def weights_preview(*, draft: WeightDraft, limit: int = RECENT_LIMIT) -> Preview:
    current = weights_load()
    proposed = draft_weights(draft, current)
    preview = Preview()
    rows = (Candidate.objects.exclude(risk_level="").filter(scored_at__isnull=False)
            .order_by("-scored_at", "-id")
            .values_list("pk", "full_name", "risk_level", "risk_score", "risk_flags")[:limit])
    for pk, name, level, score, stored in rows:
        preview.scored += 1
        now = score_flags(flags_from_stored(stored), current)
        then = score_flags(flags_from_stored(stored), proposed)
        if then.level != now.level:
            preview.transitions[(now.level, then.level)] += 1
            if len(preview.changes) < CHANGES_SHOWN:
                preview.changes.append(LevelChange(pk, name, now.level, then.level,
                                                   now.score, then.score))
    preview.changes.sort(key=lambda c: (-RiskLevel.rank(c.new_level), c.candidate_id))
    cases = list(EvaluationCase.objects.values_list("label", "flags"))
    if cases:
        preview.current = _figures(cases, current)
        preview.draft = _figures(cases, proposed)
    return preview


def _figures(cases: list[tuple[str, list]], weights: Weights) -> EvaluationFigures:
    tp = fp = fraud = honest = honest_medium = 0
    for label, stored in cases:
        level = score_flags(flags_from_stored(stored), weights).level
        if label == "fraud":
            fraud += 1
            tp += level in FLAGGED
        else:
            honest += 1
            fp += level in FLAGGED
            honest_medium += level in MEDIUM_PLUS
    return EvaluationFigures(
        cases=len(cases), precision=tp / (tp + fp) if tp + fp else 1.0,
        recall=tp / fraud if fraud else 1.0,
        honest_medium_plus=honest_medium / honest if honest else 0.0)
