"""Mutated real manifests: no traceback, no hang, no crashed rule, in every format.

Real Kubernetes and Compose files from the shared corpus are mutated the ways files
break in practice (truncated, a line dropped or duplicated, re-indented, a stray
character, a field retyped) and linted end to end by the engine with every rule on,
then rendered in every report format.  Each case has a time budget (SIGALRM), so a
hang fails the test with the case that caused it.  Hypothesis runs derandomized, so
the suite is reproducible.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, need_shared
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile_input import available_formats

from kubelint.cli import build_registry, settings_from_config
from kubelint.config import Config
from kubelint.engine import Engine
from kubelint.loader import load_stream
from kubelint.registry import Selection
from kubelint.reporters import ReportContext, renderer

CASE_BUDGET_SECONDS = 10  # a case takes ~0.1 s; this only catches hangs
SAMPLE_SIZE = 40
HOSTILE_SNIPPETS = (
    "\t",
    ":",
    ": ",
    "- ",
    "{",
    "}",
    "[",
    "]",
    "'",
    '"',
    "&a ",
    "*a",
    "<<: *a",
    "!!python/object:os.system ",
    "!custom ",
    "\ufeff",
    "{{ .Values.x }}",
    "\n---\n",
    "\r",
    "\\",
    "? ",
    "%",
    "@",
    "`",
    "\u2028",
    "9" * 400,
    "0x" + "f" * 300,
    "~",
)
WEIRD_VALUES: tuple[Any, ...] = (None, [], {}, 0, -1, 10**30, "", "x", True, [None], {"a": [1, {}]}, 1.5)


def _sample() -> list[str]:
    """Kubernetes and Compose files of the corpus, small ones, spread over projects."""
    index = os.path.join(need_shared(CORPUS), "INDEX.tsv")
    with open(index, encoding="utf-8") as handle:
        rows = [
            r
            for r in csv.DictReader(handle, delimiter="\t")
            if r["class"] in ("k8s", "compose") and int(r["bytes"]) < 12_000 and not r["parse_error"]
        ]
    rows.sort(key=lambda r: r["path"])
    step = max(1, len(rows) // SAMPLE_SIZE)
    return [r["path"] for r in rows[::step]]


@contextmanager
def time_budget(seconds: int, what: str) -> Iterator[None]:
    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"{what}: still running after {seconds} s (a hang?)")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _replace_at(data: Any, choice: int, value: Any) -> Any:
    """Replace the `choice`-th node (pre-order, modulo the count) by `value`."""
    nodes: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                nodes.append((node, k))
                walk(v)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                nodes.append((node, i))
                walk(v)

    walk(data)
    if nodes:
        parent, key = nodes[choice % len(nodes)]
        parent[key] = value
    return data


def mutate(text: str, op: str, a: int, b: int, snippet: str, weird: Any) -> str:
    lines = text.splitlines(keepends=True) or [""]
    i = a % len(lines)
    if op == "truncate":
        return text[: a % (len(text) + 1)]
    if op == "drop-line":
        return "".join(lines[:i] + lines[i + 1 :])
    if op == "duplicate-line":
        return "".join(lines[: i + 1] + [lines[i]] + lines[i + 1 :])
    if op == "indent":
        return "".join(lines[:i] + [" " * (b % 5) + lines[i]] + lines[i + 1 :])
    if op == "dedent":
        return "".join(lines[:i] + [lines[i].lstrip()] + lines[i + 1 :])
    if op == "swap-lines":
        j = b % len(lines)
        lines[i], lines[j] = lines[j], lines[i]
        return "".join(lines)
    if op == "insert":
        at = a % (len(text) + 1)
        return text[:at] + snippet + text[at:]
    # retype: a node of the parsed document becomes a value of another type
    documents = [d.data for d in load_stream(text).documents]
    if not documents:
        return text
    index = b % len(documents)
    documents[index] = _replace_at(documents[index], a, weird)
    return "".join(f"---\n{json.dumps(d)}\n" for d in documents)


REGISTRY = build_registry()
FORMATS = available_formats()


def lint_everything(path: Path) -> None:
    config = Config(root=str(path.parent))
    config.select = ["ALL"]
    config.render = "never"
    engine = Engine(
        registry=REGISTRY,
        config=config,
        selection=Selection(["ALL"], [], []),
        cwd=str(path.parent),
        settings=settings_from_config(config, str(path.parent), read_environment=False),
    )
    result = engine.run([path.name])
    crashed = [f"{f.file}: {f.message}" for f in result.findings if f.rule_id == "KL099"]
    assert not crashed, crashed
    for fmt in FORMATS:
        renderer(fmt)(result, ReportContext(registry=REGISTRY, cwd=str(path.parent)))


SAMPLE = _sample() if os.path.exists(CORPUS) else []
OPS = ("truncate", "drop-line", "duplicate-line", "indent", "dedent", "swap-lines", "insert", "retype")


@pytest.mark.skipif(not SAMPLE, reason="needs the shared corpus (../shared/corpus)")
@settings(
    max_examples=int(os.environ.get("KUBELINT_FUZZ_EXAMPLES", "120")),  # raise it for a longer hunt
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    source=st.sampled_from(SAMPLE or [""]),
    ops=st.lists(
        st.tuples(
            st.sampled_from(OPS),
            st.integers(0, 10**6),
            st.integers(0, 10**6),
            st.sampled_from(HOSTILE_SNIPPETS),
            st.sampled_from(WEIRD_VALUES),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_mutated_corpus_manifests(
    tmp_path_factory: pytest.TempPathFactory, source: str, ops: list[Any]
) -> None:
    with open(os.path.join(CORPUS, source), encoding="utf-8") as handle:
        text = handle.read()
    for op in ops:
        text = mutate(text, *op)
    directory = tmp_path_factory.mktemp("fuzz")
    path = directory / os.path.basename(source)  # keep the name: Compose files are known by it
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    what = f"{source} mutated by {[o[0] for o in ops]}"
    started = time.monotonic()
    with time_budget(CASE_BUDGET_SECONDS, what):
        lint_everything(path)
    assert time.monotonic() - started < CASE_BUDGET_SECONDS, what


def test_mutations_change_the_text() -> None:
    text = "a:\n  b: [1, 2]\nc: {d: e}\n"
    for op in OPS:
        assert mutate(text, op, 1, 2, "{", None) != text, op


def test_time_budget_fires() -> None:
    with pytest.raises(TimeoutError, match="hang"), time_budget(1, "sleeper"):
        time.sleep(3)
