"""Precision and recall of the high/critical levels on demo populations of several seeds.

The weights were set from the public reporting, not tuned to these seeds; the thresholds
below are the product's promise: few honest applicants held up, most rings caught.
"""

import pytest

from demo.evaluation import population_evaluate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", [3, 1009, 777777])
def test_high_and_critical_levels_catch_rings_and_spare_honest_applicants(seed):
    result = population_evaluate(seed=seed, honest=150, rings=4)
    assert result.true_positives + result.false_negatives >= 12  # rings are there
    assert result.precision >= 0.9, result.false_alarms
    assert result.recall >= 0.8, result.missed


def test_the_hard_population_reports_every_tactic_confounder_and_evidence_rejections():
    """Issue 10's confounders and tactics: duplicates and joint couples are not flagged, the
    quiet personas and the reuse of a rejected fraudster's details are, every ring member is
    counted for linkage, and payloads the ATS contract refuses (national-format phones) are
    counted as rejected for evidence quality until messy evidence is stored leniently."""
    result = population_evaluate(seed=5, honest=100, rings=2, hard=True)
    groups = {group: row for (_, group), row in result.groups.items()}
    for group in ("duplicate", "joint couple", "co-working IP", "late GitHub joiner",
                  "nomad on VPN with payout service", "relocated, national-format phone",
                  "paraphrased template", "quiet persona", "front company", "known-bad reuse"):
        assert groups[group].total > 0, group
    assert groups["duplicate"].flagged == 0 and groups["joint couple"].flagged == 0
    assert groups["quiet persona"].flagged == groups["quiet persona"].total
    assert groups["known-bad reuse"].flagged == groups["known-bad reuse"].total
    assert all(persona.startswith("honest: relocated") for persona in result.rejected)
    assert result.ring_members > 0 and result.linkage >= 0.8
    assert result.precision >= 0.95, result.false_alarms
