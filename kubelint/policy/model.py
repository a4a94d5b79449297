"""A policy once loaded: what it matches and the checks it makes, all compiled."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Any

from kubelint.model import Severity
from kubelint.policy.paths import Segment
from kubelint.selectors import Selector

COMPARISONS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def _glob_any(patterns: tuple[str, ...], value: str) -> bool:
    return any(fnmatch.fnmatchcase(value, p) for p in patterns)


@dataclass(frozen=True)
class Selection:
    """One side of `match:` (the `exclude:` side has the same shape)."""

    kinds: tuple[str, ...] = ()
    api_versions: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    labels: Selector | None = None
    services: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.kinds or self.api_versions or self.namespaces or self.names or self.labels or self.services
        )

    def matches(self, kind: str, api_version: str, namespace: str, name: str, labels: dict[str, Any]) -> bool:
        if self.kinds and kind not in self.kinds:
            return False
        if self.api_versions and not _glob_any(self.api_versions, api_version):
            return False
        if self.namespaces and not _glob_any(self.namespaces, namespace):
            return False
        if self.names and not _glob_any(self.names, name):
            return False
        if self.services and not _glob_any(self.services, name):
            return False
        return self.labels is None or self.labels.matches(labels)


@dataclass(frozen=True)
class Match:
    include: Selection = field(default_factory=Selection)
    exclude: Selection | None = None
    compose: bool = False  # the policy checks Compose services, not Kubernetes objects

    def matches(self, kind: str, api_version: str, namespace: str, name: str, labels: dict[str, Any]) -> bool:
        if not self.include.matches(kind, api_version, namespace, name, labels):
            return False
        return self.exclude is None or not self.exclude.matches(kind, api_version, namespace, name, labels)


@dataclass(frozen=True)
class PathCheck:
    """One item of `assert:`: a path and the operators that must hold on it."""

    path: str
    segments: tuple[Segment, ...]
    exists: bool | None = None
    equals: tuple[Any, ...] = ()  # () = not given; (value,) otherwise
    not_equals: tuple[Any, ...] = ()
    one_of: tuple[Any, ...] | None = None
    none_of: tuple[Any, ...] | None = None
    regex: re.Pattern[str] | None = None
    not_regex: re.Pattern[str] | None = None
    comparisons: tuple[tuple[str, Any], ...] = ()  # (lt|lte|gt|gte, operand)
    message: str | None = None


@dataclass(frozen=True)
class CelValidation:
    expression: str
    program: Any
    message: str | None = None
    message_expression: str | None = None
    message_program: Any = None


@dataclass(frozen=True)
class CrossResource:
    mode: str  # references | referencedBy | selectedBy
    kind: str
    path: str  # the name path (references, referencedBy) or the selector path (selectedBy)
    segments: tuple[Segment, ...]
    cluster_scoped: bool = False
    kind_path: tuple[Segment, ...] | None = None  # referencedBy: where the referrer names a kind


@dataclass(frozen=True)
class Example:
    data: Any  # one object, a Compose file, or a list of objects
    line: int


@dataclass(frozen=True)
class Policy:
    id: str
    name: str
    description: str
    file: str
    line: int
    severity: Severity = Severity.WARNING
    enabled: bool = True
    category: str = "policy"
    rationale: str | None = None
    remediation: str | None = None
    message: str | None = None
    match: Match = field(default_factory=Match)
    checks: tuple[PathCheck, ...] = ()
    schema: dict[str, Any] | None = None
    schema_validator: Any = None
    cel: tuple[CelValidation, ...] = ()
    cross: CrossResource | None = None
    passing: tuple[Example, ...] = ()
    failing: tuple[Example, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def form(self) -> str:
        if self.checks:
            return "assert"
        if self.schema is not None:
            return "schema"
        if self.cel:
            return "cel"
        return "crossResource"
