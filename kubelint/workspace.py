"""The whole run: every manifest of every file, with lookups.

Rules see the workspace of the run, not of one directory, so that a Service in
`k8s/svc/` finds its Deployment in `k8s/apps/`.  Indexes are built lazily, once per
run, and each lookup is a dictionary access: no rule needs to compare every object
with every other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cached_property

from kubelint.model import ComposeFile, K8sObject, Manifest


class Workspace:
    def __init__(self, manifests: Iterable[Manifest], *, default_namespace: str = "default") -> None:
        self.manifests: list[Manifest] = list(manifests)
        self.default_namespace = default_namespace

    @cached_property
    def kubernetes(self) -> list[K8sObject]:
        return [m for m in self.manifests if isinstance(m, K8sObject)]

    @cached_property
    def compose_files(self) -> list[ComposeFile]:
        return [m for m in self.manifests if isinstance(m, ComposeFile)]

    def namespace_of(self, obj: K8sObject) -> str:
        """The object's namespace, or the run's default namespace if it has none."""
        return obj.namespace or self.default_namespace

    @cached_property
    def _by_kind(self) -> dict[str, list[K8sObject]]:
        index: dict[str, list[K8sObject]] = defaultdict(list)
        for obj in self.kubernetes:
            index[obj.kind].append(obj)
        return dict(index)

    def of_kind(self, *kinds: str) -> list[K8sObject]:
        if len(kinds) == 1:
            return self._by_kind.get(kinds[0], [])
        return [o for k in kinds for o in self._by_kind.get(k, [])]

    @cached_property
    def _by_name(self) -> dict[tuple[str, str, str], list[K8sObject]]:
        index: dict[tuple[str, str, str], list[K8sObject]] = defaultdict(list)
        for obj in self.kubernetes:
            index[(obj.kind, self.namespace_of(obj), obj.name)].append(obj)
        return dict(index)

    def find(self, kind: str, namespace: str, name: str) -> Sequence[K8sObject]:
        """Objects of `kind` named `name` in `namespace` (usually zero or one)."""
        return self._by_name.get((kind, namespace, name), ())

    @cached_property
    def _by_kind_and_name(self) -> dict[tuple[str, str], list[K8sObject]]:
        index: dict[tuple[str, str], list[K8sObject]] = defaultdict(list)
        for obj in self.kubernetes:
            index[(obj.kind, obj.name)].append(obj)
        return dict(index)

    def named(self, kind: str, name: str) -> Sequence[K8sObject]:
        """Objects of `kind` named `name`, in any namespace."""
        return self._by_kind_and_name.get((kind, name), ())

    @cached_property
    def _namespaces(self) -> dict[str, list[K8sObject]]:
        index: dict[str, list[K8sObject]] = defaultdict(list)
        for ns in self.of_kind("Namespace"):
            index[ns.name].append(ns)
        return dict(index)

    def namespace_objects(self, name: str) -> Sequence[K8sObject]:
        """The Namespace objects of the run named `name` (usually zero or one)."""
        return self._namespaces.get(name, ())

    @cached_property
    def compose_by_dir(self) -> dict[str, list[ComposeFile]]:
        """Compose files grouped by project directory, in run order."""
        index: dict[str, list[ComposeFile]] = defaultdict(list)
        for f in self.compose_files:
            index[f.project_dir].append(f)
        return dict(index)
