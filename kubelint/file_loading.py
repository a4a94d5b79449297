"""Reading, parsing and classifying the input files, in one process or several.

Parsing is a third to a half of a large run.  With several processes, the files are
dealt out round-robin: this process loads its share while forked children load
theirs and send back what they classified, pickled; the results are put back in
file order, so the run continues exactly as if one process had read every file.

Rules travel by id (the receiving side has the same rule objects) and position
tables as their containers and entries (`PositionMap.__getstate__`).
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kubelint import diagnostics as diag
from kubelint.classify import Classified, classify
from kubelint.discovery import Candidate, read_text
from kubelint.loader import load_stream
from kubelint.model import SourceFile
from kubelint.rule import Rule

AUTO_MIN_FILES = 400
"""Below this many files `--jobs auto` loads in one process: forking and sending the
results back cost tens of milliseconds, about what loading a few hundred small files
takes (a pre-commit run on the changed files stays in one process)."""


@dataclass(slots=True)
class LoadedFile:
    """One input file after loading: classified, or why it was not."""

    source: SourceFile
    classified: Classified | None = None
    unreadable: str | None = None  # why the file could not be read
    crashed: str | None = None  # the exception type, when loading it failed (a bug)


def load_source(source: SourceFile, chart_template: bool = False) -> LoadedFile:
    """Parse and classify one file's text; never raises."""
    try:
        return LoadedFile(
            source, classify(source, load_stream(source.text), is_chart_template=chart_template)
        )
    except Exception as error:  # a bug on one file must not stop the run
        return LoadedFile(source, crashed=type(error).__name__)


def load_candidate(candidate: Candidate, max_size: int, chart_template: bool) -> LoadedFile:
    read = read_text(candidate, max_size=max_size)
    if read.text is None:
        return LoadedFile(SourceFile(candidate.display, "", candidate.absolute), unreadable=read.problem)
    return load_source(SourceFile(candidate.display, read.text, candidate.absolute), chart_template)


def choose_load_jobs(requested: int | None, candidates: Sequence[Candidate]) -> int:
    """Processes for loading: as for the rules (parallel.choose_jobs), by file count."""
    from kubelint.parallel import choose_jobs

    if any(c.absolute is None for c in candidates):
        return 1  # standard input can be read by this process only
    if requested is None and len(candidates) < AUTO_MIN_FILES:
        return 1
    return choose_jobs(requested, len(candidates), minimum=0)


def load_candidates(
    candidates: Sequence[Candidate],
    chart_templates: Sequence[bool],
    *,
    max_size: int,
    jobs: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[LoadedFile]:
    """Every candidate loaded, in order, with `jobs` processes."""
    total = len(candidates)

    def work(shard: int, shards: int) -> list[LoadedFile]:
        out = []
        for number in range(shard, total, shards):
            if progress and shard == 0:
                progress(number, total)
            out.append(load_candidate(candidates[number], max_size, chart_templates[number]))
        return out

    from kubelint.parallel import run_sharded

    shards = run_sharded(work, jobs, encode=_encode, decode=_decode)
    if len(shards) == 1:
        return shards[0]
    ordered: list[LoadedFile] = [None] * total  # type: ignore[list-item]
    for shard, loaded in enumerate(shards):
        ordered[shard :: len(shards)] = loaded
    return ordered


def _encode(loaded: list[LoadedFile]) -> bytes:
    # Rules travel by id: the receiving process has the same rule objects.
    for item in loaded:
        for d in item.classified.diagnostics if item.classified else ():
            d.rule = d.rule.id  # type: ignore[assignment]
    return pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL)


def _decode(data: bytes) -> list[LoadedFile]:
    rules = {r.id: r for r in vars(diag).values() if isinstance(r, Rule)}
    loaded: list[LoadedFile] = pickle.loads(data)
    for item in loaded:
        for d in item.classified.diagnostics if item.classified else ():
            d.rule = rules[d.rule]  # type: ignore[index]
    return loaded
