"""Precision and recall of the high/critical levels on the demo population.

The population (demo.population) has ground truth: honest applicants with their honest
look-alikes, and fraud rings; with `hard`, issue 10's confounders and tactics too.
Everything is loaded through the same path as API traffic (a payload the ATS contract
refuses is counted as rejected for evidence quality: it is never vetted), the personas an HR
lead already rejected are scored and rejected through the review workflow (so that what
the HR leads decided feeds back as it does in production), then every candidate is scored
once all are in, and those the scoring set back to pending (linked candidates) again, as the
workers would: the steady state production reaches. Then compared with the labels. Run
inside a transaction the caller rolls back.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from candidates.models import Candidate, Integration, RiskStatus
from candidates.serializers import CandidateInput
from candidates.services import candidate_upsert
from demo.population import (
    ASTRILL_BLOCKS,
    FRAUD,
    HONEST,
    RING_HOSTING_BLOCKS,
    VPN_EXIT_BLOCKS,
    DemoApplicant,
    demo_population,
)
from intel.ipranges import index_reset, ip_ranges_import
from review import roles
from review.services import review_escalate, review_reject
from signals.services import candidate_score

FLAGGED_LEVELS = ("high", "critical")
MEDIUM_PLUS = ("medium", "high", "critical")
RESCORE_ROUNDS = 3


@dataclass
class GroupCount:
    total: int = 0
    flagged: int = 0  # high or critical
    medium_plus: int = 0
    rejected: int = 0  # refused by the ATS contract (evidence quality): never vetted


@dataclass
class Evaluation:
    seed: int
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0
    missed: list[str] = field(default_factory=list)  # personas of fraud not flagged
    false_alarms: list[str] = field(default_factory=list)  # personas of honest flagged
    # (label, group) -> counts: per tactic (fraud) and per confounder (honest)
    groups: dict[tuple[str, str], GroupCount] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)  # personas rejected for evidence quality
    honest_medium_plus: int = 0
    ring_members: int = 0
    ring_linked: int = 0  # ring members whose flags name a ring-mate
    # (label, group, stored flags) of every scored applicant: what the draft-weights
    # preview scores drafts against (evaluate_scoring --store)
    cases: list[tuple[str, str, list]] = field(default_factory=list, repr=False)

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        fraud = self.true_positives + self.false_negatives
        return self.true_positives / fraud if fraud else 1.0

    @property
    def honest(self) -> int:
        return self.false_positives + self.true_negatives

    @property
    def linkage(self) -> float:
        return self.ring_linked / self.ring_members if self.ring_members else 1.0


def group_of(applicant: DemoApplicant) -> str:
    """The evaluation row: the hard population's group, else the persona's archetype."""
    if applicant.group:
        return applicant.group
    if applicant.label == HONEST:
        return applicant.persona.removeprefix("honest: ").split(" (")[0]
    return "ring: " + applicant.persona.split(": ", 1)[1].split(" (")[0]


def population_evaluate(*, seed: int, honest: int = 300, rings: int = 6,
                        hard: bool = False) -> Evaluation:
    integration, _ = Integration.objects.get_or_create(name=f"evaluation-{seed}")
    if hard:
        _ranges_import()
    result = Evaluation(seed=seed)
    labelled: dict[int, DemoApplicant] = {}
    decided: list[int] = []
    for applicant in demo_population(seed=seed, honest=honest, rings=rings, hard=hard):
        serializer = CandidateInput(data=applicant.payload)
        if not serializer.is_valid():
            _count_rejected(result, applicant)
            continue
        candidate, _ = candidate_upsert(integration=integration, data=serializer.validated_data)
        if applicant.decided:
            decided.append(candidate.pk)
        else:
            labelled[candidate.pk] = applicant
    _reject_as_fraud(decided)
    for candidate_id in labelled:
        candidate_score(candidate_id=candidate_id)
    # What the workers do next: the candidates a first scoring (or a decision) set back to
    # pending are scored again, until none is left (a few rounds: links are short).
    for _ in range(RESCORE_ROUNDS):
        pending = list(Candidate.objects.filter(pk__in=labelled, risk_status=RiskStatus.PENDING)
                       .values_list("pk", flat=True))
        if not pending:
            break
        for candidate_id in pending:
            candidate_score(candidate_id=candidate_id)

    rows = Candidate.objects.filter(pk__in=labelled).values_list("pk", "risk_level", "risk_flags")
    ring_of = {pk: a.ring for pk, a in labelled.items()} | {pk: "decided" for pk in decided}
    for candidate_id, level, flags in rows:
        applicant = labelled[candidate_id]
        _count(result, applicant, level, flags, ring_of)
    if hard:
        index_reset()  # the range lists go with the caller's rollback: no stale index
    return result


def _ranges_import() -> None:
    """The IP range lists production imports (intel.ipranges), as far as the population
    uses them: the commercial VPN exits, the Astrill blocks and the cloud ranges rings tunnel
    through. Without them the network check sees nothing, which no deployment is. The
    import is rolled back with the evaluation; the process's range index is dropped now
    (its after-commit reset never runs) and again by the caller's rollback handling."""
    hosting = [b for b in RING_HOSTING_BLOCKS if b not in ASTRILL_BLOCKS]
    for category, blocks in (("vpn", VPN_EXIT_BLOCKS), ("astrill", ASTRILL_BLOCKS),
                             ("datacenter", hosting)):
        ip_ranges_import(category=category, lines=blocks, source="demo.population",
                         actor="demo:evaluation")
    index_reset()


def _count_rejected(result: Evaluation, applicant: DemoApplicant) -> None:
    result.rejected.append(applicant.persona)
    row = result.groups.setdefault((applicant.label, group_of(applicant)), GroupCount())
    row.total += 1
    row.rejected += 1
    if applicant.label == FRAUD:  # never vetted: a miss
        result.false_negatives += 1
        result.missed.append(applicant.persona + " [rejected by the API]")
    else:
        result.true_negatives += 1


def _count(result: Evaluation, applicant: DemoApplicant, level: str, flags: list,
           ring_of: dict[int, str | None]) -> None:
    flagged = level in FLAGGED_LEVELS
    result.cases.append((applicant.label, group_of(applicant), flags))
    row = result.groups.setdefault((applicant.label, group_of(applicant)), GroupCount())
    row.total += 1
    row.flagged += flagged
    row.medium_plus += level in MEDIUM_PLUS
    if applicant.label == FRAUD:
        if flagged:
            result.true_positives += 1
        else:
            result.false_negatives += 1
            result.missed.append(applicant.persona)
        result.ring_members += 1
        mates = {other for other in _named_ids(flags)
                 if ring_of.get(other) in (applicant.ring, "decided")}
        result.ring_linked += bool(mates)
        return
    result.honest_medium_plus += level in MEDIUM_PLUS
    if flagged:
        result.false_positives += 1
        result.false_alarms.append(applicant.persona)
    else:
        result.true_negatives += 1


def _named_ids(value) -> set[int]:
    """Every candidate id a flag's evidence names (`{"id": ...}` anywhere in it)."""
    found: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("id"), int):
                found.add(item["id"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _reject_as_fraud(candidate_ids: list[int]) -> None:
    """What an HR lead did before the others applied: escalated by one, rejected as fraud
    by another (maker-checker), through the review workflow's own services."""
    if not candidate_ids:
        return
    users = get_user_model().objects
    maker, _ = users.get_or_create(username="evaluation-maker")
    checker, _ = users.get_or_create(username="evaluation-checker")
    for user in (maker, checker):
        roles.user_role_set(user=user, role=roles.HR_LEAD)
    for candidate_id in candidate_ids:
        candidate_score(candidate_id=candidate_id)
        review_escalate(candidate_id=candidate_id, actor=maker, reason_code="identity_ring",
                        comment="Evaluation: known fraud persona.")
        review_reject(candidate_id=candidate_id, actor=checker, reason_code="fraud_confirmed",
                      comment="Evaluation: rejected as fraud before the others applied.")


def evaluations_total(results: list[Evaluation]) -> Evaluation:
    """The sum over seeds (seed 0)."""
    total = Evaluation(seed=0)
    for result in results:
        for name in ("true_positives", "false_positives", "false_negatives", "true_negatives",
                     "honest_medium_plus", "ring_members", "ring_linked"):
            setattr(total, name, getattr(total, name) + getattr(result, name))
        total.missed += result.missed
        total.false_alarms += result.false_alarms
        total.rejected += result.rejected
        for key, row in result.groups.items():
            into = total.groups.setdefault(key, GroupCount())
            for name in ("total", "flagged", "medium_plus", "rejected"):
                setattr(into, name, getattr(into, name) + getattr(row, name))
    return total


def evaluation_markdown(*, calibration: list[int], report: list[Evaluation]) -> str:
    """The evaluation section of docs/scoring.md: the report seeds' figures (the weights
    were calibrated on the calibration seeds, never on these)."""
    total = evaluations_total(report)
    seeds = ", ".join(str(r.seed) for r in report)
    calibrated = ", ".join(str(seed) for seed in calibration) or "(not stated)"
    lines = [
        "## Evaluation\n",
        "<!-- Generated by `python manage.py evaluate_scoring --write-docs`. Do not edit. -->\n",
        f"Demo populations with issue 10's confounders and tactics (`demo_population(hard="
        f"True)`), reported on seeds {seeds}; the default weights were calibrated on seeds "
        f"{calibrated} only. High or critical counts as flagged.\n",
        "| figure | value |", "|---|---|",
        f"| precision at high+critical | {total.precision:.3f} |",
        f"| recall at high+critical | {total.recall:.3f} |",
        "| honest applicants at medium or above | "
        f"{_share(total.honest_medium_plus, total.honest)} |",
        "| ring members linked to a ring-mate | "
        f"{_share(total.ring_linked, total.ring_members)} |",
        f"| applicants rejected for evidence quality | {len(total.rejected)} |",
        "",
        "Per tactic (fraud):\n",
        "| tactic | applicants | recall at high+critical | rejected by the API |",
        "|---|---|---|---|",
    ]
    groups = defaultdict(dict)
    for (label, group), row in sorted(total.groups.items()):
        groups[label][group] = row
    for group, row in groups[FRAUD].items():
        lines.append(f"| {group} | {row.total} | {_share(row.flagged, row.total)} | "
                     f"{row.rejected} |")
    lines += ["", "Per confounder (honest):\n",
              "| confounder | applicants | false positives (high+critical) | at medium+ | "
              "rejected by the API |", "|---|---|---|---|---|"]
    for group, row in groups[HONEST].items():
        lines.append(f"| {group} | {row.total} | {_share(row.flagged, row.total)} | "
                     f"{_share(row.medium_plus, row.total)} | {row.rejected} |")
    return "\n".join(lines) + "\n"


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.1%})" if whole else "0/0"
