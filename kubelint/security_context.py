"""Effective security settings of a container, as the kubelet computes them.

Some settings exist on both the pod (`spec.securityContext`) and the container
(`containers[].securityContext`): `runAsNonRoot`, `runAsUser`, `runAsGroup`,
`seccompProfile`, `seLinuxOptions`, `windowsOptions`, `appArmorProfile`.  The
container's value wins; the pod's applies where the container sets none.  The
others (`privileged`, `allowPrivilegeEscalation`, `readOnlyRootFilesystem`,
`capabilities`, `procMount`) exist on the container only.

Each lookup returns the value and the path where it is written (in the container,
else in the pod), so a finding can point at the line that decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kubelint.k8s import Container, as_list, as_mapping, dig, pod_spec
from kubelint.k8s_index import int_value
from kubelint.model import K8sObject
from kubelint.positions import Path

POD_LEVEL_FIELDS = frozenset(
    {
        "runAsNonRoot",
        "runAsUser",
        "runAsGroup",
        "seccompProfile",
        "seLinuxOptions",
        "windowsOptions",
        "appArmorProfile",
    }
)


@dataclass(frozen=True, slots=True)
class Setting:
    value: Any
    path: Path  # where the deciding value is written (or the nearest parent when unset)
    written: bool  # False when neither the container nor the pod sets it


@dataclass(frozen=True, slots=True)
class PodSecurity:
    """The pod spec of a workload, for looking up container settings."""

    spec_path: Path
    spec: Mapping[str, Any]

    @property
    def context(self) -> Mapping[str, Any]:
        return as_mapping(self.spec.get("securityContext"))

    def is_windows(self) -> bool:
        return bool(dig(self.spec, "os", "name") == "windows")

    def setting(self, container: Container, field: str) -> Setting:
        """The effective value of `field` for `container` (None when unset)."""
        own = as_mapping(container.data.get("securityContext"))
        if field in own and own[field] is not None:
            return Setting(own[field], container.path + ("securityContext", field), True)
        if field in POD_LEVEL_FIELDS and self.context.get(field) is not None:
            return Setting(self.context[field], self.spec_path + ("securityContext", field), True)
        where = (
            container.path + ("securityContext",) if "securityContext" in container.data else container.path
        )
        return Setting(None, where, False)

    def misplaced_in_pod(self, field: str) -> bool:
        """True when the pod's securityContext sets a container-only field, which
        Kubernetes ignores (and strict schema validation rejects)."""
        return field not in POD_LEVEL_FIELDS and field in self.context

    def capabilities(self, container: Container, which: str) -> list[tuple[Path, str]]:
        """(path, NAME) of each capability in `capabilities.add` or `.drop`, upper-cased,
        without a `CAP_` prefix."""
        caps = as_mapping(dig(container.data, "securityContext", "capabilities"))
        out = []
        for i, cap in enumerate(as_list(caps.get(which))):
            if isinstance(cap, str):
                name = cap.strip().upper().removeprefix("CAP_")
                out.append((container.path + ("securityContext", "capabilities", which, i), name))
        return out


def pod_security(obj: K8sObject) -> PodSecurity | None:
    found = pod_spec(obj)
    if found is None:
        return None
    return PodSecurity(found[0], found[1])


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int_value(value)  # ASCII digits only, and no huge numbers
    return None
