"""Hostile and broken input: no traceback, no hang, no lost file, in every format.

The corpus of cases is tests/hostile_cases.py.  Each case is linted on its own (so a
hang or crash names the file) and all of them together, with every output format.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_cases import TEXT_CASES, restore_permissions, write_hostile_tree

from kubelint.loader import MAX_SYNTAX_ERRORS, load_stream
from kubelint.reporters import FORMATS

PER_RUN_SECONDS = 20  # generous for a loaded CI machine; each case takes well under 1 s


def available_formats() -> list[str]:
    """Every format the CLI offers whose reporter exists (others may land later)."""
    import importlib.util

    return [f for f in FORMATS if importlib.util.find_spec(f"kubelint.reporters.{f}_report") is not None]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR", "KUBELINT_DEBUG")}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "kubelint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=PER_RUN_SECONDS * 3,
        check=False,
    )
    elapsed = time.monotonic() - started
    assert elapsed < PER_RUN_SECONDS, f"kubelint {' '.join(args)} took {elapsed:.1f} s"
    return done


def assert_no_crash(done: subprocess.CompletedProcess[str], what: str) -> None:
    assert "Traceback" not in done.stderr + done.stdout, f"{what}: traceback\n{done.stderr}"
    assert "internal error" not in done.stderr, f"{what}: {done.stderr}"
    # (SARIF lists every selected rule's descriptor, KL099 included: look for results.)
    crashed = '"ruleId": "KL099"' in done.stdout if '"$schema"' in done.stdout else "KL099" in done.stdout
    assert not crashed, f"{what}: a rule crashed\n{done.stdout}"
    assert done.returncode in (0, 1), f"{what}: exit {done.returncode}\n{done.stderr}"


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[str]]]:
    root = tmp_path_factory.mktemp("hostile") / "cases"
    names = write_hostile_tree(root)
    yield root, names
    restore_permissions(root)


@pytest.mark.parametrize("fmt", available_formats())
def test_whole_tree_every_format(tree: tuple[Path, list[str]], fmt: str) -> None:
    root, names = tree
    done = run("check", ".", "--no-config", "-f", fmt, cwd=root)
    assert_no_crash(done, f"-f {fmt}")
    assert done.stdout, "no report at all"
    if fmt == "json":
        report = json.loads(done.stdout)
        reported = {f["file"] for f in report["findings"]}
        # No lost file: every case says something about itself, except valid
        # manifests with nothing wrong and YAML that is no manifest (KL007 is opt-in).
        quiet_by_design = {
            "scalar-doc.yaml",
            "list-doc.yaml",
            "alias-recursive-merge.yaml",
            "long-line.yaml",
            "hex-octal.yaml",
            "many-documents.yaml",
            "directive.yaml",
        }
        lost = [
            n
            for n in names
            if n not in quiet_by_design
            and not any(r == n or r.startswith(n.rstrip("/") + "/") for r in reported)
        ]
        assert not lost, f"files with no finding or message: {lost}"


@pytest.mark.parametrize("name", sorted(TEXT_CASES))
def test_each_case_alone(tree: tuple[Path, list[str]], name: str) -> None:
    """In-process (fast), every format at once through --report, every rule on."""
    from typer.testing import CliRunner

    from kubelint.cli import app

    root, _ = tree
    reports = [f"--report={fmt}={root.parent / (name + '.' + fmt)}" for fmt in available_formats()]
    cwd = os.getcwd()
    os.chdir(root)
    try:
        started = time.monotonic()
        done = CliRunner().invoke(app, ["check", name, "--no-config", "--select", "ALL", *reports])
        elapsed = time.monotonic() - started
    finally:
        os.chdir(cwd)
    assert done.exception is None or isinstance(done.exception, SystemExit), repr(done.exception)
    assert done.exit_code in (0, 1), done.output
    assert "KL099" not in done.output, done.output
    assert elapsed < PER_RUN_SECONDS / 4, f"{name}: {elapsed:.1f} s"


def test_special_files_named_on_the_command_line(tree: tuple[Path, list[str]]) -> None:
    root, names = tree
    special = [n for n in ("fifo.yaml", "link-a.yaml", "loop/self.yaml", "broken-link.yaml") if n in names]
    done = run("check", *special, "no-such-file.yaml", "--no-config", "-f", "json", cwd=root)
    assert_no_crash(done, "special files")
    messages = {f["file"]: f["message"] for f in json.loads(done.stdout)["findings"]}
    assert "named pipe" in messages.get("fifo.yaml", "named pipe")
    assert "loop" in messages["link-a.yaml"]
    assert "broken symbolic link" in messages["broken-link.yaml"]
    assert "no such file" in messages["no-such-file.yaml"]


def test_stdin_binary_and_empty(tmp_path: Path) -> None:
    for data in (b"", b"\x00\x01\x02binary", b"\xff\xfe\x00", b"a: [\n"):
        done = subprocess.run(
            [sys.executable, "-m", "kubelint", "check", "-", "--no-config", "-f", "json"],
            cwd=tmp_path,
            input=data,
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert done.returncode in (0, 1), done.stderr
        assert b"Traceback" not in done.stderr


def test_size_limit_is_a_clear_message_without_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:  # sparse: 100 MB that costs no disk and no time
        handle.truncate(100 * 1024 * 1024)
    done = run("check", "big.yaml", "--no-config", "-f", "json", cwd=tmp_path)
    assert_no_crash(done, "100 MB file")
    [finding] = json.loads(done.stdout)["findings"]
    assert finding["rule_id"] == "KL003"
    assert "larger than 32 MiB" in finding["message"]


def test_crlf_positions_match_lf(tmp_path: Path) -> None:
    text = TEXT_CASES["crlf.yaml"]
    assert isinstance(text, str)
    (tmp_path / "lf.yaml").write_text(text.replace("\r\n", "\n"))
    (tmp_path / "crlf.yaml").write_bytes(text.encode())

    def places(name: str) -> list[tuple[int, int, str]]:
        done = run("check", name, "--no-config", "-f", "json", cwd=tmp_path)
        return [(f["line"], f["column"], f["rule_id"]) for f in json.loads(done.stdout)["findings"]]

    assert places("crlf.yaml") == places("lf.yaml")
    assert places("lf.yaml")


def test_syntax_errors_are_capped_per_file() -> None:
    text = TEXT_CASES["many-syntax-errors.yaml"]
    assert isinstance(text, str)
    problems = load_stream(text).problems
    assert len(problems) == MAX_SYNTAX_ERRORS + 1
    assert "more than" in problems[-1].message


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a: " + "[" * 10_000 + "]" * 10_000, "too-deep"),
        ("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 2000)), "too-deep"),
        ("a: 1\nb: \x00\n", "syntax"),
        ("data:\n  1: x\n", "non-string-key"),
    ],
)
def test_loader_problem_codes(text: str, code: str) -> None:
    loaded = load_stream(text)
    codes = [p.code for p in loaded.problems] + [p.code for d in loaded.documents for p in d.problems]
    assert code in codes


def test_reader_error_points_at_the_character() -> None:
    [problem] = load_stream("a: 1\nb: x\x07y\n").problems
    assert (problem.span.line, problem.span.column) == (2, 5)


def test_huge_numbers_stay_strings_and_small_ones_numbers() -> None:
    data = load_stream(f"a: {'9' * 5000}\nb: 0x{'f' * 5000}\nc: 12\nd: 1e999\n").documents[0].data
    assert data["a"] == "9" * 5000
    assert isinstance(data["b"], str)
    assert data["c"] == 12
    assert data["d"] == float("inf")


def test_non_string_keys_only_in_manifests(tmp_path: Path) -> None:
    (tmp_path / "swagger.yaml").write_text("paths:\n  /x:\n    get:\n      responses:\n        200: {}\n")
    (tmp_path / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  404: x\n"
    )
    done = run("check", ".", "--no-config", "-f", "json", "--select", "KL012", cwd=tmp_path)
    found = [(f["file"], f["line"], f["rule_id"]) for f in json.loads(done.stdout)["findings"]]
    assert found == [("cm.yaml", 5, "KL012")]
