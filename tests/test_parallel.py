"""--jobs: several processes give exactly the output of one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kubelint.parallel import (
    AUTO_MIN_MANIFESTS,
    JobsError,
    choose_jobs,
    fork_available,
    parse_jobs,
    run_sharded,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from workload import generate  # noqa: E402

needs_fork = pytest.mark.skipif(not fork_available(), reason="no fork on this platform")


def _check(paths: list[str], *options: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "kubelint", "check", "--no-config", *options, *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


@needs_fork
@pytest.mark.parametrize("fmt", ["json", "text"])
def test_parallel_output_is_identical_to_serial(tmp_path: pytest.TempPathFactory, fmt: str) -> None:
    workload = generate(str(tmp_path / "w"), scale=0.05)  # type: ignore[operator]
    paths = [workload.root, os.path.join(ROOT, "examples")]
    serial = _check(paths, "-f", fmt, "--jobs", "1")
    assert serial[0] == 1 and serial[1]
    for jobs in ("2", "3"):
        assert _check(paths, "-f", fmt, "--jobs", jobs) == serial


@needs_fork
def test_parallel_output_is_identical_on_the_corpus() -> None:
    from conftest import CORPUS, need_shared

    corpus = need_shared(CORPUS)
    serial = _check([corpus], "-f", "json", "--jobs", "1", "--no-render")
    assert _check([corpus], "-f", "json", "--jobs", "2", "--no-render") == serial


def test_jobs_values() -> None:
    assert parse_jobs("auto") is None and parse_jobs(None) is None
    assert parse_jobs("3") == 3
    for bad in ("0", "-1", "many"):
        with pytest.raises(JobsError):
            parse_jobs(bad)
    assert choose_jobs(None, AUTO_MIN_MANIFESTS - 1) == 1  # small runs stay in one process
    assert choose_jobs(4, 1) == 1
    code, out, err = _check(["examples"], "--jobs", "zero")
    assert (code, out) == (2, "") and err == "kubelint: --jobs: expected a number of processes or auto\n"


@needs_fork
def test_a_failed_child_has_its_shard_redone_here() -> None:
    parent = os.getpid()

    def work(shard: int, shards: int) -> tuple[int, int]:
        if shard == 1 and os.getpid() != parent:
            os._exit(3)  # a child dies without answering
        if shard == 2 and os.getpid() != parent:
            raise RuntimeError("a bug in a child")
        return shard, shards

    assert run_sharded(work, 4) == [(0, 4), (1, 4), (2, 4), (3, 4)]


def test_loaded_files_cross_between_processes_unchanged(tmp_path: pytest.TempPathFactory) -> None:
    """What a loading child sends back: the same data, every position, the same rules."""
    from kubelint.discovery import Candidate
    from kubelint.file_loading import _decode, _encode, load_candidate

    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\n"
        "base: &base {a: 1, b: [x, {c: 2}]}\n"
        "merged:\n  <<: *base\n  b: own\n"
        "again: *base\n"
        "dup: 1\ndup: 2\n"
        "---\n"
        "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n"
    )
    path = tmp_path / "x.yaml"  # type: ignore[operator]
    path.write_text(text)
    original = load_candidate(Candidate("x.yaml", str(path)), 10**6, False)
    copy = _decode(_encode([load_candidate(Candidate("x.yaml", str(path)), 10**6, False)]))[0]
    assert copy.source.text == original.source.text
    assert original.classified is not None and copy.classified is not None
    assert [d.rule for d in copy.classified.diagnostics] == [d.rule for d in original.classified.diagnostics]
    assert {d.rule.id for d in copy.classified.diagnostics} >= {"KL002"}  # the duplicate key

    def spans(manifest: object, data: object, path: tuple[object, ...] = ()) -> list[object]:
        found = [manifest.span(path), manifest.span(path, key=True) if path else None]  # type: ignore[attr-defined]
        items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
        for key, value in items:
            found += spans(manifest, value, (*path, key))
        return found

    pairs = list(zip(original.classified.manifests, copy.classified.manifests, strict=True))
    assert len(pairs) == 2
    for before, after in pairs:
        assert after.data == before.data
        assert spans(after, after.data) == spans(before, before.data)
        assert after.doc.positions.find(("items", 0, "metadata", "name")) == before.doc.positions.find(
            ("items", 0, "metadata", "name")
        )


def test_progress_bar_only_for_a_person_watching_a_long_run() -> None:
    import io

    from kubelint.progress import progress_bar, wanted

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert not wanted(io.StringIO(), {})
    assert wanted(Terminal(), {})
    assert not wanted(Terminal(), {"CI": "true"})
    with progress_bar(io.StringIO()) as callback:
        assert callback is None
    now = [0.0]
    screen = Terminal()
    if os.environ.get("CI") or os.environ.get("TERM") == "dumb" or os.environ.get("KUBELINT_NO_PROGRESS"):
        pytest.skip("progress is switched off in this environment")
    with progress_bar(screen, clock=lambda: now[0]) as callback:
        assert callback is not None
        callback(1, 100)  # quick so far: nothing shown, rich not needed
        assert screen.getvalue() == ""
        now[0] = 2.0
        callback(50, 100)
        callback(100, 100)
    assert "100" in screen.getvalue()
