"""Loading and rule evaluation in several processes, with the output of a single one.

`run_sharded` deals work out to `jobs` shards: shard 0 runs here, the others in
forked children, whose results come back pickled.  Loading
(kubelint/file_loading.py) shards the files; the loaded run then comes together in
this process (cross-resource rules need every object).  For the rules, the
manifests are dealt out again: the children share the loaded data with this process
copy-on-write instead of receiving it pickled, and each shard returns its findings
with the index of the manifest they belong to; the engine merges them in manifest
order, so suppressions, ordering and the report are exactly those of a serial run.

A child that fails for any reason (killed, out of memory, an unpicklable value) has
its shard evaluated again here, so --jobs never changes what is reported.  Where
`fork` is not available (Windows, some macOS set-ups) everything runs serially.

Rules must therefore not keep "already reported" state in `ctx.cache`: each shard
has its own copy of the cache.  Caches of values derived from the run (indexes,
compiled schemas) are fine, and are what the cache is for.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # multiprocessing is imported only when a run forks (~30 ms of start-up)
    from multiprocessing.connection import Connection

T = TypeVar("T")

AUTO_MIN_MANIFESTS = 1000
"""Below this many manifests `--jobs auto` stays in one process: forking and merging
cost more than they save (measured with bench/run.py; see README "Benchmark")."""

MAX_AUTO_JOBS = 8


class JobsError(ValueError):
    """A --jobs value that is neither a positive number nor `auto`."""


def parse_jobs(text: str | int | None) -> int | None:
    """A number of processes, or None for `auto`."""
    if text is None or (isinstance(text, str) and text.strip().lower() == "auto"):
        return None
    try:
        value = int(text)
    except ValueError:
        raise JobsError("--jobs: expected a number of processes or auto") from None
    if value < 1:
        raise JobsError("--jobs: expected a number of processes (1 or more) or auto")
    return value


def fork_available() -> bool:
    return hasattr(os, "fork")  # what multiprocessing's "fork" start method needs


def choose_jobs(requested: int | None, items: int, *, minimum: int = AUTO_MIN_MANIFESTS) -> int:
    """Processes to use for `items` pieces of work: the requested number, or for auto
    all cores from `minimum` items up."""
    if not fork_available() or items < 2:
        return 1
    if requested is not None:
        return max(1, min(requested, items))
    if items < minimum:
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_AUTO_JOBS))


def _child(
    work: Callable[[int, int], Any], shard: int, shards: int, send: Connection, encode: Callable[[Any], bytes]
) -> None:
    try:
        send.send_bytes(b"+" + encode(work(shard, shards)))
    except BaseException:  # reported by redoing the shard in the parent
        with contextlib.suppress(Exception):
            send.send_bytes(b"-")
    finally:
        send.close()


def run_sharded(
    work: Callable[[int, int], T],
    shards: int,
    *,
    encode: Callable[[Any], bytes] = pickle.dumps,
    decode: Callable[[bytes], Any] = pickle.loads,
) -> list[T]:
    """work(shard, shards) for every shard, in shard order; shard 0 runs here.

    The children's results come back through `encode` and `decode` (pickle)."""
    if shards <= 1 or not fork_available():
        return [work(0, 1)]
    import multiprocessing

    context = multiprocessing.get_context("fork")
    frozen_before = gc.get_freeze_count()
    gc.freeze()  # children then do not touch (and copy) the loaded data's GC headers
    children: list[tuple[int, Any, Connection]] = []
    try:
        for shard in range(1, shards):
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(work, shard, shards, send, encode), daemon=True)
            try:
                process.start()
            except OSError:  # cannot fork (process limit): do the shard here
                receive.close()
                send.close()
                children.append((shard, None, receive))
                continue
            send.close()
            children.append((shard, process, receive))
        results: dict[int, T] = {0: work(0, shards)}
        for shard, process, receive in children:
            received: tuple[bool, Any] = (False, None)
            if process is not None:
                with contextlib.suppress(Exception):  # EOF, a broken pipe, a value decode refuses
                    message = receive.recv_bytes()
                    if message[:1] == b"+":
                        received = (True, decode(message[1:]))
                receive.close()
                process.join()
            results[shard] = received[1] if received[0] else work(shard, shards)
        return [results[s] for s in range(shards)]
    finally:
        for _, process, _ in children:
            if process is not None and process.is_alive():
                process.kill()
                process.join()
        if not frozen_before:  # else the caller froze the heap, and thaws it
            gc.unfreeze()
