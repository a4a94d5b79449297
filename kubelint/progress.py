"""A progress bar on standard error for long runs, only when a person is watching.

Silent when stderr is not a terminal (CI, pre-commit, pipes, files), when `CI` is
set, or for `TERM=dumb`; and silent for runs that finish quickly: the bar (and the
import of rich) only appears once loading has taken longer than DELAY seconds.
Standard output, where the report goes, is never touched.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

DELAY = 0.5
"""Seconds of loading before a bar appears."""

Callback = Callable[[int, int], None]


def wanted(stream: TextIO, environ: dict[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if env.get("CI") or env.get("TERM") == "dumb" or env.get("KUBELINT_NO_PROGRESS"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _Bar:
    def __init__(self, stream: TextIO, clock: Callable[[], float]) -> None:
        self.stream = stream
        self.clock = clock
        self.started = clock()
        self.progress: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.progress is None:
            if self.clock() - self.started < DELAY or done >= total:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(
                TextColumn("loading"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=self.stream),
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("loading", total=total)
        self.progress.update(self.task, completed=done, total=total)
        if done >= total:
            # Loading is over: stop the bar (and rich's refresh thread) before the
            # rules run, which may fork (parallel.py).
            self.close()

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


@contextmanager
def progress_bar(stream: TextIO, *, clock: Callable[[], float] = time.monotonic) -> Iterator[Callback | None]:
    """A callback for Engine.progress, or None when no bar should be shown."""
    if not wanted(stream):
        yield None
        return
    bar = _Bar(stream, clock)
    try:
        yield bar
    finally:
        bar.close()
