"""The benchmark's own machinery: a reproducible workload and a runner that works.

No timings are asserted here (a loaded CI machine would make them flaky); the
benchmark itself reports the numbers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from workload import generate  # noqa: E402


def _tree(root: str) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for base, _, files in os.walk(root):
        for name in files:
            path = os.path.join(base, name)
            with open(path, "rb") as handle:
                out[os.path.relpath(path, root)] = handle.read()
    return out


def test_workload_is_deterministic(tmp_path: pytest.TempPathFactory) -> None:
    a = generate(str(tmp_path / "a"), scale=0.01, seed=3)  # type: ignore[operator]
    b = generate(str(tmp_path / "b"), scale=0.01, seed=3)  # type: ignore[operator]
    c = generate(str(tmp_path / "c"), scale=0.01, seed=4)  # type: ignore[operator]
    assert _tree(a.root) == _tree(b.root)
    assert _tree(a.root) != _tree(c.root)
    assert a.kubernetes_objects == 4 + 20 * 5  # the CRDs, then files of five documents
    assert a.compose_projects == 5


def test_workload_scales(tmp_path: pytest.TempPathFactory) -> None:
    small = generate(str(tmp_path / "s"), scale=0.01)  # type: ignore[operator]
    double = generate(str(tmp_path / "d"), scale=0.02)  # type: ignore[operator]
    assert double.kubernetes_objects - 4 == 2 * (small.kubernetes_objects - 4)
    assert double.compose_projects == 2 * small.compose_projects


def test_workload_has_defects_kubelint_finds(tmp_path: pytest.TempPathFactory) -> None:
    w = generate(str(tmp_path / "w"), scale=0.02)  # type: ignore[operator]
    done = subprocess.run(
        [sys.executable, "-m", "kubelint", "check", "--no-config", "-f", "json", w.root],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stdout)
    assert report["summary"]["objects"] == w.kubernetes_objects + w.compose_projects
    assert report["summary"]["findings"] > 0
    # Every file parses, and the planted defects are found.
    assert not [f for f in report["findings"] if f["rule_id"].startswith("KL0")]
    found = {f["rule_id"] for f in report["findings"]}
    assert {"KL201", "KL302", "KL501"} <= found


def test_run_skip_competitors_on_a_tiny_workload(tmp_path: pytest.TempPathFactory) -> None:
    results = tmp_path / "results.json"  # type: ignore[operator]
    done = subprocess.run(
        [
            sys.executable,
            os.path.join(ROOT, "bench", "run.py"),
            "--scale",
            "0.005",
            "--corpus",
            "",
            "--skip-competitors",
            "--startup-repeat",
            "1",
            "--work",
            str(tmp_path / "work"),  # type: ignore[operator]
            "--json",
            str(results),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "floor: PyYAML C loader" in done.stdout and "scaling ×2" in done.stdout
    data = json.loads(results.read_text())
    tools = {r["tool"] for r in data["runs"]}
    assert tools == {"kubelint", "floor: PyYAML C loader"}
    for r in data["runs"]:
        assert r["objects"] > 0 and r["exit_code"] == 0 and r["wall"] > 0
    assert set(data["startup"]) == {"kubelint --version", "kubelint check one small file"}
