"""The command line end to end: exit codes, config, selection, suppressions, stdin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "flask")

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:latest
          env:
            - name: DB_PASSWORD
              value: hunter2-canary
"""


def kubelint(*args: str, cwd: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "kubelint", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def findings(done: subprocess.CompletedProcess[str]) -> list[tuple[str, int, int, str]]:
    data = json.loads(done.stdout)
    return [(f["file"], f["line"], f["column"], f["rule_id"]) for f in data["findings"]]


def test_example_findings_text_and_json() -> None:
    text = kubelint("check", ".", "--no-config", cwd=EXAMPLE)
    assert text.returncode == 1, text.stderr
    assert (
        "k8s/deployment.yaml:23:45  error  KL302 probe-port-not-exposed  liveness probe uses port 8080, "
        in text.stdout
    )
    assert (
        'compose/docker-compose.yml:9:9  error  KL520 host-port-clash  host port 5000/tcp is also published by service "web-fe" (line 5)'
        in text.stdout
    )
    assert "hunter2" not in text.stdout
    done = kubelint("check", ".", "--no-config", "-f", "json", cwd=EXAMPLE)
    assert done.returncode == 1
    got = findings(done)
    assert ("k8s/deployment.yaml", 19, 22, "KL401") in got
    assert ("k8s/deployment.yaml", 14, 18, "KL501") in got
    assert ("compose/docker-compose.yml", 7, 12, "KL501") in got
    assert ("compose/docker-compose.yml", 9, 9, "KL520") in got
    assert "hunter2" not in done.stdout


def test_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n")
    assert kubelint("check", "ok.yaml", "--no-config", cwd=tmp_path).returncode == 0
    (tmp_path / "bad.yaml").write_text(DEPLOYMENT)
    assert kubelint("check", ".", "--no-config", cwd=tmp_path).returncode == 1
    assert kubelint("check", ".", "--no-config", "--fail-on", "never", cwd=tmp_path).returncode == 0
    assert (
        kubelint(
            "check", ".", "--no-config", "--fail-on", "error", "--ignore", "KL401", cwd=tmp_path
        ).returncode
        == 0
    )
    usage = kubelint("check", ".", "--no-config", "--select", "KL50l", cwd=tmp_path)
    assert usage.returncode == 2 and "unknown rule 'KL50l' (did you mean KL501?)" in usage.stderr
    assert "Traceback" not in usage.stderr
    assert kubelint("check", ".", "--bogus-flag", cwd=tmp_path).returncode == 2
    assert kubelint("check", ".", "--no-config", "--format", "xml", cwd=tmp_path).returncode == 2


def test_malformed_file_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "a-broken.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: [x\n")
    (tmp_path / "b.yaml").write_text(DEPLOYMENT)
    done = kubelint("check", ".", "--no-config", "-f", "json", "--select", "KL001,KL501", cwd=tmp_path)
    assert findings(done) == [("a-broken.yaml", 4, 1, "KL001"), ("b.yaml", 14, 18, "KL501")]


def test_stdin_with_a_name(tmp_path: Path) -> None:
    done = kubelint(
        "check",
        "-",
        "--no-config",
        "-f",
        "json",
        "--select",
        "KL501",
        "--stdin-filename",
        "web.yaml",
        cwd=tmp_path,
        stdin=DEPLOYMENT,
    )
    assert findings(done) == [("web.yaml", 14, 18, "KL501")]


def _write_config(path: Path, config: dict[str, Any]) -> None:
    import yaml

    path.write_text(yaml.safe_dump(config))


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"select": ["KL5"], "ignore": ["KL503", "KL505"]}, {"KL501"}),
        (
            {"select": ["ALL"], "ignore": ["KL2", "KL3", "KL0", "KL6", "KL9", "KL503", "KL505"]},
            {"KL401", "KL501"},
        ),
        ({"ignore": ["latest-tag"], "select": ["KL4", "KL501"]}, {"KL401"}),
        ({"select": ["KL4"], "extend-select": ["latest-tag"]}, {"KL401", "KL501"}),
        ({"select": ["KL2"], "ignore": ["KL20"], "extend-select": ["KL201"]}, {"KL201"}),
    ],
)
def test_selection_by_prefix_and_name(tmp_path: Path, config: dict[str, Any], expected: set[str]) -> None:
    (tmp_path / "app.yaml").write_text(DEPLOYMENT)
    _write_config(tmp_path / ".kubelint.yaml", config)
    done = kubelint("check", ".", "-f", "json", cwd=tmp_path)
    assert {f[3] for f in findings(done)} == expected


def test_config_found_upwards_and_pyproject(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "app.yaml").write_text(DEPLOYMENT)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.kubelint]\nselect = ["KL501"]\n[tool.kubelint.severity]\nKL501 = "error"\n'
    )
    done = kubelint("check", ".", "-f", "json", cwd=tmp_path / "sub")
    data = json.loads(done.stdout)
    assert [(f["rule_id"], f["severity"]) for f in data["findings"]] == [("KL501", "error")]


def test_rule_options_from_config(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(DEPLOYMENT.replace("nginx:latest", "nginx:stable"))
    _write_config(tmp_path / ".kubelint.yaml", {"select": ["KL501"]})
    assert findings(kubelint("check", ".", "-f", "json", cwd=tmp_path)) == []
    _write_config(
        tmp_path / ".kubelint.yaml",
        {"select": ["KL501"], "rules": {"latest-tag": {"mutable-tags": ["stable"]}}},
    )
    assert findings(kubelint("check", ".", "-f", "json", cwd=tmp_path)) == [("app.yaml", 14, 18, "KL501")]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"selct": ["KL5"]}, "unknown key 'selct' (did you mean 'select'?)"),
        ({"ignore": ["KL9999"]}, "unknown rule 'KL9999'"),
        (
            {"rules": {"latest-tag": {"mutable-tag": ["x"]}}},
            "unknown option 'mutable-tag' (did you mean 'mutable-tags'?)",
        ),
        ({"severity": {"KL501": "fatal"}}, "unknown severity 'fatal'"),
        ({"fail-on": "warnings"}, "did you mean 'warning'?"),
    ],
)
def test_config_errors_name_the_closest_choice(tmp_path: Path, config: dict[str, Any], message: str) -> None:
    (tmp_path / "app.yaml").write_text(DEPLOYMENT)
    _write_config(tmp_path / ".kubelint.yaml", config)
    done = kubelint("check", ".", cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr and ".kubelint.yaml" in done.stderr
    assert "Traceback" not in done.stderr


SUPPRESSED = """\
# kubelint: disable-file=KL303
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kubelint.io/ignore: "KL201,missing-memory-request"
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      annotations:
        kubelint.io/ignore: KL203
    spec:
      containers:
        - name: web
          # kubelint: disable=KL501 -- pinned by the release pipeline
          image: nginx:latest
          resources: {limits: {memory: 1Gi}}
          livenessProbe: {exec: {command: [true]}}
          env:
            - name: API_TOKEN
              value: abc123def456  # kubelint: disable=plaintext-secret-in-env
            - name: OTHER
              value: x  # kubelint: disable=KL401
        - name: sidecar  # kubelint: disable=KL5OO
          image: busybox:1.36
          resources: {limits: {memory: 1Gi}}
          livenessProbe: {exec: {command: [true]}}
"""


def test_every_kind_of_suppression(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(SUPPRESSED)
    done = kubelint(
        "check",
        ".",
        "--no-config",
        "-f",
        "json",
        "--select",
        "KL0,KL201,KL202,KL203,KL301,KL303,KL401,KL501",
        cwd=tmp_path,
    )
    assert findings(done) == [
        ("app.yaml", 27, 25, "KL090"),  # disable=KL401 on a line with nothing to suppress
        ("app.yaml", 28, 26, "KL091"),  # KL5OO is no rule
    ]


COMPOSE = """\
x-kubelint-ignore: [KL520]
services:
  web:
    image: web:latest
    x-kubelint-ignore: [latest-tag]
    ports: ["5000:5000"]
  api:
    image: api:latest
    ports: ["5000:5000"]
"""


def test_compose_extension_field_suppressions(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    done = kubelint("check", ".", "--no-config", "-f", "json", "--select", "KL501,KL520", cwd=tmp_path)
    assert findings(done) == [("compose.yaml", 8, 12, "KL501")]


def test_rules_and_explain() -> None:
    done = kubelint("rules", cwd=ROOT)
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert any(line.startswith("KL501  latest-tag") and " on " in line for line in lines)
    assert any(line.startswith("KL007  not-a-manifest") and " off " in line for line in lines)
    explained = kubelint("explain", "latest-tag", cwd=ROOT)
    assert explained.returncode == 0
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "mutable-tags"):
        assert heading in explained.stdout
    unknown = kubelint("explain", "KL50l", cwd=ROOT)
    assert unknown.returncode == 2 and "did you mean KL501?" in unknown.stderr


def test_several_outputs_in_one_run(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(DEPLOYMENT)
    done = kubelint(
        "check", ".", "--no-config", "--select", "KL501", "--report", "json=out.json", cwd=tmp_path
    )
    assert "app.yaml:14:18  warning  KL501 latest-tag" in done.stdout
    data = json.loads((tmp_path / "out.json").read_text())
    assert [f["rule_id"] for f in data["findings"]] == ["KL501"]
