"""Imported by a test's Celery worker (`--include tests.signals.slow_check`): a check that
sleeps SLOW_CHECK_SECONDS, so that the test can kill the worker in the middle of a task."""

import os
import time

from signals.engine import CHECKS


def slow(snapshot, lookups):
    time.sleep(float(os.environ.get("SLOW_CHECK_SECONDS", "0")))
    return []


CHECKS["zz_slow"] = slow
