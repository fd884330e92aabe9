"""Seconds per stage of a build or an add, for report.md and the benchmarks; and the
cycle collector paused while a stage makes millions of objects that all stay alive.

In: named stages, timed with `with stopwatch.stage("resolve"): ...`. Out: `seconds`, the
seconds of each stage in the order the stages first ran.
"""

from __future__ import annotations

import gc
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


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off meanwhile. Building a corpus's records, tables and graph
    makes millions of tuples, lists and dicts that all stay alive: the collector's passes
    over them (a quarter of those stages' time at 100,000 papers) find nothing to free."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
