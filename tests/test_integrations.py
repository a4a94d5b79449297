"""Where users run kubelint: SARIF, GitHub annotations, baselines, partial runs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
from conftest import REFERENCE, need_shared
from integration_helpers import ROOT, example_repository, github_code_scanning_problems, kubelint

from kubelint.reporters.github_report import escape_data, escape_property


def sarif_of(repo: Path, *args: str) -> dict:  # type: ignore[type-arg]
    done = kubelint("check", ".", "--no-config", "-f", "sarif", *args, cwd=repo)
    assert done.returncode == 1, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_sarif_validates_against_the_official_schema(tmp_path: Path) -> None:
    with open(need_shared(os.path.join(REFERENCE, "sarif-schema-2.1.0.json")), encoding="utf-8") as handle:
        schema = json.load(handle)
    sarif = sarif_of(example_repository(tmp_path))
    jsonschema.Draft4Validator(schema).validate(sarif)
    broken = json.loads(json.dumps(sarif))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):  # the check can fail
        jsonschema.Draft4Validator(schema).validate(broken)


def test_sarif_reads_as_github_code_scanning_reads_it(tmp_path: Path) -> None:
    repo = example_repository(tmp_path)
    sarif = sarif_of(repo)
    assert github_code_scanning_problems(sarif, repo) == []
    run = sarif["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert "KL701" in rules and rules["KL001"]["defaultConfiguration"]["level"] == "error"
    secret_rule = rules["KL401"]
    assert secret_rule["properties"]["security-severity"] == "8.0"
    assert "security" in secret_rule["properties"]["tags"]
    assert secret_rule["helpUri"].endswith("/docs/rules/KL401.md")
    assert "## Why is this bad?" in secret_rule["help"]["markdown"]
    by_rule = {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]): r for r in run["results"]
    }
    probe = by_rule[("KL302", 23)]
    location = probe["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "k8s/deployment.yaml", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 23, "startColumn": 45, "endLine": 23, "endColumn": 49}
    assert probe["level"] == "error" and rules["KL302"] is run["tool"]["driver"]["rules"][probe["ruleIndex"]]
    clash = by_rule[("KL520", 9)]
    related = clash["relatedLocations"][0]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "compose/docker-compose.yml"
    assert related["physicalLocation"]["region"]["startLine"] == 5
    assert run["invocations"][0]["executionSuccessful"] is True
    assert "hunter2" not in json.dumps(run["results"])  # (the rule docs' example has one)


def test_sarif_uris_are_relative_to_the_repository_root_from_a_subdirectory(tmp_path: Path) -> None:
    repo = example_repository(tmp_path)
    done = kubelint("check", ".", "--no-config", "-f", "sarif", cwd=repo / "k8s")
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(done.stdout)["runs"][0]["results"]
    }
    assert uris == {"k8s/deployment.yaml"}


def test_sarif_uris_are_percent_encoded(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "my app#1.yaml").write_text("a: 1\na: 2\n")
    sarif = json.loads(kubelint("check", ".", "--no-config", "-f", "sarif", cwd=repo).stdout)
    [result] = sarif["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20app%231.yaml"
    assert github_code_scanning_problems(sarif, repo) == []


def test_sarif_fingerprints_survive_inserted_lines(tmp_path: Path) -> None:
    repo = example_repository(tmp_path)

    def fingerprints() -> dict[str, int]:
        results = sarif_of(repo)["runs"][0]["results"]
        return {
            next(iter(r["partialFingerprints"].values())): r["locations"][0]["physicalLocation"]["region"][
                "startLine"
            ]
            for r in results
        }

    before = fingerprints()
    deployment = repo / "k8s" / "deployment.yaml"
    deployment.write_text("# owned by team shop\n# reviewed\n" + deployment.read_text())
    compose = repo / "compose" / "docker-compose.yml"
    compose.write_text("# local development only\n" + compose.read_text())
    after = fingerprints()
    assert after.keys() == before.keys()
    assert any(after[k] != before[k] for k in before)  # lines did move


def test_sarif_notifications_for_unreadable_files(tmp_path: Path) -> None:
    repo = example_repository(tmp_path)
    (repo / "bad.yaml").write_bytes(b"\x00\x01\xff binary")
    sarif = sarif_of(repo)
    notifications = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["associatedRule"]["id"] for n in notifications] == ["KL003"]


def test_github_annotations(tmp_path: Path) -> None:
    repo = example_repository(tmp_path)
    done = kubelint("check", ".", "--no-config", "-f", "github", cwd=repo)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert (
        "::error file=k8s/deployment.yaml,line=23,col=45,endLine=23,endColumn=49,"
        "title=KL302 probe-port-not-exposed::liveness probe uses port 8080, but container "
        '"flask-app" exposes only 5000%0Aprobe a port the container listens on (5000)'
    ) in lines
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines[:-1])
    assert lines[-1].startswith("kubelint: ")
    assert "hunter2" not in done.stdout
    # chosen automatically under GitHub Actions
    auto = kubelint("check", ".", "--no-config", cwd=repo, env={"GITHUB_ACTIONS": "true"})
    assert auto.stdout == done.stdout


def test_github_escaping() -> None:
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_several_outputs_in_one_run(tmp_path: Path) -> None:
    repo = example_repository(tmp_path)
    done = kubelint(
        "check", ".", "--no-config", "--report", "sarif=out.sarif", "--report", "json=out.json", cwd=repo
    )
    assert done.returncode == 1 and "KL302 probe-port-not-exposed" in done.stdout
    sarif = json.loads((repo / "out.sarif").read_text())
    report = json.loads((repo / "out.json").read_text())
    assert len(sarif["runs"][0]["results"]) == len(report["findings"]) == report["summary"]["findings"]


def test_json_report_matches_its_published_schema(tmp_path: Path) -> None:
    with open(os.path.join(ROOT, "schemas", "kubelint-output.schema.json"), encoding="utf-8") as handle:
        schema = json.load(handle)
    jsonschema.Draft202012Validator.check_schema(schema)
    repo = example_repository(tmp_path)
    (repo / "broken.yaml").write_text("a: [1, 2\n")
    report = json.loads(kubelint("check", ".", "--no-config", "-f", "json", cwd=repo).stdout)
    assert {f["rule_id"] for f in report["findings"]} >= {"KL001", "KL302", "KL520"}
    jsonschema.Draft202012Validator(schema).validate(report)
    report["findings"][0]["severity"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(report)


NEW_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  selector:
    matchLabels: {app: worker}
  template:
    metadata:
      labels: {app: worker}
    spec:
      containers:
        - name: worker
          image: busybox:latest
          resources:
            requests: {cpu: 10m, memory: 16Mi}
            limits: {cpu: 10m, memory: 16Mi}
          livenessProbe: {exec: {command: ["true"]}}
          readinessProbe: {exec: {command: ["true"]}}
---
"""


def test_baseline_reports_only_new_findings_after_lines_are_inserted(tmp_path: Path) -> None:
    repo = example_repository(tmp_path)
    written = kubelint("check", ".", "--no-config", "--write-baseline", "baseline.json", cwd=repo)
    assert written.returncode == 0, written.stderr
    entries = json.loads((repo / "baseline.json").read_text())["findings"]
    assert len(entries) >= 10 and all(e["fingerprint"] for e in entries)
    assert f"recorded {len(entries)} finding(s) in baseline.json" in written.stderr
    assert kubelint("check", ".", "--no-config", "--baseline", "baseline.json", cwd=repo).returncode == 0
    # A new object above the old findings moves all of them down.
    deployment = repo / "k8s" / "deployment.yaml"
    deployment.write_text(NEW_DEPLOYMENT + deployment.read_text())
    compose = repo / "compose" / "docker-compose.yml"
    compose.write_text("# dev only\n\n" + compose.read_text())
    done = kubelint("check", ".", "--no-config", "--baseline", "baseline.json", "-f", "json", cwd=repo)
    assert done.returncode == 1, done.stderr
    got = [
        (f["file"], f["line"], f["rule_id"], f["object"]["name"]) for f in json.loads(done.stdout)["findings"]
    ]
    # Only the new object's findings (the same as when it is linted alone), none of the old ones.
    (tmp_path / "alone.yaml").write_text(NEW_DEPLOYMENT)
    alone = json.loads(kubelint("check", "alone.yaml", "--no-config", "-f", "json", cwd=tmp_path).stdout)
    assert sorted(r for _, _, r, _ in got) == sorted(f["rule_id"] for f in alone["findings"])
    assert ("k8s/deployment.yaml", 14, "KL501", "worker") in got
    assert {name for _, _, _, name in got} == {"worker"}
    # The baseline works from another working directory too.
    elsewhere = kubelint(
        "check", "repo", "--no-config", "--baseline", "repo/baseline.json", "-f", "json", cwd=tmp_path
    )
    assert [f["rule_id"] for f in json.loads(elsewhere.stdout)["findings"]] == [r for _, _, r, _ in got]


def test_baseline_counts_identical_findings(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("a: 1\na: 2\n")
    assert kubelint("check", ".", "--no-config", "--write-baseline", "b.json", cwd=tmp_path).returncode == 0
    (tmp_path / "a.yaml").write_text("a: 1\na: 2\na: 3\n")
    done = kubelint("check", ".", "--no-config", "--baseline", "b.json", "-f", "json", cwd=tmp_path)
    assert [f["line"] for f in json.loads(done.stdout)["findings"]] == [3]


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "not valid JSON"), ('{"findings": []}', "not a kubelint baseline"), (None, "cannot read")],
)
def test_bad_baseline_is_a_usage_error(tmp_path: Path, content: str | None, message: str) -> None:
    if content is not None:
        (tmp_path / "b.json").write_text(content)
    done = kubelint("check", ".", "--no-config", "--baseline", "b.json", cwd=tmp_path)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_context_path_avoids_false_dangling_findings(tmp_path: Path) -> None:
    repo = example_repository(tmp_path)
    alone = kubelint("check", "k8s/service.yaml", "--no-config", "-f", "json", cwd=repo)
    assert "KL700" in {f["rule_id"] for f in json.loads(alone.stdout)["findings"]}
    with_context = kubelint(
        "check", "--context-path", ".", "k8s/service.yaml", "--no-config", "-f", "json", cwd=repo
    )
    report = json.loads(with_context.stdout)
    assert "KL700" not in {f["rule_id"] for f in report["findings"]}
    assert {f["file"] for f in report["findings"]} <= {"k8s/service.yaml"}
    # Findings of the changed file are still reported, those of other files are not.
    changed = kubelint(
        "check", "--context-path", ".", "k8s/deployment.yaml", "--no-config", "-f", "json", cwd=repo
    )
    assert {f["file"] for f in json.loads(changed.stdout)["findings"]} == {"k8s/deployment.yaml"}


def test_code_frame_context_lines(tmp_path: Path) -> None:
    repo = example_repository(tmp_path)
    done = kubelint("check", "k8s", "--no-config", "--select", "KL401", "--context", "1", cwd=repo)
    assert "18 |             - name: DB_PASSWORD\n19 |               value: *******\n" in done.stdout
    assert "20 |             - name: PASSWORD_FILE\n" in done.stdout
    assert "hunter2" not in done.stdout


def test_context_path_does_not_parse_env_files_as_yaml(tmp_path: Path) -> None:
    repo = example_repository(tmp_path)
    (repo / "compose" / ".env").write_text("A=b: c: d\nTAG=1\n")  # dotenv, not YAML
    done = kubelint("check", "--context-path", ".", "compose/.env", "--no-config", "-f", "json", cwd=repo)
    found = json.loads(done.stdout)["findings"]
    assert "KL001" not in {f["rule_id"] for f in found}, found  # never read as YAML
    assert {f["file"] for f in found} <= {"compose/.env"}  # findings in the changed .env only


def test_sarif_on_real_repositories_reads_as_github_reads_it(tmp_path: Path) -> None:
    """Every rule on two corpus repositories (Kubernetes and Compose): schema-valid,
    acceptable to code scanning, every location a file of the repository."""
    import shutil

    from conftest import CORPUS

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    for name in ("GoogleCloudPlatform__microservices-demo", "docker__awesome-compose"):
        shutil.copytree(need_shared(os.path.join(CORPUS, name)), repo / name)
    done = kubelint("check", ".", "--no-config", "--select", "ALL", "-f", "sarif", cwd=repo)
    sarif = json.loads(done.stdout)
    assert len(sarif["runs"][0]["results"]) > 100
    assert github_code_scanning_problems(sarif, repo) == []
    with open(os.path.join(REFERENCE, "sarif-schema-2.1.0.json"), encoding="utf-8") as handle:
        jsonschema.Draft4Validator(json.load(handle)).validate(sarif)


def test_baseline_survives_a_container_inserted_above(tmp_path: Path) -> None:
    """Findings about a named list item (a container, an env variable) keep their
    identity when another item is inserted before it."""
    deployment = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:latest
          env:
            - name: DB_PASSWORD
              value: hunter2-canary
"""
    (tmp_path / "app.yaml").write_text(deployment)
    assert kubelint("check", ".", "--no-config", "--write-baseline", "b.json", cwd=tmp_path).returncode == 0
    edited = deployment.replace(
        "      containers:\n", "      containers:\n        - name: side\n          image: busybox:latest\n"
    ).replace(
        "          env:\n",
        "          env:\n            - name: API_TOKEN\n              value: abcdefghijklmnop1234\n",
    )
    (tmp_path / "app.yaml").write_text(edited)
    done = kubelint("check", ".", "--no-config", "--baseline", "b.json", "-f", "json", cwd=tmp_path)
    found = json.loads(done.stdout)["findings"]
    assert found and all('"side"' in f["message"] or "API_TOKEN" in f["message"] for f in found), found
    assert "KL501" in {f["rule_id"] for f in found if '"side"' in f["message"]}
    assert any("API_TOKEN" in f["message"] for f in found)
