"""Precision and recall of the high/critical levels on the demo population.

The population (demo.population) has ground truth: honest applicants with their honest
look-alikes, and fraud rings. Everything is loaded through the same path as API traffic,
scored once all are in (the steady state the linked re-scoring reaches in production), and
compared with the labels. Run inside a transaction the caller rolls back.
"""

from dataclasses import dataclass, field

from candidates.models import Candidate, Integration
from candidates.serializers import CandidateInput
from candidates.services import candidate_upsert
from demo.population import FRAUD, demo_population
from signals.services import candidate_score

FLAGGED_LEVELS = ("high", "critical")


@dataclass
class Evaluation:
    seed: int
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0
    missed: list[str] = field(default_factory=list)  # personas of fraud not flagged
    false_alarms: list[str] = field(default_factory=list)  # personas of honest flagged

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        fraud = self.true_positives + self.false_negatives
        return self.true_positives / fraud if fraud else 1.0


def population_evaluate(*, seed: int, honest: int = 300, rings: int = 6) -> Evaluation:
    integration, _ = Integration.objects.get_or_create(name=f"evaluation-{seed}")
    labelled: dict[int, tuple[str, str]] = {}
    for applicant in demo_population(seed=seed, honest=honest, rings=rings):
        serializer = CandidateInput(data=applicant.payload)
        serializer.is_valid(raise_exception=True)
        candidate, _ = candidate_upsert(integration=integration, data=serializer.validated_data)
        labelled[candidate.pk] = (applicant.label, applicant.persona)
    for candidate_id in labelled:
        candidate_score(candidate_id=candidate_id)

    result = Evaluation(seed=seed)
    levels = dict(Candidate.objects.filter(pk__in=labelled).values_list("pk", "risk_level"))
    for candidate_id, (label, persona) in labelled.items():
        flagged = levels[candidate_id] in FLAGGED_LEVELS
        if label == FRAUD and flagged:
            result.true_positives += 1
        elif label == FRAUD:
            result.false_negatives += 1
            result.missed.append(persona)
        elif flagged:
            result.false_positives += 1
            result.false_alarms.append(persona)
        else:
            result.true_negatives += 1
    return result
