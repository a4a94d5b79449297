"""References from a pod spec to other objects, by name (and key).

`iter_pod_references(obj)` yields every ConfigMap, Secret, PersistentVolumeClaim
and ServiceAccount a workload's pods need, with the path of the node that names it
(so a finding sits on it), the key when a single key is referenced, and whether the
reference is `optional: true`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kubelint.k8s import as_list, as_mapping, iter_containers, pod_spec
from kubelint.model import K8sObject
from kubelint.positions import Path


@dataclass(frozen=True, slots=True)
class Reference:
    kind: str  # ConfigMap, Secret, PersistentVolumeClaim, ServiceAccount
    name: str
    path: Path  # the node naming the object
    via: str  # how it is referenced, for messages ("env FOO", "volume config")
    key: str | None = None
    key_path: Path | None = None
    optional: bool = False
    image_pull: bool = False


def _items(source: Mapping[str, Any], base: Path) -> Iterator[tuple[str, Path]]:
    for i, item in enumerate(as_list(source.get("items"))):
        key = as_mapping(item).get("key")
        if isinstance(key, str) and key:
            yield key, base + ("items", i, "key")


def _volume_source(
    kind: str, source: Mapping[str, Any], base: Path, name_field: str, via: str
) -> Iterator[Reference]:
    name = source.get(name_field)
    if not isinstance(name, str) or not name:
        return
    optional = source.get("optional") is True
    path = base + (name_field,)
    yield Reference(kind, name, path, via, optional=optional)
    for key, key_path in _items(source, base):
        yield Reference(kind, name, path, via, key=key, key_path=key_path, optional=optional)


def iter_pod_references(obj: K8sObject) -> Iterator[Reference]:
    return iter(obj.derived("derived:pod-references", _pod_references))


def _pod_references(obj: K8sObject) -> tuple[Reference, ...]:
    return tuple(_iter_pod_references(obj))


def _iter_pod_references(obj: K8sObject) -> Iterator[Reference]:
    found = pod_spec(obj)
    if found is None:
        return
    spec_path, spec = found
    for c in iter_containers(obj, init=True, ephemeral=True):
        for i, env in enumerate(as_list(c.data.get("env"))):
            value_from = as_mapping(as_mapping(env).get("valueFrom"))
            env_name = as_mapping(env).get("name")
            for field, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                ref = as_mapping(value_from.get(field))
                name, key = ref.get("name"), ref.get("key")
                if not isinstance(name, str) or not name:
                    continue
                base = c.path + ("env", i, "valueFrom", field)
                via = (
                    f"env {env_name} of {c.describe}" if isinstance(env_name, str) else f"env of {c.describe}"
                )
                yield Reference(
                    kind,
                    name,
                    base + ("name",),
                    via,
                    key=key if isinstance(key, str) and key else None,
                    key_path=base + ("key",),
                    optional=ref.get("optional") is True,
                )
        for i, env_from in enumerate(as_list(c.data.get("envFrom"))):
            for field, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                ref = as_mapping(as_mapping(env_from).get(field))
                name = ref.get("name")
                if isinstance(name, str) and name:
                    yield Reference(
                        kind,
                        name,
                        c.path + ("envFrom", i, field, "name"),
                        f"envFrom of {c.describe}",
                        optional=ref.get("optional") is True,
                    )
    for i, volume in enumerate(as_list(spec.get("volumes"))):
        volume = as_mapping(volume)
        vname = volume.get("name")
        via = f"volume {vname}" if isinstance(vname, str) else "a volume"
        base = spec_path + ("volumes", i)
        yield from _volume_source(
            "ConfigMap", as_mapping(volume.get("configMap")), base + ("configMap",), "name", via
        )
        yield from _volume_source(
            "Secret", as_mapping(volume.get("secret")), base + ("secret",), "secretName", via
        )
        claim = as_mapping(volume.get("persistentVolumeClaim")).get("claimName")
        if isinstance(claim, str) and claim:
            yield Reference(
                "PersistentVolumeClaim", claim, base + ("persistentVolumeClaim", "claimName"), via
            )
        projected = as_mapping(volume.get("projected"))
        for j, source in enumerate(as_list(projected.get("sources"))):
            source = as_mapping(source)
            sbase = base + ("projected", "sources", j)
            yield from _volume_source(
                "ConfigMap", as_mapping(source.get("configMap")), sbase + ("configMap",), "name", via
            )
            yield from _volume_source(
                "Secret", as_mapping(source.get("secret")), sbase + ("secret",), "name", via
            )
    for field in ("serviceAccountName", "serviceAccount"):
        account = spec.get(field)
        if isinstance(account, str) and account:
            yield Reference("ServiceAccount", account, spec_path + (field,), "the pod spec")
            break
    for i, pull in enumerate(as_list(spec.get("imagePullSecrets"))):
        name = as_mapping(pull).get("name")
        if isinstance(name, str) and name:
            yield Reference(
                "Secret",
                name,
                spec_path + ("imagePullSecrets", i, "name"),
                "imagePullSecrets",
                image_pull=True,
            )


def object_keys(obj: K8sObject) -> set[str]:
    """The keys a ConfigMap or Secret holds."""
    sections = ("data", "binaryData") if obj.kind == "ConfigMap" else ("data", "stringData")
    keys: set[str] = set()
    for section in sections:
        keys.update(str(k) for k in as_mapping(obj.data.get(section)))
    return keys
