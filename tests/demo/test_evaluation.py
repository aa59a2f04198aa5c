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
