"""Reads of scoring's configuration for other apps (the review pages).

The level thresholds are what scoring maps a score to a level by (signals.scoring
weights_load reads the same rows); a page shows them next to the score ("283 · critical from
80") so the number has a scale.
"""

from django.core.cache import cache

from signals.catalog import DEFAULT_THRESHOLDS
from signals.models import LevelThreshold

THRESHOLDS_CACHE_KEY = "signals:level-thresholds"
# Thresholds change a few times a year, from the admin or a published draft (both forget the
# cached copy); the timeout only bounds what another process may hold after a change.
THRESHOLDS_CACHE_SECONDS = 300


def level_thresholds() -> dict[str, int]:
    """{"medium": 25, "high": 45, "critical": 80}: the score at which each level starts, as
    scoring uses them now (the admin's rows over the catalog's defaults). Cached."""

    def load() -> dict[str, int]:
        thresholds = dict(DEFAULT_THRESHOLDS)
        thresholds.update(LevelThreshold.objects.values_list("level", "min_score"))
        return thresholds

    return cache.get_or_set(THRESHOLDS_CACHE_KEY, load, THRESHOLDS_CACHE_SECONDS)


def level_thresholds_forget() -> None:
    """Called where the thresholds are written, so the next read sees the new values."""
    cache.delete(THRESHOLDS_CACHE_KEY)
