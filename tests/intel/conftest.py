from pathlib import Path

import pytest
from django.conf import settings

from intel import ipranges

# Samples of the real X4BNet lists and the Astrill blocks, shipped with the tests (their
# source and licence: tests/data/ip-ranges/README.md); the full lists are for benchmarks.
SAMPLE_RANGES = Path(settings.BASE_DIR) / "tests" / "data" / "ip-ranges"


@pytest.fixture(autouse=True)
def fresh_range_index():
    """The range index is per process: start and end every test without one, so ranges a
    test imported (and rolled back) never answer another test's look-ups."""
    ipranges.index_reset()
    yield
    ipranges.index_reset()
