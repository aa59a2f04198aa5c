"""From flags to an explainable score and a level.

1. Each flag is worth its code's weight (FlagWeight, editable), times the flag's multiplier.
2. Within a family (reuse, payment, phone, ...) flags count with diminishing returns: the
   strongest in full, the next at half, then a quarter, ... (FAMILY_DECAY), so a pile of weak
   flags of one kind cannot add up to a strong one.
3. Combinations that mean more than their parts (ComboWeight) add a bonus and appear as
   flags of their own (`combo.<name>`), so the explanation shows why.
4. The total maps to a level by the thresholds (LevelThreshold): low below "medium", etc.
5. Flags of severity "info" are notes for the recruiter (e.g. "VoIP could not be
   determined"): shown after the scored flags, never counted.

Pure functions of (flags, weights); `weights_load` reads the editable weights.
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass

from candidates.choices import RiskLevel
from signals.catalog import CATALOG, COMBOS, DEFAULT_THRESHOLDS, FAMILY_DECAY, INFO
from signals.engine import Flag
from signals.models import ComboWeight, FlagWeight, LevelThreshold

LEVELS = tuple(RiskLevel.values)  # lowest first


@dataclass(frozen=True)
class Weights:
    points: dict[str, int]  # flag code -> points (0 when disabled)
    combos: dict[str, int]  # combo name -> bonus (0 when disabled)
    thresholds: dict[str, int]  # level -> minimum score
    decay: float = FAMILY_DECAY

    def as_json(self) -> dict:
        return {"points": dict(sorted(self.points.items())),
                "combos": dict(sorted(self.combos.items())),
                "thresholds": self.thresholds, "decay": self.decay}

    @property
    def digest(self) -> str:
        text = json.dumps(self.as_json(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


def default_weights() -> Weights:
    return Weights(
        points={code: spec.points for code, spec in CATALOG.items()},
        combos={combo.name: combo.bonus for combo in COMBOS},
        thresholds=dict(DEFAULT_THRESHOLDS),
    )


def weights_load() -> Weights:
    """The weights in force: the admin's rows, and catalog defaults for codes without one."""
    weights = default_weights()
    for row in FlagWeight.objects.all():
        weights.points[row.code] = row.points if row.enabled else 0
    for row in ComboWeight.objects.all():
        weights.combos[row.name] = row.bonus if row.enabled else 0
    for row in LevelThreshold.objects.all():
        weights.thresholds[row.level] = row.min_score
    return weights


@dataclass(frozen=True)
class Scored:
    score: int
    level: str
    flags: list[dict]  # explained flags, strongest first, as stored and shown


def level_for(score: int, thresholds: dict[str, int]) -> str:
    level = "low"
    for name in LEVELS[1:]:
        if score >= thresholds.get(name, 10**9):
            level = name
    return level


def score_flags(flags: list[Flag], weights: Weights) -> Scored:
    by_family: dict[str, list[tuple[float, Flag]]] = defaultdict(list)
    notes: list[dict] = []
    for flag in flags:
        base = weights.points.get(flag.code, 0) * flag.multiplier
        if flag.spec.severity == INFO:
            notes.append(_explain(flag, 0))  # shown to the recruiter, never counted
            continue
        if base <= 0:
            continue  # disabled in the admin
        by_family[flag.spec.family].append((base, flag))

    explained: list[dict] = []
    total = 0.0
    for family, items in by_family.items():
        items.sort(key=lambda item: (-item[0], item[1].code))
        for rank, (base, flag) in enumerate(items):
            counted = base * weights.decay**rank
            total += counted
            explained.append(_explain(flag, round(counted)))

    counted_flags = [flag for items in by_family.values() for _, flag in items]
    present = {flag.code for flag in counted_flags} | {
        f"{flag.spec.family}:{flag.spec.severity}" for flag in counted_flags
    }
    for combo in COMBOS:
        bonus = weights.combos.get(combo.name, 0)
        together = combo.met(present) if bonus else None
        if together is not None:
            total += bonus
            explained.append({
                "code": f"combo.{combo.name}", "title": "Combination", "severity": "high",
                "points": bonus, "summary": combo.why,
                "evidence": {"together": together},
                "next_step": "Review the flags listed together before deciding.",
            })

    explained.sort(key=lambda item: (-item["points"], item["code"]))
    explained += sorted(notes, key=lambda item: item["code"])
    score = round(total)
    return Scored(score=score, level=level_for(score, weights.thresholds), flags=explained)


def _explain(flag: Flag, points: int) -> dict:
    spec = flag.spec
    return {
        "code": flag.code,
        "title": spec.title,
        "severity": spec.severity,
        "points": points,
        "summary": flag.summary,
        "evidence": flag.evidence,
        "next_step": spec.next_step,
        # The check's variant (e.g. 1.6 for reuse by five persons): with it the stored flags
        # can be scored again under other weights (signals.preview).
        "multiplier": flag.multiplier,
    }
