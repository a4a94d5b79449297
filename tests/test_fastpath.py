"""The fast entry point (kubelint/fastpath.py) behaves exactly like the typer CLI."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kubelint.fastpath import parse_check

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLASK = os.path.join("examples", "flask")


def _run(entry: str, args: list[str], stdin: str = "") -> tuple[int, str, str]:
    module = "kubelint.fastpath" if entry == "fast" else "kubelint.cli"
    code = f"import sys; sys.argv = ['kubelint', *sys.argv[1:]]; from {module} import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    return done.returncode, done.stdout, done.stderr


CASES = [
    ["--version"],
    ["check", FLASK],
    ["check", "-f", "json", FLASK],
    ["check", "--format=sarif", "--no-config", FLASK],
    ["check", FLASK, "--no-frames", "--color", "never"],
    ["check", "--select", "KL5", "--select", "KL2,KL3", "--ignore", "KL501", FLASK],
    ["check", "--extend-select", "ALL", "--fail-on", "error", FLASK],
    ["check", "--select", "KLX99", FLASK],
    ["check", "--fail-on", "sometimes", FLASK],
    ["check", "--format", "xml", FLASK],
    ["check", "--report", "nonsense", FLASK],
    ["check", "--kubernetes-version", "0.1", FLASK],
    ["check", "--exclude", "**/deployment.yaml", "--namespace", "prod", FLASK],
    ["check", "no/such/path.yaml"],
    ["check", "--jobs", "2", FLASK],
    ["check", "-j", "many", FLASK],
    ["check", "--bogus", FLASK],  # handed to typer
    ["check", "-fjson", FLASK],  # handed to typer
    ["check", "--format"],  # handed to typer
    ["check", "--no-frames=yes", FLASK],  # handed to typer
    ["check", "--context", "2", "--context-path", FLASK, os.path.join(FLASK, "k8s", "service.yaml")],
    ["check", "--context", "x", FLASK],  # handed to typer
    ["check", "--baseline", "no/such/baseline.json", FLASK],
    ["check", "--help"],
    ["rules"],
    ["explain", "KL501"],
]


@pytest.mark.parametrize("args", CASES, ids=[" ".join(c) for c in CASES])
def test_fastpath_matches_typer_cli(args: list[str]) -> None:
    assert _run("fast", args) == _run("typer", args)


def test_fastpath_matches_typer_cli_on_stdin() -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - {name: c, image: x:latest}\n"
    args = ["check", "-", "--stdin-filename", "pod.yaml", "-f", "json"]
    fast = _run("fast", args, stdin=text)
    assert fast == _run("typer", args, stdin=text)
    assert fast[0] == 1 and "KL501" in fast[1]


def test_common_check_does_not_import_typer() -> None:
    code = (
        "import sys; sys.argv = ['kubelint', 'check', '--no-config', '-f', 'json', sys.argv[1]]\n"
        "import os; from kubelint import fastpath\n"
        "def exit_now(code):\n    sys.stderr.write(str('typer' in sys.modules))\n    raise SystemExit(code)\n"
        "os._exit = exit_now\n"
        "fastpath.main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, FLASK], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.stderr == "False"
    assert '"findings"' in done.stdout


def test_parse_check_reads_the_documented_forms() -> None:
    parsed = parse_check(["a.yaml", "-f", "json", "--select=KL5", "--select", "KL2", "-", "--no-config"])
    assert parsed is not None
    assert parsed.paths == ["a.yaml", "-"]
    assert parsed.values == {"fmt": "json"}
    assert parsed.lists == {"select": ["KL5", "KL2"]}
    assert parsed.flags == {"no_config"}
    for handed_over in (["--help"], ["--"], ["-fjson"], ["--format"], ["--format", "--select"], ["-x"]):
        assert parse_check(handed_over) is None
