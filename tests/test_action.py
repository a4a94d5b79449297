"""action.yml: its shell steps run here as GitHub's runner would run them.

The `uses:` steps (actions/setup-python, codeql-action/upload-sarif) need GitHub and
are skipped; the SARIF file they would upload is checked as code scanning reads it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from integration_helpers import ROOT, example_repository, github_code_scanning_problems

ACTION = os.path.join(ROOT, "action.yml")


def load_action() -> dict[str, Any]:
    with open(ACTION, encoding="utf-8") as handle:
        return yaml.safe_load(handle)  # type: ignore[no-any-return]


def _outputs(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines if "=" in line)


def run_action(
    workdir: Path, inputs: dict[str, str], env: dict[str, str], *, skip: tuple[str, ...] = ()
) -> tuple[list[tuple[str, int, str]], dict[str, str]]:
    """Run the composite action's `run` steps in order, like the runner: inputs and
    step outputs substituted into `env:`, GITHUB_ACTION_PATH and GITHUB_OUTPUT set."""
    action = load_action()
    values = {name: spec.get("default", "") for name, spec in action["inputs"].items()} | inputs
    outputs: dict[str, dict[str, str]] = {}
    ran: list[tuple[str, int, str]] = []
    for number, step in enumerate(action["runs"]["steps"]):
        if "uses" in step or step["name"] in skip:
            continue
        output_file = workdir / f".github_output_{number}"

        def expand(text: str) -> str:
            def one(match: re.Match[str]) -> str:
                ref = match.group(1).strip()
                if ref.startswith("inputs."):
                    return values[ref.removeprefix("inputs.")]
                step_id, _, key = ref.removeprefix("steps.").partition(".outputs.")
                return outputs.get(step_id, {}).get(key, "")

            return re.sub(r"\$\{\{(.*?)\}\}", one, text)

        step_env = {k: expand(str(v)) for k, v in step.get("env", {}).items()}
        done = subprocess.run(
            [step["shell"], "-c", step["run"]],
            cwd=workdir,
            env={**env, **step_env, "GITHUB_ACTION_PATH": ROOT, "GITHUB_OUTPUT": str(output_file)},
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if "id" in step:
            outputs[step["id"]] = _outputs(output_file)
        ran.append((step["name"], done.returncode, done.stdout + done.stderr))
        if done.returncode != 0:
            break
    final = {name: expand_output(spec["value"], outputs) for name, spec in action["outputs"].items()}
    return ran, final


def expand_output(value: str, outputs: dict[str, dict[str, str]]) -> str:
    match = re.fullmatch(r"\$\{\{\s*steps\.(\S+)\.outputs\.(\S+)\s*\}\}", value)
    assert match, value
    return outputs.get(match.group(1), {}).get(match.group(2), "")


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    return env | {"GITHUB_ACTIONS": "true"}


def test_action_declares_documented_inputs() -> None:
    action = load_action()
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"paths", "config", "format", "fail-on", "sarif-file", "args", "baseline"}
    uses = [s["uses"] for s in action["runs"]["steps"] if "uses" in s]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    for name in action["inputs"]:
        assert f"`{name}`" in readme, f"input {name} is not documented in the README"


def test_action_steps_locally_with_findings(tmp_path: Path) -> None:
    repo = example_repository(tmp_path)
    env = base_env() | {"KUBELINT": f"{sys.executable} -m kubelint"}
    ran, outputs = run_action(
        repo,
        {"paths": "k8s\ncompose", "args": "--no-config --ignore KL2"},
        env,
        skip=("Install kubelint (the version of this action)",),
    )
    names = [name for name, _, _ in ran]
    assert names == ["Run kubelint", "Fail on findings"]
    check_log = ran[0][2]
    assert "::error file=k8s/deployment.yaml,line=23,col=45" in check_log
    assert ran[0][1] == 0 and ran[1][1] == 1  # the check step lets the upload run
    assert outputs == {"exit-code": "1", "sarif-file": "kubelint.sarif"}
    sarif = json.loads((repo / "kubelint.sarif").read_text())
    assert github_code_scanning_problems(sarif, repo) == []
    assert not any(r["ruleId"].startswith("KL2") for r in sarif["runs"][0]["results"])


def test_action_steps_locally_clean_with_baseline(tmp_path: Path) -> None:
    repo = example_repository(tmp_path)
    env = base_env() | {"KUBELINT": f"{sys.executable} -m kubelint"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "kubelint",
            "check",
            ".",
            "--no-config",
            "--write-baseline",
            "kubelint-baseline.json",
        ],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
    )
    ran, outputs = run_action(
        repo,
        {"baseline": "kubelint-baseline.json", "args": "--no-config", "sarif-file": "out/k.sarif"},
        env | {"KUBELINT": f"{sys.executable} -m kubelint"},
        skip=("Install kubelint (the version of this action)",),
    )
    assert [code for _, code, _ in ran] == [0, 0], ran
    assert outputs["exit-code"] == "0"


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("KUBELINT_SKIP_SLOW") == "1", reason="KUBELINT_SKIP_SLOW=1")
def test_action_install_step_in_a_fresh_environment(tmp_path: Path) -> None:
    """Every shell step, the pip install from the action's checkout included."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    repo = example_repository(tmp_path)
    env = base_env()
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    env.pop("VIRTUAL_ENV", None)
    env.pop("KUBELINT", None)
    ran, outputs = run_action(repo, {"args": "--no-config"}, env)
    assert ran[0][0].startswith("Install kubelint")
    assert ran[0][1] == 0, ran[0][2]
    assert outputs["exit-code"] == "1"
    assert (venv / "bin" / "kubelint").exists()
    assert (repo / "kubelint.sarif").exists()
