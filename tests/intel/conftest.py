from pathlib import Path

import pytest
from django.conf import settings

from intel import ipranges

# The real X4BNet lists and Astrill blocks (shared/, beside the clone; never copied into the
# repository). CI runs with shared/ there too, so these tests are not skipped.
SHARED_RANGES = Path(settings.BASE_DIR).parent / "shared" / "data" / "ip-ranges"


@pytest.fixture(autouse=True)
def fresh_range_index():
    """The range index is per process: start and end every test without one, so ranges a
    test imported (and rolled back) never answer another test's look-ups."""
    ipranges.index_reset()
    yield
    ipranges.index_reset()
