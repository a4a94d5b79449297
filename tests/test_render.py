"""Helm charts and Kustomize overlays: rendered, linted, findings traced to sources."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest
from conftest import CORPUS, need_shared

from kubelint.cli import build_registry, settings_from_config
from kubelint.config import Config, parse_config
from kubelint.engine import Engine, RunResult
from kubelint.registry import Selection

RENDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "render")


def _run(paths: list[str], raw: dict[str, Any], cwd: str = RENDER) -> RunResult:
    registry = build_registry()
    config: Config = parse_config(raw, registry)
    config.root = cwd
    engine = Engine(
        registry=registry,
        config=config,
        selection=Selection(config.select, config.extend_select, config.ignore),
        cwd=cwd,
        settings=settings_from_config(config, cwd, read_environment=False),
    )
    return engine.run(paths)


def _where(result: RunResult, rule: str | None = None) -> list[tuple[str, int, int, str]]:
    return [
        (f.file, f.span.line if f.span else 0, f.span.column if f.span else 0, f.rule_id)
        for f in result.findings
        if rule is None or f.rule_id == rule
    ]


def _has_sdk() -> bool:
    try:
        import helm_python  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


needs_helm = pytest.mark.skipif(
    not _has_sdk() and not shutil.which("helm"), reason="no Helm renderer installed"
)


@needs_helm
def test_chart_findings_point_at_template_lines() -> None:
    result = _run(["helm/webapp"], {"select": ["KL302", "KL501", "KL201", "KL006", "KL030"]})
    assert _where(result) == [("helm/webapp/templates/deployment.yaml", 23, 45, "KL302")]
    assert result.findings[0].message.endswith("(chart webapp)")
    # the subchart renders with its parent, and no template is linted as plain YAML
    assert result.manifests == 2


@needs_helm
def test_profiles_are_linted_side_by_side_and_named() -> None:
    raw = {
        "select": ["KL302", "KL501"],
        "helm": {
            "charts": {
                "helm/webapp": {"profiles": {"dev": {"values": ["helm/webapp/values-dev.yaml"]}, "prod": {}}}
            }
        },
    }
    result = _run(["helm/webapp"], raw)
    found = sorted(
        (f.rule_id, f.span.line if f.span else 0, f.message.rsplit("(", 1)[1]) for f in result.findings
    )
    assert found == [
        ("KL302", 23, "chart webapp, profile dev)"),
        ("KL302", 23, "chart webapp, profile prod)"),
        ("KL501", 19, "chart webapp, profile dev)"),
    ]


@needs_helm
def test_set_values_and_values_schema() -> None:
    raw = {"select": ["KL501", "KL030"], "helm": {"set": ["image.tag=latest"]}}
    assert _where(_run(["helm/webapp"], raw)) == [("helm/webapp/templates/deployment.yaml", 19, 18, "KL501")]
    raw = {"select": ["KL030"], "helm": {"values": ["helm/webapp/values-bad.yaml"]}}
    result = _run(["helm/webapp"], raw)
    assert [f.rule_id for f in result.findings] == ["KL030"]
    assert "replicaCount" in result.findings[0].message


@needs_helm
def test_render_error_at_the_template_line() -> None:
    result = _run(["helm/broken"], {"select": ["ALL"]})
    assert _where(result) == [("helm/broken/templates/svc.yaml", 4, 18, "KL030")]
    assert ".Values.service.name" in result.findings[0].message


def test_without_a_renderer_each_chart_is_noted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import kubelint.render.helm as helm

    monkeypatch.setattr(helm, "_pick_renderer", lambda: None)
    result = _run(["helm"], {"select": ["ALL"]})
    assert _where(result) == [
        ("helm/broken/Chart.yaml", 1, 1, "KL031"),
        ("helm/webapp/Chart.yaml", 1, 1, "KL031"),
    ]
    assert result.manifests == 0


needs_kubectl = pytest.mark.skipif(
    not __import__("kubelint.render.kustomize", fromlist=["_kubectl"])._kubectl(),
    reason="kubectl not installed",
)


@needs_kubectl
def test_overlay_findings_point_at_base_and_patch() -> None:
    result = _run(["kustomize/base", "kustomize/overlays/prod"], {"select": ["KL203", "KL501"]})
    assert _where(result) == [
        ("kustomize/base/deployment.yaml", 17, 13, "KL203"),
        ("kustomize/overlays/prod/image-patch.yaml", 10, 18, "KL501"),
    ]
    assert all("kustomize overlay kustomize/overlays/prod" in f.message for f in result.findings)


@needs_kubectl
def test_broken_overlay_is_an_error_at_the_resource_line() -> None:
    result = _run(["kustomize/overlays/broken"], {"select": ["ALL"]})
    assert _where(result) == [("kustomize/overlays/broken/kustomization.yaml", 2, 5, "KL030")]


_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - {name: web, image: "nginx:latest"}
"""


@needs_kubectl
@pytest.mark.parametrize("how", ["resource", "generator"])
def test_overlay_that_needs_the_load_restrictor_off(
    tmp_path: Any, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file outside the overlay's directory: kustomize's load restrictor refuses it.
    kubelint says so (KL030) and still lints the objects, built without the restrictor.
    A resource file outside is seen in advance (one build); a generator's file is
    only found by the failing build (built again)."""
    import kubelint.render.kustomize as kustomize

    (tmp_path / "deployment.yaml").write_text(_DEPLOYMENT)
    (tmp_path / "app.env").write_text("MODE=prod\n")
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    if how == "resource":
        (overlay / "kustomization.yaml").write_text("resources:\n  - ../deployment.yaml\n")
    else:
        (overlay / "deployment.yaml").write_text(_DEPLOYMENT)
        (overlay / "kustomization.yaml").write_text(
            "resources:\n  - deployment.yaml\nconfigMapGenerator:\n  - name: settings\n    envs: [../app.env]\n"
        )
    builds: list[tuple[str, ...]] = []
    real = kustomize._kustomize

    def counted(kubectl: str, directory: str, *flags: str) -> Any:
        builds.append(flags)
        return real(kubectl, directory, *flags)

    monkeypatch.setattr(kustomize, "_kustomize", counted)
    result = _run(["overlay"], {"select": ["KL030", "KL501"]}, cwd=str(tmp_path))
    outside, base, entry = (
        ("deployment.yaml", "deployment.yaml", (2, 5))  # the resource entry that loads it
        if how == "resource"
        else ("app.env", "overlay/deployment.yaml", (1, 1))  # kustomize names no entry
    )
    # the objects are linted (the image at the base's line), and KL030 says why it took the flag
    assert _where(result) == [(base, 10, 30, "KL501"), ("overlay/kustomization.yaml", *entry, "KL030")]
    assert result.findings[1].message == (
        "kustomization overlay builds only with --load-restrictor LoadRestrictionsNone: "
        f"{outside} is outside overlay (kustomize's load restrictor rejects it)"
    )
    unrestricted = ("--load-restrictor", "LoadRestrictionsNone")
    assert builds == ([unrestricted] if how == "resource" else [(), unrestricted])


def test_without_kubectl_resources_are_linted_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    import kubelint.render.kustomize as kustomize

    monkeypatch.setattr(kustomize, "_kubectl", lambda: None)
    result = _run(["kustomize/base", "kustomize/overlays/prod"], {"select": ["KL031", "KL20", "KL501"]})
    assert _where(result) == [
        ("kustomize/base/deployment.yaml", 17, 13, "KL203"),
        ("kustomize/overlays/prod/kustomization.yaml", 1, 1, "KL031"),
    ]


def test_remote_bases_are_never_fetched(tmp_path: Any) -> None:
    (tmp_path / "kustomization.yaml").write_text(
        "resources:\n  - https://github.com/example/repo/deploy?ref=v1\n"
    )
    result = _run(["."], {"select": ["ALL"]}, cwd=str(tmp_path))
    assert [(f.rule_id, "remote bases" in f.message) for f in result.findings] == [("KL031", True)]


def test_corpus_helm_templates_are_reported_once_each() -> None:
    folder = need_shared(os.path.join(CORPUS, "_helm_templates_examples"))
    result = _run([folder], {"select": ["ALL"]}, cwd=folder)
    yaml_files = sorted(n for n in os.listdir(folder) if n.endswith(".yaml"))
    assert sorted((f.file, f.rule_id) for f in result.findings) == [(n, "KL006") for n in yaml_files]


@needs_kubectl
def test_corpus_kustomizations_build_or_fail_cleanly() -> None:
    folder = need_shared(os.path.join(CORPUS, "GoogleCloudPlatform__microservices-demo", "kustomize"))
    result = _run([folder], {"select": ["KL030", "KL031", "KL099"]}, cwd=folder)
    assert _where(result) == []  # components are not built standalone; the rest builds


@needs_helm
def test_packaged_chart_is_rendered(tmp_path: Any) -> None:
    import tarfile

    archive = tmp_path / "webapp-1.2.0.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(os.path.join(RENDER, "helm", "webapp"), arcname="webapp")
    result = _run([str(archive)], {"select": ["KL302"]}, cwd=str(tmp_path))
    assert _where(result) == [("webapp-1.2.0.tgz/webapp/templates/deployment.yaml", 23, 45, "KL302")]
