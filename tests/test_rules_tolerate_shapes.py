"""Every registered rule survives objects where any field has the wrong type.

For each base object below (a rich, valid example per kind, and a Compose file) every
node in turn is replaced by each of WEIRD (null, a list, a number, a string, nested
nonsense, ...).  Every rule of the registry (the catalogue as merged, whoever wrote
the rule) runs on every mutant; a rule that raises, or yields a violation the engine
cannot place, fails the test with the rule id, the kind and the path.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterator
from typing import Any

import pytest

from kubelint.classify import classify
from kubelint.cli import build_registry
from kubelint.loader import load_stream
from kubelint.model import Manifest, SourceFile
from kubelint.rule import Rule, RuleContext, Settings
from kubelint.workspace import Workspace

WEIRD: tuple[Any, ...] = (
    None,
    [],
    {},
    0,
    -1,
    10**20,
    1.5,
    True,
    "",
    "x",
    "${VAR}",
    [None, 5, "x"],
    [{"a": [None]}],
    {"a": {"b": [1, {"c": None}]}},
    {"name": 5, "port": {"x": 1}},
)

POD_SPEC: dict[str, Any] = {
    "serviceAccountName": "app",
    "hostNetwork": False,
    "nodeSelector": {"disk": "ssd"},
    "imagePullSecrets": [{"name": "regcred"}],
    "securityContext": {"runAsNonRoot": True},
    "initContainers": [{"name": "init", "image": "busybox:1.36", "command": ["true"]}],
    "containers": [
        {
            "name": "web",
            "image": "nginx:1.27",
            "imagePullPolicy": "IfNotPresent",
            "ports": [{"name": "http", "containerPort": 8080, "hostPort": 80, "protocol": "TCP"}],
            "env": [
                {"name": "MODE", "value": "prod"},
                {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
                {"name": "CFG", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "k"}}},
            ],
            "envFrom": [{"configMapRef": {"name": "cfg"}}, {"secretRef": {"name": "db"}}],
            "resources": {
                "requests": {"cpu": "100m", "memory": "64Mi"},
                "limits": {"cpu": 1, "memory": "1Gi"},
            },
            "livenessProbe": {"httpGet": {"path": "/", "port": "http"}},
            "readinessProbe": {"tcpSocket": {"port": 8080}},
            "startupProbe": {"grpc": {"port": 8080}},
            "securityContext": {"privileged": False, "capabilities": {"add": ["NET_ADMIN"]}},
            "volumeMounts": [{"name": "data", "mountPath": "/data"}],
        }
    ],
    "volumes": [
        {"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
        {"name": "cfg", "configMap": {"name": "cfg", "items": [{"key": "k", "path": "k"}]}},
        {"name": "sec", "secret": {"secretName": "db"}},
        {
            "name": "proj",
            "projected": {"sources": [{"secret": {"name": "db"}}, {"configMap": {"name": "cfg"}}]},
        },
        {"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}},
    ],
}
LABELS = {"app": "web"}
TEMPLATE = {"metadata": {"labels": LABELS, "annotations": {"a": "b"}}, "spec": POD_SPEC}


def _obj(api: str, kind: str, spec: Any, **extra: Any) -> dict[str, Any]:
    return {
        "apiVersion": api,
        "kind": kind,
        "metadata": {"name": "web", "namespace": "shop", "labels": LABELS},
        "spec": spec,
        **extra,
    }


SELECTOR = {"matchLabels": LABELS, "matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]}
BASES: dict[str, dict[str, Any]] = {
    "Pod": _obj("v1", "Pod", POD_SPEC),
    "Deployment": _obj("apps/v1", "Deployment", {"replicas": 2, "selector": SELECTOR, "template": TEMPLATE}),
    "StatefulSet": _obj(
        "apps/v1",
        "StatefulSet",
        {
            "serviceName": "web",
            "selector": SELECTOR,
            "template": TEMPLATE,
            "volumeClaimTemplates": [
                {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}
            ],
        },
    ),
    "DaemonSet": _obj("apps/v1", "DaemonSet", {"selector": SELECTOR, "template": TEMPLATE}),
    "ReplicaSet": _obj("apps/v1", "ReplicaSet", {"selector": SELECTOR, "template": TEMPLATE}),
    "ReplicationController": _obj("v1", "ReplicationController", {"selector": LABELS, "template": TEMPLATE}),
    "Job": _obj("batch/v1", "Job", {"template": TEMPLATE}),
    "CronJob": _obj(
        "batch/v1", "CronJob", {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": TEMPLATE}}}
    ),
    "PodTemplate": {
        "apiVersion": "v1",
        "kind": "PodTemplate",
        "metadata": {"name": "t"},
        "template": TEMPLATE,
    },
    "Service": _obj(
        "v1",
        "Service",
        {
            "type": "NodePort",
            "selector": LABELS,
            "ports": [
                {"name": "http", "port": 80, "targetPort": "http", "nodePort": 30080, "protocol": "TCP"},
                {"name": "grpc", "port": 81, "targetPort": 8080},
            ],
        },
    ),
    "Ingress": _obj(
        "networking.k8s.io/v1",
        "Ingress",
        {
            "defaultBackend": {"service": {"name": "web", "port": {"number": 80}}},
            "tls": [{"hosts": ["a.example"], "secretName": "tls"}],
            "rules": [
                {
                    "host": "a.example",
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": "web", "port": {"name": "http"}}},
                            }
                        ]
                    },
                }
            ],
        },
    ),
    "HorizontalPodAutoscaler": _obj(
        "autoscaling/v2",
        "HorizontalPodAutoscaler",
        {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": 1,
            "maxReplicas": 3,
            "metrics": [
                {"type": "Resource", "resource": {"name": "cpu", "target": {"averageUtilization": 80}}}
            ],
        },
    ),
    "PodDisruptionBudget": _obj(
        "policy/v1", "PodDisruptionBudget", {"maxUnavailable": 0, "selector": SELECTOR}
    ),
    "NetworkPolicy": _obj("networking.k8s.io/v1", "NetworkPolicy", {"podSelector": SELECTOR}),
    "HTTPRoute": _obj(
        "gateway.networking.k8s.io/v1",
        "HTTPRoute",
        {"rules": [{"backendRefs": [{"name": "web", "port": 80, "kind": "Service"}]}]},
    ),
    "ConfigMap": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"k": "v"}},
    "Secret": {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "db"},
        "stringData": {"password": "p"},
    },
}
for _route in ("GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute"):
    BASES[_route] = {**BASES["HTTPRoute"], "kind": _route}

COMPOSE: dict[str, Any] = {
    "name": "shop",
    "services": {
        "web": {
            "image": "nginx:1.27",
            "build": {"context": ".", "args": {"A": "b"}},
            "ports": ["8080:80", {"target": 81, "published": "8081", "protocol": "tcp"}],
            "environment": {"MODE": "prod", "DB_PASSWORD": "${DB_PASSWORD}"},
            "env_file": [".env"],
            "depends_on": {"db": {"condition": "service_healthy"}},
            "healthcheck": {"test": ["CMD", "true"], "interval": "10s"},
            "deploy": {"replicas": 1, "resources": {"limits": {"cpus": "0.5", "memory": "64M"}}},
            "networks": ["front"],
            "volumes": ["data:/data", "/var/run/docker.sock:/var/run/docker.sock"],
            "secrets": ["db"],
            "restart": "always",
            "cap_add": ["SYS_ADMIN"],
            "links": ["db"],
            "extends": {"service": "db"},
            "x-kubelint-ignore": ["KL501"],
        },
        "db": {"image": "postgres:16", "environment": ["POSTGRES_DB=app"], "ports": ["5432"]},
    },
    "networks": {"front": {}},
    "volumes": {"data": {}},
    "secrets": {"db": {"file": "./db.txt"}},
}


def _paths(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every node's path, apiVersion and kind excepted (they decide what the object is)."""
    if path:
        yield path
    if isinstance(data, dict):
        for key, value in data.items():
            if not path and key in ("apiVersion", "kind"):
                continue
            yield from _paths(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _paths(value, (*path, i))


def _replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy: Any = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = _replaced(data[path[0]], path[1:], value)
    return copy


# Every node of the Pod and the Compose file is mutated; other kinds share the pod
# spec, so only their own fields (and the first levels of their pod template) are.
MAX_DEPTH = {"Pod": 99, "Compose": 99, "Deployment": 6, "CronJob": 6}


def _mutants(base: Any, max_depth: int = 99) -> Iterator[tuple[str, Any]]:
    for path in _paths(base):
        if len(path) > max_depth:
            continue
        for weird in WEIRD:
            where = ".".join(str(p) for p in path)
            yield f"{where} = {json.dumps(weird)}", _replaced(base, path, weird)


def _manifests(name: str, documents: list[Any]) -> list[Manifest]:
    """Load documents the way the engine does (through YAML, so positions exist)."""
    text = "".join(f"---\n{json.dumps(d)}\n" for d in documents)
    source = SourceFile(name, text, None)
    return classify(source, load_stream(text)).manifests


def _run_all(rules: list[Rule], manifests: list[Manifest], labels: list[str], kind: str) -> list[str]:
    workspace = Workspace(manifests, default_namespace="default")
    cache: dict[str, Any] = {}
    settings = Settings(extra={"strict": True, "cwd": "/nonexistent"}, read_environment=False)
    failures: list[str] = []
    for rule in rules:
        ctx = RuleContext(rule, {k: o.default for k, o in rule.options.items()}, workspace, settings, cache)
        for manifest, label in zip(manifests, labels, strict=True):
            if not rule.applies(manifest):
                continue
            try:
                for v in rule.run(manifest, ctx):
                    if v.location is None:
                        (v.at or manifest).span(v.path, key=v.key)
            except Exception as error:
                where = traceback.extract_tb(error.__traceback__)[-1]
                failures.append(
                    f"{rule.id} ({rule.name}) crashed on {kind} with {label}: "
                    f"{type(error).__name__}: {error} [{where.filename.rsplit('/', 1)[-1]}:{where.lineno}]"
                )
    return failures


CHECK_RULES = [r for r in build_registry() if r.check is not None]


@pytest.mark.parametrize("kind", [*sorted(BASES), "Compose"])
def test_every_rule_tolerates_wrong_types(kind: str) -> None:
    base = COMPOSE if kind == "Compose" else BASES[kind]
    labels, documents = ["the valid base"], [base]
    for label, mutant in _mutants(base, MAX_DEPTH.get(kind, 4)):
        labels.append(label)
        documents.append(mutant)
    name = "compose.yaml" if kind == "Compose" else f"{kind}.yaml"
    if kind == "Compose":  # one Compose file per mutant (a file is one project)
        manifests = [m for i, d in enumerate(documents) for m in _manifests(f"c{i}/compose.yaml", [d])]
    else:
        manifests = _manifests(name, documents)
    assert len(manifests) == len(documents), "a mutant stopped being a manifest"
    failures = _run_all(CHECK_RULES, manifests, labels, kind)
    unique = list(dict.fromkeys(failures))
    assert not unique, f"{len(unique)} crashes, e.g.:\n" + "\n".join(unique[:25])


def test_the_test_can_fail() -> None:
    """A rule that indexes blindly is caught, and the failure names it."""
    from kubelint.model import Format, Severity
    from kubelint.rule import rule

    @rule(id="KL998", name="blind-indexing", severity=Severity.INFO, applies_to=(Format.KUBERNETES,))
    def blind(obj: Any, ctx: RuleContext) -> Iterator[Any]:
        """## What it does\nx\n## Why is this bad?\nx\n## Example\nx\n## Use instead\nx"""
        yield from ()
        _ = obj.data["spec"]["containers"][0]["name"]

    manifests = _manifests("Pod.yaml", [BASES["Pod"], _replaced(BASES["Pod"], ("spec", "containers"), "x")])
    failures = _run_all([blind], manifests, ["base", "spec.containers = x"], "Pod")
    assert failures and failures[0].startswith("KL998 (blind-indexing) crashed on Pod with spec.containers")
