"""Garbage-collector settings for a run.

A run builds hundreds of thousands of small containers (the loaded YAML and its
position tables) that live until the end, and contain no reference cycles.  With the
default thresholds CPython's cyclic collector walks them again and again: on the
10,000-object benchmark workload that is about a quarter of the CPU time (measured:
4.0-4.6 s user with the defaults, 3.0-3.2 s with this; peak memory unchanged at
249 MB).  The collector stays on, with a large young generation, so a cycle made by
accident is still collected.

Once every file is loaded, the engine calls `settle()`: the loaded data is then never
scanned again either (it lives to the end of the run), so the collections that the
rules and the report trigger walk only what they allocate.  Without it, the few
older-generation collections of a run walk the whole loaded workload each time
(measured: 0.28 s of a 7 s run on the benchmark workload).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

YOUNG_GENERATION = 100_000
"""Allocations between two young collections (CPython's default is 700)."""


@dataclass
class Heap:
    """The collector settings of one run (see the module docstring)."""

    active: bool = False

    def settle(self) -> None:
        """Everything alive now lives to the end of the run: stop scanning it."""
        if self.active:
            gc.freeze()


@contextmanager
def few_collections() -> Iterator[Heap]:
    """Run the body with the objects alive now frozen and rare collections."""
    thresholds = gc.get_threshold()
    gc.freeze()  # the imported modules: never scanned again during the run
    gc.set_threshold(YOUNG_GENERATION, 50, 1000)
    heap = Heap(active=True)
    try:
        yield heap
    finally:
        heap.active = False
        gc.set_threshold(*thresholds)
        gc.unfreeze()
