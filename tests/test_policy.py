"""Custom policies: path syntax, loading errors, evaluation, and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from kubelint.policy.loader import load_policy_text
from kubelint.policy.paths import PathSyntaxError, format_path, parse_path, resolve
from kubelint.registry import is_id_prefix

# --- paths -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "spec.replicas",
        'metadata.labels["app.kubernetes.io/name"]',
        "spec.ports[0].port",
        "a[*].b.*",
        "$containers.image",
    ],
)
def test_paths_parse(text: str) -> None:
    assert parse_path(text)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("spec..x", "unexpected '.'"),
        ("spec.", "ends with"),
        ("a.$podSpec", "may only start"),
        ("$pods.x", "unknown path root"),
        ("a[", "unexpected"),
    ],
)
def test_bad_paths_say_why(text: str, problem: str) -> None:
    with pytest.raises(PathSyntaxError, match=problem.replace("[", r"\[").replace("$", r"\$")):
        parse_path(text)


def test_containers_root_reaches_every_container_of_a_cronjob() -> None:
    cronjob = {
        "spec": {
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {
                            "initContainers": [{"name": "i", "image": "a"}],
                            "containers": [{"name": "c"}],
                        }
                    }
                }
            }
        }
    }
    reached = list(resolve(cronjob, parse_path("$containers.image"), "CronJob"))
    assert [(r.found, r.value) for r in reached] == [(True, "a"), (False, None)]
    assert format_path(reached[1].path) == "spec.jobTemplate.spec.template.spec.containers[0]"
    assert reached[1].wanted == "spec.jobTemplate.spec.template.spec.containers[0].image"
    assert list(resolve(cronjob, parse_path("$containers.image"), "Service")) == []


def test_id_prefixes() -> None:
    assert is_id_prefix("ACME") and is_id_prefix("KL2") and is_id_prefix("acme00")
    assert not is_id_prefix("A") and not is_id_prefix("latest-tag") and not is_id_prefix("ABCDEFGHIJK1")


# --- loading -----------------------------------------------------------------------

HEAD = "id: ACME001\nname: a-policy\ndescription: d\n"


@pytest.mark.parametrize(
    ("body", "line", "problem"),
    [
        ("cel: 'object.x >'\n", 4, "CEL: syntax error"),
        ("cel: [{expression: 'foo(object)'}]\n", 4, "unknown function 'foo'"),
        ("assert: [{path: 'a..b', exists: true}]\n", 4, "unexpected '.'"),
        ("assert: [{path: a, lte: lots}]\n", 4, "neither a number nor a quantity"),
        ("assert: [{path: a}]\n", 4, "assert[0]"),
        ("assert: [{path: a, exists: false, equals: 1}]\n", 4, "cannot be combined"),
        ("assert: [{path: a, exists: true, message: '{{ nope }}'}]\n", 4, "unknown variable"),
        ("schema: {type: strnig}\n", 4, "not a valid JSON Schema"),
        ("cel: 'true'\nschema: {}\n", 1, "exactly one of"),
        ("severity: fatal\ncel: 'true'\n", 4, "severity"),
        (
            "match: {kinds: [Pod], lables: {}}\ncel: 'true'\n",
            4,
            "unknown key 'lables' (did you mean 'labels'?)",
        ),
        ("match: {compose: true, kinds: [Pod]}\ncel: 'true'\n", 4, "Compose policy"),
        (
            "match: {labels: {matchExpressions: [{key: a, operator: In}]}}\ncel: 'true'\n",
            4,
            "needs at least one value",
        ),
        ("crossResource: {references: {path: a}}\n", 4, "'kind' is a required property"),
    ],
)
def test_broken_policies_are_errors_with_a_line(body: str, line: int, problem: str) -> None:
    policies, errors = load_policy_text(HEAD + body, "p.yaml")
    assert policies == []
    assert len(errors) == 1
    assert errors[0].file == "p.yaml" and errors[0].line == line, str(errors[0])
    assert problem in errors[0].message


def test_kl_prefix_and_bad_names() -> None:
    _, errors = load_policy_text("id: KL100\nname: x\ndescription: d\ncel: 'true'\n", "p.yaml")
    assert "reserved" in errors[0].message
    _, errors = load_policy_text("id: ACME1\nname: Not Kebab\ndescription: d\ncel: 'true'\n", "p.yaml")
    assert "kebab-case" in errors[0].message
    _, errors = load_policy_text("id: A1\nname: x\ndescription: d\ncel: 'true'\n", "p.yaml")
    assert "ACME001" in errors[0].message


def test_policies_list_document_and_yaml_errors() -> None:
    text = "policies:\n  - " + HEAD.replace("\n", "\n    ").rstrip() + "\n    cel: 'true'\n"
    policies, errors = load_policy_text(text, "p.yaml")
    assert errors == [] and [p.id for p in policies] == ["ACME001"]
    _, errors = load_policy_text("id: [\n", "p.yaml")
    assert errors and errors[0].message.startswith("YAML:")


# --- the command line --------------------------------------------------------------

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
        - name: side
          image: registry.corp.example/side:1
"""

POLICY = """\
id: ACME001
name: image-outside-corp-registry
severity: error
description: Images come from registry.corp.example.
remediation: Use registry.corp.example.
match: {kinds: [Deployment]}
assert:
  - path: $containers.image
    regex: '^registry\\.corp\\.example/'
examples:
  pass:
    - {apiVersion: apps/v1, kind: Deployment, metadata: {name: a}, spec: {template: {spec: {containers: [{name: a, image: registry.corp.example/a:1}]}}}}
  fail:
    - {apiVersion: apps/v1, kind: Deployment, metadata: {name: a}, spec: {template: {spec: {containers: [{name: a, image: a:1}]}}}}
---
id: ACME002
name: single-replica
description: At least two replicas.
enabled: false
match: {kinds: [Deployment]}
cel: "object.spec.replicas >= 2"
"""


def kubelint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "kubelint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def ids(done: subprocess.CompletedProcess[str]) -> list[tuple[int, str]]:
    assert done.returncode in (0, 1), done.stderr
    return [(f["line"], f["rule_id"]) for f in json.loads(done.stdout)["findings"]]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "acme.yaml").write_text(POLICY)
    (tmp_path / "app.yaml").write_text(DEPLOYMENT)
    return tmp_path


def test_policy_option_and_selection(project: Path) -> None:
    base = ("check", "app.yaml", "-f", "json", "--policy", "policies")
    assert ids(kubelint(*base, "--select", "ACME001", cwd=project)) == [(12, "ACME001")]
    assert ids(kubelint(*base, "--select", "KL501", cwd=project)) == []  # ACME002 is opt-in
    assert ids(kubelint(*base, "--select", "ACME001", "--extend-select", "single-replica", cwd=project)) == [
        (1, "ACME002"),
        (12, "ACME001"),
    ]
    assert ids(kubelint(*base, "--select", "ACME", "--ignore", "ACME001", cwd=project)) == [(1, "ACME002")]
    unknown = kubelint(*base, "--select", "ACMX", cwd=project)
    assert unknown.returncode == 2 and "unknown rule 'ACMX'" in unknown.stderr


def test_config_policy_rules_severity_and_suppressions(project: Path) -> None:
    (project / ".kubelint.yaml").write_text(
        "policy-rules: [policies]\nselect: [ACME001]\nseverity: {ACME001: warning}\n"
    )
    done = kubelint("check", "app.yaml", "-f", "json", cwd=project)
    data = json.loads(done.stdout)
    assert [(f["rule_id"], f["severity"]) for f in data["findings"]] == [("ACME001", "warning")]
    (project / "app.yaml").write_text(
        DEPLOYMENT.replace("image: nginx:1.27", "image: nginx:1.27  # kubelint: disable=ACME001")
    )
    assert ids(kubelint("check", "app.yaml", "-f", "json", cwd=project)) == []


def test_pyproject_policy_rules_and_explain(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.kubelint]\npolicy-rules = ["policies"]\nselect = ["ACME001"]\n'
    )
    assert ids(kubelint("check", "app.yaml", "-f", "json", cwd=project)) == [(12, "ACME001")]
    explained = kubelint("explain", "ACME001", cwd=project)
    assert explained.returncode == 0, explained.stderr
    assert "# ACME001 image-outside-corp-registry" in explained.stdout
    assert "## Use instead" in explained.stdout and "policies/acme.yaml" in explained.stdout
    listed = kubelint("rules", cwd=project)
    assert "ACME002  single-replica" in listed.stdout


def test_inline_policies_in_the_config(tmp_path: Path) -> None:
    (tmp_path / ".kubelint.yaml").write_text(
        "select: [ACME]\npolicies:\n  - id: ACME010\n    name: needs-team\n    description: d\n"
        "    assert: [{path: metadata.labels.team, exists: true}]\n"
    )
    (tmp_path / "app.yaml").write_text(DEPLOYMENT)
    assert ids(kubelint("check", "app.yaml", "-f", "json", cwd=tmp_path)) == [(3, "ACME010")]
    (tmp_path / ".kubelint.yaml").write_text("policies:\n  - id: ACME010\n    name: needs-team\n")
    broken = kubelint("check", "app.yaml", cwd=tmp_path)
    assert broken.returncode == 2
    assert ".kubelint.yaml:2:5: 'description' is a required property" in broken.stderr


def test_clashes_with_builtin_and_duplicate_policies(project: Path) -> None:
    (project / "policies" / "clash.yaml").write_text(
        "id: ACME900\nname: latest-tag\ndescription: d\ncel: 'true'\n---\n"
        "id: ACME001\nname: again\ndescription: d\ncel: 'true'\n"
    )
    done = kubelint("check", "app.yaml", "--policy", "policies", cwd=project)
    assert done.returncode == 2
    assert "policies/clash.yaml:1:1: latest-tag is already the built-in rule KL501" in done.stderr
    assert (
        "policies/clash.yaml:6:1: policy ACME001 is declared twice (first at policies/acme.yaml:1)"
        in done.stderr
    )
    missing = kubelint("check", "app.yaml", "--policy", "nowhere", cwd=project)
    assert missing.returncode == 2 and "nowhere" in missing.stderr


def test_policy_test_exit_codes(project: Path) -> None:
    ok = kubelint("policy", "test", "policies", cwd=project)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "2 policies, 2 examples: 2 behaved, 0 did not" in ok.stdout
    assert "warn ACME002 single-replica" in ok.stdout
    (project / "policies" / "acme.yaml").write_text(
        POLICY.replace("image: a:1}", "image: registry.corp.example/a:1}")
    )
    failing = kubelint("policy", "test", "policies", cwd=project)
    assert failing.returncode == 1
    assert "FAIL ACME001 image-outside-corp-registry fail example (policies/acme.yaml:14)" in failing.stdout
    empty = kubelint("policy", "test", "app.yaml", cwd=project)
    assert empty.returncode == 2


def test_policy_schema_command(tmp_path: Path) -> None:
    done = kubelint("policy", "schema", cwd=tmp_path)
    assert done.returncode == 0
    with open(os.path.join(ROOT, "schemas", "policy.schema.json"), encoding="utf-8") as handle:
        assert json.loads(done.stdout) == json.load(handle)


def test_compose_policy_and_service_suppression(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "id: ACME005\nname: restart\ndescription: d\nmatch: {compose: true}\nassert: [{path: restart, exists: true}]\n"
    )
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx:1.27\n  job:\n    image: busybox:1.36\n    x-kubelint-ignore: [ACME005]\n"
    )
    assert ids(
        kubelint(
            "check", "compose.yaml", "-f", "json", "--policy", "p.yaml", "--select", "ACME", cwd=tmp_path
        )
    ) == [(2, "ACME005")]


def test_builtin_policies_and_the_schema_ship_in_the_wheel() -> None:
    import tomllib

    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as handle:
        setuptools = tomllib.load(handle)["tool"]["setuptools"]
    assert "policies/*.yaml" in setuptools["package-data"]["kubelint.rules"]
    assert "kubelint.policy" in setuptools["packages"]
    assert any(p.endswith("*.json") for p in setuptools["package-data"]["kubelint.schemas"])
