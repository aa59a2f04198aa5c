import pytest

from intel import ipranges, sanctions


@pytest.fixture(autouse=True)
def fresh_reference_indexes():
    """seed_demo imports the demo's range and sanctions samples; the in-memory indexes are
    per process, so none built from them may survive the test's rollback."""
    ipranges.index_reset()
    sanctions.index_reset()
    yield
    ipranges.index_reset()
    sanctions.index_reset()
