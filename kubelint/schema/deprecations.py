"""Deprecated and removed API versions (Fairwinds Pluto's table, shipped in
kubelint/schemas/deprecations/, see its README for source and licence)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from kubelint.schema.versions import version_key


@dataclass(frozen=True, slots=True)
class Deprecation:
    api_version: str  # "extensions/v1beta1", or a bare group ("rbac.istio.io")
    kind: str  # "" = every kind of that apiVersion
    deprecated_in: str
    removed_in: str
    replacement: str
    replacement_since: str
    component: str

    def matches(self, api_version: str, kind: str) -> bool:
        if self.kind and self.kind != kind:
            return False
        if "/" in self.api_version or "." not in self.api_version:
            return self.api_version == api_version
        return api_version.partition("/")[0] == self.api_version


@dataclass(frozen=True, slots=True)
class Status:
    """What the table says about one apiVersion/kind for the target version."""

    entry: Deprecation
    removed: bool  # removed in the target Kubernetes version (k8s entries only)

    def message(self, api_version: str, kind: str, target: str) -> str:
        e = self.entry
        what = f"{api_version} {kind}"
        use = f"; use {e.replacement}" if e.replacement else ""
        deprecated_in, removed_in, since = (
            _shown(e.deprecated_in),
            _shown(e.removed_in),
            _shown(e.replacement_since),
        )
        if e.component != "k8s":
            when = f"deprecated in {e.component} {deprecated_in}"
            if e.removed_in:
                when += f" and removed in {removed_in}"
            return f"{what} is {when}{use}"
        available = f" (available since Kubernetes {since})" if since and use else ""
        if self.removed:
            return f"{what} was removed in Kubernetes {removed_in} (target {target}){use}{available}"
        removal = f", removed in {removed_in}" if removed_in else ""
        return f"{what} is deprecated since Kubernetes {deprecated_in}{removal}{use}{available}"


def _shown(version: str) -> str:
    """ "v1.22.0" -> "1.22" (Kubernetes versions as people write them)."""
    text = version.lstrip("v")
    return text[:-2] if text.count(".") == 2 and text.endswith(".0") else text


class DeprecationTable:
    """The shipped table, loaded once per run."""

    def __init__(self) -> None:
        ref = resources.files("kubelint.schemas").joinpath("deprecations", "versions.json")
        with ref.open("rb") as handle:
            raw: dict[str, Any] = json.load(handle)
        self.entries = [
            Deprecation(
                api_version=str(row.get("version") or ""),
                kind=str(row.get("kind") or ""),
                deprecated_in=str(row.get("deprecated-in") or ""),
                removed_in=str(row.get("removed-in") or ""),
                replacement=str(row.get("replacement-api") or ""),
                replacement_since=str(row.get("replacement-available-in") or ""),
                component=str(row.get("component") or ""),
            )
            for row in raw.get("deprecated-versions", [])
            if isinstance(row, dict)
        ]
        self._memo: dict[tuple[str, str, str], Status | None] = {}

    def status(self, api_version: str, kind: str, target: str) -> Status | None:
        """The entry for this apiVersion/kind if it is deprecated or removed at `target`."""
        key = (api_version, kind, target)
        try:
            return self._memo[key]  # a run has few distinct apiVersion/kinds, and many objects
        except KeyError:
            found = self._memo[key] = self._status(api_version, kind, target)
            return found

    def _status(self, api_version: str, kind: str, target: str) -> Status | None:
        target_key = version_key(target)
        for entry in self.entries:
            if not entry.matches(api_version, kind):
                continue
            if entry.component != "k8s":
                return Status(entry, removed=False)
            if entry.removed_in and version_key(entry.removed_in)[:2] <= target_key[:2]:
                return Status(entry, removed=True)
            if entry.deprecated_in and version_key(entry.deprecated_in)[:2] <= target_key[:2]:
                return Status(entry, removed=False)
        return None
