"""A publisher in a background thread: hands ids to the broker without ever blocking the
caller.

An API request (or a worker's linked re-scoring) must not wait for the broker. A refused
connection fails fast, but a broker that hangs (Redis stopped with SIGSTOP, a dropped
network path) holds a publish until its socket times out, and a sync gunicorn worker held
there answers nothing else. So the caller records the hand-off in its own transaction (the
candidate row, pending) and, after commit, only appends ids to this relay: a daemon thread of
the process publishes them with a short, bounded publish.

Dropping is safe and deliberate: when the broker fails, the relay drops what it holds and
pauses, and the sweep (signals/tasks.py) sends every candidate that was never published once
the broker is back. The relay makes the common case fast; the database row keeps it exact.
"""

import logging
import os
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


class Relay:
    """`publish(ids)` runs in the relay's thread, one batch at a time, and returns whether
    the broker took them all (having recorded those it took)."""

    def __init__(self, publish: Callable[[list[int]], bool], *, name: str,
                 on_idle: Callable[[], object] = lambda: None, idle_seconds: float = 5.0,
                 max_waiting: int = 10_000, pause_seconds: float = 5.0):
        self._publish = publish
        self._name = name
        # Run in the relay's thread once nothing came for idle_seconds after a batch (or when
        # someone drains): e.g. close the thread's database connection, kept between batches.
        self._on_idle = on_idle
        self._idle_seconds = idle_seconds
        self._max_waiting = max_waiting  # beyond this the broker is not keeping up: drop
        self._pause_seconds = pause_seconds  # after a failure, one attempt per pause at most
        self._reset()
        # A forked child (gunicorn and Celery prefork workers) starts with no thread and
        # with the parent's lock in whatever state it was: start afresh.
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._waiting: list[int] = []
        self._busy = False
        self._used = False  # a batch ran since on_idle last did
        self._draining = 0
        self._paused_until = 0.0
        self._thread: threading.Thread | None = None

    def submit(self, ids: list[int]) -> bool:
        """Queue ids for publishing. Never blocks on the broker. Returns False when they were
        dropped (the broker failed moments ago, or too many are waiting): the sweep sends them.
        """
        with self._lock:
            if time.monotonic() < self._paused_until:
                return False
            if len(self._waiting) + len(ids) > self._max_waiting:
                logger.warning("%s: %d ids waiting; %d left for the sweep", self._name,
                               len(self._waiting), len(ids))
                return False
            self._waiting.extend(ids)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._wake.notify_all()  # the relay thread, and never only a drain() waiter
        return True

    def drain(self, timeout: float) -> bool:
        """Wait until everything submitted was published or dropped and the thread went idle
        (on_idle ran); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            self._draining += 1
            self._wake.notify_all()
            try:
                while self._waiting or self._busy or self._used:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return False
                    self._wake.wait(min(remaining, 0.05))
            finally:
                self._draining -= 1
        return True

    def resume(self) -> None:
        """Forget a failure at once (the broker is known to be back; also for tests)."""
        with self._lock:
            self._paused_until = 0.0

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._waiting:
                    if not self._used:
                        self._wake.wait()
                    elif self._draining or not self._wake.wait(self._idle_seconds):
                        break  # idle
                batch, self._waiting = self._waiting, []
                self._busy = True
            if not batch:
                self._idle()
                continue
            try:
                taken = self._publish(batch)
            except Exception:  # the database, say: the sweep will find the batch unrecorded
                logger.exception("%s: publishing %d id(s) failed", self._name, len(batch))
                taken = False
            with self._lock:
                if not taken:
                    # The broker failed: drop what waits too, and do not try again for a
                    # moment, so that a hung broker costs this process one timeout per pause.
                    self._waiting = []
                    self._paused_until = time.monotonic() + self._pause_seconds
                self._busy = False
                self._used = True
                self._wake.notify_all()

    def _idle(self) -> None:
        try:
            self._on_idle()
        except Exception:
            logger.exception("%s: going idle failed", self._name)
        with self._lock:
            self._busy = self._used = False
            self._wake.notify_all()
