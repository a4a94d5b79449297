"""What kustomize does to a file before it reaches the API server.

A file listed as a patch in a kustomization (`patches:`, `patchesStrategicMerge:`) is
a partial object: its missing required fields come from the object it patches, and it
may hold strategic-merge directives (`$patch: delete`, `$retainKeys`, ...).  A file
listed under `resources:` of a kustomization with `commonLabels:` gets its
`spec.selector` filled in by kustomize.  The schema rules use these roles to avoid
reporting what kustomize completes.

Kustomization files are looked for in the directory of each file of the run (and
its parent), read from disk once per run.
"""

from __future__ import annotations

import enum
import os
from typing import Any

import yaml

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


class Role(enum.Enum):
    PATCH = "patch"
    LABELLED_RESOURCE = "labelled-resource"  # selector filled in by commonLabels


def _load(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _paths(items: Any, field: str | None) -> list[str]:
    out: list[str] = []
    if not isinstance(items, list):
        return out
    for item in items:
        if field is None and isinstance(item, str) and "\n" not in item:
            out.append(item)
        elif field is not None and isinstance(item, dict) and isinstance(item.get(field), str):
            out.append(item[field])
    return out


class KustomizeRoles:
    """Roles of files, from the kustomization files near them (cached per directory)."""

    def __init__(self) -> None:
        self._scanned: set[str] = set()
        self._roles: dict[str, Role] = {}
        self._answers: dict[str, Role | None] = {}  # by file: asked once per object

    def role(self, absolute: str | None) -> Role | None:
        if absolute is None:
            return None
        if absolute in self._answers:
            return self._answers[absolute]
        here = os.path.dirname(absolute)
        for directory in (here, os.path.dirname(here)):
            self._scan(directory)
        found = self._answers[absolute] = self._roles.get(os.path.normpath(absolute))
        return found

    def _scan(self, directory: str) -> None:
        if directory in self._scanned:
            return
        self._scanned.add(directory)
        for name in KUSTOMIZATION_NAMES:
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                data = _load(path)
                if isinstance(data, dict):
                    self._record(directory, data)
                return

    def _record(self, directory: str, data: dict[str, Any]) -> None:
        def resolve(relative: str) -> str:
            return os.path.normpath(os.path.join(directory, relative))

        patches = _paths(data.get("patchesStrategicMerge"), None) + _paths(data.get("patches"), "path")
        for relative in patches:
            self._roles[resolve(relative)] = Role.PATCH
        if data.get("commonLabels"):
            for relative in _paths(data.get("resources"), None):
                self._roles.setdefault(resolve(relative), Role.LABELLED_RESOURCE)
