"""The score: weights, diminishing returns within a family, combinations, levels."""

import pytest

from signals.engine import Flag
from signals.scoring import default_weights, level_for, score_flags, weights_load


def flag(code, multiplier=1.0):
    return Flag(code=code, summary=f"{code} summary", evidence={"x": 1}, multiplier=multiplier)


class TestScoreFlags:
    def test_it_adds_points_of_different_families(self):
        scored = score_flags([flag("reuse.phone"), flag("email.disposable")], default_weights())
        assert scored.score == 35 + 20
        assert [f["code"] for f in scored.flags] == ["reuse.phone", "email.disposable"]

    def test_it_gives_diminishing_returns_within_a_family(self):
        flags = [flag("reuse.ip"), flag("reuse.ip"), flag("reuse.ip"), flag("reuse.ip")]
        scored = score_flags(flags, default_weights())
        # 6 + 3 + 1.5 + 0.75: four shared IPs stay weaker than one shared phone
        assert scored.score == round(6 + 3 + 1.5 + 0.75)
        assert scored.score < default_weights().points["reuse.phone"]

    def test_it_applies_the_flag_multiplier(self):
        scored = score_flags([flag("reuse.phone", multiplier=1.6)], default_weights())
        assert scored.score == 56

    def test_strong_combinations_weigh_more_than_their_sum(self):
        weights = default_weights()
        apart = (score_flags([flag("shipping.shared_address")], weights).score
                 + score_flags([flag("reuse.bank_account")], weights).score)
        together = score_flags([flag("shipping.shared_address"), flag("reuse.bank_account")],
                               weights)
        assert together.score == apart + weights.combos["laptop_farm_ring"]
        assert "combo.laptop_farm_ring" in [f["code"] for f in together.flags]

    def test_a_weak_reuse_flag_does_not_complete_a_combination(self):
        scored = score_flags([flag("shipping.shared_address"), flag("reuse.ip")],
                             default_weights())
        assert not any(f["code"].startswith("combo.") for f in scored.flags)

    def test_it_explains_every_flag(self):
        scored = score_flags([flag("payment.crypto")], default_weights())
        explained = scored.flags[0]
        assert set(explained) == {"code", "title", "severity", "points", "summary", "evidence",
                                  "next_step", "multiplier"}  # multiplier: issue 10's preview
        assert explained["next_step"] and explained["title"]

    def test_a_disabled_flag_counts_nothing(self):
        weights = default_weights()
        weights.points["payment.crypto"] = 0
        assert score_flags([flag("payment.crypto")], weights).flags == []

    # Issue 10's recalibration: medium starts at 25, so one moderate signal (20) stays low.
    @pytest.mark.parametrize("score, level", [(0, "low"), (20, "low"), (24, "low"),
                                              (25, "medium"), (44, "medium"), (45, "high"),
                                              (80, "critical")])
    def test_it_maps_scores_to_levels_by_threshold(self, score, level):
        assert level_for(score, default_weights().thresholds) == level


@pytest.mark.django_db
class TestEditableWeights:
    def test_migrate_creates_a_weight_row_for_every_catalog_flag(self):
        from signals.catalog import CATALOG
        from signals.models import FlagWeight, LevelThreshold

        assert set(FlagWeight.objects.values_list("code", flat=True)) == set(CATALOG)
        assert LevelThreshold.objects.count() == 3

    def test_edited_weights_are_used_and_change_the_digest(self):
        from signals.models import FlagWeight, LevelThreshold

        before = weights_load()
        FlagWeight.objects.filter(code="phone.voip").update(points=50)
        LevelThreshold.objects.filter(level="high").update(min_score=60)
        after = weights_load()
        assert after.points["phone.voip"] == 50
        assert after.thresholds["high"] == 60
        assert after.digest != before.digest
