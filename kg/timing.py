"""Seconds per stage of a build or an add, for report.md and the benchmarks.

In: named stages, timed with `with stopwatch.stage("resolve"): ...`. Out: `seconds`, the
seconds of each stage in the order the stages first ran.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.seconds: dict[str, float] = {}

    def total(self) -> float:
        """Seconds since the stopwatch was made."""
        return time.perf_counter() - self.started

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started)

    def add(self, name: str, seconds: float) -> None:
        """Seconds timed elsewhere (in another process) for the stage `name`."""
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds
