"""Cross-resource analysis (KL7xx): the run-wide index, and real applications from the
shared corpus that must stay clean."""

from __future__ import annotations

import os
from typing import Any

import pytest
from conftest import CORPUS, need_shared

from kubelint.classify import classify
from kubelint.cli import build_registry, settings_from_config
from kubelint.config import parse_config
from kubelint.engine import Engine
from kubelint.k8s_index import CrossIndex, matches_external
from kubelint.loader import load_stream
from kubelint.model import SourceFile
from kubelint.registry import Selection
from kubelint.rule import Settings
from kubelint.selectors import Selector, parse_label_selector
from kubelint.workspace import Workspace


def run_cross(path: str, **raw: Any) -> list[str]:
    registry = build_registry()
    config = parse_config({"select": ["KL7"], **raw}, registry)
    engine = Engine(
        registry=registry,
        config=config,
        selection=Selection(config.select, config.extend_select, config.ignore),
        cwd=os.path.dirname(path),
        settings=settings_from_config(config, os.path.dirname(path), read_environment=False),
    )
    result = engine.run([path])
    return [f"{f.file}:{f.span.line if f.span else 0} {f.rule_id} {f.message}" for f in result.findings]


# Real applications, run whole: no cross-resource finding is expected.
CLEAN_APPLICATIONS = [
    "GoogleCloudPlatform__microservices-demo/kubernetes-manifests",
    "dockersamples__example-voting-app/k8s-specifications",
    # Prometheus and Alertmanager pods are created by the operator from the
    # Prometheus/Alertmanager resources of the run (custom pod owners).
    "prometheus-operator__kube-prometheus/manifests",
    # Per-provider alternative bundles of one application (sibling directories).
    "kubernetes__ingress-nginx/deploy",
]


@pytest.mark.parametrize("app", CLEAN_APPLICATIONS)
def test_real_application_is_clean(app: str) -> None:
    path = need_shared(os.path.join(CORPUS, app))
    findings = run_cross(path)
    assert findings == []


# Findings in real applications that are right, each with the reason.
JUSTIFIED = {
    # The Secret argocd-redis is created at run time by the argocd-redis-secret-init
    # Job, so the repository cannot show it (declare it under external:); and the
    # application controller's StatefulSet names a Service that install.yaml lacks.
    "argoproj__argo-cd/manifests/install.yaml": {
        ("KL713", "Secret argocd-redis"): 4,
        ("KL721", "serviceName argocd-application-controller"): 1,
    },
}


@pytest.mark.parametrize("app", sorted(JUSTIFIED))
def test_real_application_only_justified_findings(app: str) -> None:
    path = need_shared(os.path.join(CORPUS, app))
    findings = run_cross(path)
    counts = {key: sum(1 for f in findings if key[0] in f and key[1] in f) for key in JUSTIFIED[app]}
    assert counts == JUSTIFIED[app]
    assert len(findings) == sum(JUSTIFIED[app].values()), findings
    external = [{"kind": "Secret", "name": "argocd-redis"}]
    assert sum(1 for f in run_cross(path, external=external) if "KL713" in f) == 0


def workspace_of(text: str, namespace: str = "default") -> Workspace:
    source = SourceFile("t.yaml", text, None)
    manifests = classify(source, load_stream(text), is_chart_template=False).manifests
    return Workspace(manifests, default_namespace=namespace)


def deployment(name: str, labels: str, namespace: str | None = None) -> str:
    ns = f"\n  namespace: {namespace}" if namespace else ""
    return f"""---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}{ns}
spec:
  template:
    metadata:
      labels: {labels}
    spec:
      containers: [{{name: c, image: "x:1", ports: [{{name: http, containerPort: 80, hostPort: 80}}]}}]
"""


def build(text: str) -> CrossIndex:
    return CrossIndex(workspace_of(text), Settings()).build()


def names_of(index: CrossIndex, namespace: str, selector: Selector | None) -> list[str]:
    assert selector is not None
    return [t.obj.name for t in index.select(namespace, selector)]


def test_select_uses_namespaces_and_every_operator() -> None:
    index = build(
        deployment("a", "{app: web, tier: front}")
        + deployment("b", "{app: web, tier: back}")
        + deployment("c", "{app: db}")
        + deployment("d", "{app: web}", namespace="other")
    )
    sel = parse_label_selector
    assert names_of(index, "default", sel({"matchLabels": {"app": "web"}})) == ["a", "b"]
    assert names_of(index, "other", sel({"matchLabels": {"app": "web"}})) == ["d"]
    expr = {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["back", "x"]}]}
    assert names_of(index, "default", sel(expr)) == ["b"]
    exists = {"matchExpressions": [{"key": "tier", "operator": "Exists"}]}
    assert names_of(index, "default", sel(exists)) == ["a", "b"]
    notin = {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]}
    assert names_of(index, "default", sel(notin)) == ["c"]
    assert names_of(index, "default", sel({})) == ["a", "b", "c"]
    assert index.host_ports[(80, "TCP")][0][0].obj.name == "a"
    assert len(index.host_ports[(80, "TCP")]) == 4


def test_select_looks_only_at_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "".join(deployment(f"w{i}", f"{{app: w{i}}}") for i in range(200))
    index = build(text)
    calls = 0
    original = Selector.matches

    def counting(self: Selector, labels: Any) -> bool:
        nonlocal calls
        calls += 1
        return original(self, labels)

    monkeypatch.setattr(Selector, "matches", counting)
    assert names_of(index, "default", parse_label_selector({"matchLabels": {"app": "w7"}})) == ["w7"]
    assert calls == 1  # the inverted index gave one candidate, not 200


def test_external_patterns() -> None:
    settings = Settings(external=({"kind": "Secret", "name": "vault-*"}, {"namespace": "infra"}))
    assert matches_external(settings, "Secret", "shop", "vault-token")
    assert not matches_external(settings, "ConfigMap", "shop", "vault-token")
    assert matches_external(settings, "ServiceAccount", "infra", "anything")
    assert not matches_external(settings, "Secret", "shop", "db")


def test_job_pods_carry_job_name() -> None:
    index = build(
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate}\nspec:\n  template:\n"
        "    spec: {containers: [{name: c, image: 'x:1'}]}\n"
    )
    assert names_of(index, "default", parse_label_selector({"matchLabels": {"job-name": "migrate"}})) == [
        "migrate"
    ]


OVERLAY_BASE = """apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, nodePort: 30080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: "x:1", ports: [{containerPort: 80}]}]}
"""


def test_overlays_are_alternatives(tmp_path: Any) -> None:
    import shutil

    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed: kustomize overlays are not rendered")
    for d in ("base", "dev", "prod"):
        (tmp_path / d).mkdir()
    (tmp_path / "base" / "app.yaml").write_text(OVERLAY_BASE)
    (tmp_path / "base" / "kustomization.yaml").write_text("resources: [app.yaml]\n")
    (tmp_path / "dev" / "kustomization.yaml").write_text("resources: [../base]\nnamePrefix: dev-\n")
    (tmp_path / "prod" / "kustomization.yaml").write_text("resources: [../base]\n")
    assert run_cross(str(tmp_path)) == []
    # Plain files of one directory are one deployment: a nodePort clash (Service web2
    # against web) and a duplicate Deployment web.
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "a.yaml").write_text(OVERLAY_BASE)
    (tmp_path / "plain" / "b.yaml").write_text(OVERLAY_BASE.replace("{name: web}", "{name: web2}", 1))
    found = run_cross(str(tmp_path / "plain"))
    assert [f.split(" ")[1] for f in found] == ["KL719", "KL722"], found
