"""Kubernetes shapes rules share: where pod specs live, containers, ports.

Every helper tolerates unexpected shapes (a `containers:` that is a string, ports
given as strings): it skips what it cannot read, since the schema rule reports it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kubelint.model import K8sObject
from kubelint.positions import Path

POD_SPEC_PATHS: dict[str, Path] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
    "DeploymentConfig": ("spec", "template", "spec"),  # OpenShift apps.openshift.io/v1
}
WORKLOAD_KINDS = frozenset(POD_SPEC_PATHS)
LONG_RUNNING_KINDS = frozenset(
    {
        "Pod",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "ReplicationController",
        "DeploymentConfig",
    }
)
BATCH_KINDS = frozenset({"Job", "CronJob"})


def dig(data: Any, *path: str | int) -> Any:
    """Follow `path` through dicts and lists; None where it breaks."""
    for p in path:
        if isinstance(p, int):
            if not isinstance(data, list) or not -len(data) <= p < len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[p] if isinstance(p, int) else data.get(p)
    return data


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def pod_spec(obj: K8sObject) -> tuple[Path, Mapping[str, Any]] | None:
    """The path and data of the object's pod spec, if it has one."""
    return obj.derived("derived:pod-spec", _pod_spec)


def _pod_spec(obj: K8sObject) -> tuple[Path, Mapping[str, Any]] | None:
    path = POD_SPEC_PATHS.get(obj.kind)
    if path is None:
        return None
    spec = dig(obj.data, *path)
    return (path, spec) if isinstance(spec, dict) else None


def pod_template_path(obj: K8sObject) -> Path | None:
    """Path of the pod template (the mapping holding `metadata` and `spec`)."""
    path = POD_SPEC_PATHS.get(obj.kind)
    if path is None:
        return None
    return path[:-1]


def pod_labels(obj: K8sObject) -> Mapping[str, Any]:
    """Labels the object's pods get (the template's, or a Pod's own)."""
    if obj.kind == "Pod":
        return obj.labels
    path = pod_template_path(obj)
    if path is None:
        return {}
    return as_mapping(dig(obj.data, *path, "metadata", "labels"))


@dataclass(frozen=True, slots=True)
class Container:
    path: Path  # path of the container mapping inside the object
    data: Mapping[str, Any]
    init: bool
    ephemeral: bool = False

    @property
    def name(self) -> str:
        name = self.data.get("name")
        return name if isinstance(name, str) else "?"

    @property
    def describe(self) -> str:
        kind = "init container" if self.init else "ephemeral container" if self.ephemeral else "container"
        return f'{kind} "{self.name}"'

    def ports(self) -> Iterator[tuple[Path, Mapping[str, Any]]]:
        for i, port in enumerate(as_list(self.data.get("ports"))):
            if isinstance(port, dict):
                yield self.path + ("ports", i), port


_CONTAINER_MEMO_KEYS = {
    (i, e): f"derived:containers-{int(i)}{int(e)}" for i in (False, True) for e in (False, True)
}


def iter_containers(obj: K8sObject, *, init: bool = False, ephemeral: bool = False) -> Iterator[Container]:
    """Every container of the object's pod spec (init/ephemeral ones on request).

    Sidecar containers (init containers with `restartPolicy: Always`) are long
    running; rules that care can check `container.data.get("restartPolicy")`.
    """
    return iter(obj.derived(_CONTAINER_MEMO_KEYS[init, ephemeral], _containers, init, ephemeral))


def _containers(obj: K8sObject, init: bool, ephemeral: bool) -> tuple[Container, ...]:
    return tuple(_iter_containers(obj, init, ephemeral))


def _iter_containers(obj: K8sObject, init: bool, ephemeral: bool) -> Iterator[Container]:
    found = pod_spec(obj)
    if found is None:
        return
    path, spec = found
    groups = [("containers", False, False)]
    if init:
        groups.append(("initContainers", True, False))
    if ephemeral:
        groups.append(("ephemeralContainers", False, True))
    for field, is_init, is_ephemeral in groups:
        for i, c in enumerate(as_list(spec.get(field))):
            if isinstance(c, dict):
                yield Container(path + (field, i), c, is_init, is_ephemeral)


def is_sidecar(container: Container) -> bool:
    return container.init and container.data.get("restartPolicy") == "Always"
