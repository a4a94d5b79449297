"""The objects every part of kubelint talks about: sources, documents, manifests,
violations (what a rule yields) and findings (what the report shows)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from kubelint.positions import Path, PositionMap, Span

T = TypeVar("T")


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None


@dataclass(eq=False)
class SourceFile:
    """One input file (or stdin) and its text."""

    path: str  # display path: relative to the working directory where possible, posix
    text: str
    absolute: str | None = None  # None for stdin and rendered output
    group: str | None = None  # rendered output: "helm:<chart>@<profile>", "kustomize:<dir>"

    @cached_property
    def lines(self) -> list[str]:
        return split_lines(self.text)


def split_lines(text: str) -> list[str]:
    """Split as YAML counts lines (\\r\\n, \\r, \\n, NEL, LS, PS)."""
    import re

    return re.split(r"\r\n|\r|\n|\x85|\u2028|\u2029", text)


@dataclass(eq=False, slots=True)
class Document:
    """One YAML document of a source file."""

    source: SourceFile
    index: int
    data: Any
    positions: PositionMap

    def span(self, path: Path, *, key: bool = False) -> Span:
        return self.positions.span(path, key=key)


class Format(enum.Enum):
    KUBERNETES = "kubernetes"
    COMPOSE = "compose"


@dataclass(eq=False)
class Manifest:
    """Something rules check: a Kubernetes object or a Compose file.

    `base` is where the manifest's data sits inside its document (non-empty for the
    items of a Kubernetes `List`).
    """

    doc: Document
    base: Path
    data: Any

    format = Format.KUBERNETES

    @property
    def source(self) -> SourceFile:
        return self.doc.source

    def span(self, path: Path, *, key: bool = False) -> Span:
        return self.doc.span(self.base + path, key=key)

    def derived(self, key: str, compute: Callable[..., T], *args: Any) -> T:
        """`compute(self, *args)`, worked out once and kept under `key` (not a Python
        name, so it never hides an attribute): what rules read from the data (pod spec, containers, references; the data never changes
        during a run), so that twenty rules asking cost one walk."""
        memo = self.__dict__
        try:
            return memo[key]  # type: ignore[no-any-return]
        except KeyError:
            value = memo[key] = compute(self, *args)
            return value

    @property
    def label(self) -> str:
        raise NotImplementedError

    @property
    def identity(self) -> tuple[str, ...]:
        raise NotImplementedError


@dataclass(eq=False)
class K8sObject(Manifest):
    api_version: str = ""
    kind: str = ""
    format = Format.KUBERNETES

    @property
    def metadata(self) -> Mapping[str, Any]:
        meta = self.data.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def name(self) -> str:
        name = self.metadata.get("name")
        if isinstance(name, str):
            return name
        generate = self.metadata.get("generateName")
        return generate if isinstance(generate, str) else ""

    @property
    def namespace(self) -> str | None:
        """The namespace written in the object (None if absent; see Workspace)."""
        ns = self.metadata.get("namespace")
        return ns if isinstance(ns, str) and ns else None

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0] if "/" in self.api_version else ""

    @property
    def version(self) -> str:
        return self.api_version.rpartition("/")[2]

    @property
    def labels(self) -> Mapping[str, Any]:
        labels = self.metadata.get("labels")
        return labels if isinstance(labels, dict) else {}

    @property
    def annotations(self) -> Mapping[str, Any]:
        ann = self.metadata.get("annotations")
        return ann if isinstance(ann, dict) else {}

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}" if self.name else self.kind

    @property
    def identity(self) -> tuple[str, ...]:
        return ("kubernetes", self.group, self.kind, self.namespace or "", self.name)


@dataclass(eq=False)
class ComposeFile(Manifest):
    """One Compose file (a document with top-level `services:` or a Compose name)."""

    format = Format.COMPOSE

    @property
    def services(self) -> Mapping[str, Any]:
        services = self.data.get("services") if isinstance(self.data, dict) else None
        return services if isinstance(services, dict) else {}

    @property
    def project_dir(self) -> str:
        path = self.source.absolute or self.source.path
        return path.rpartition("/")[0] or "."

    @property
    def label(self) -> str:
        return f"compose file {self.source.path}"

    @property
    def identity(self) -> tuple[str, ...]:
        return ("compose", self.source.path)


@dataclass(frozen=True, slots=True)
class Related:
    """Another place that explains a finding (the other side of a clash, say)."""

    message: str
    file: str
    span: Span | None


@dataclass(slots=True)
class Violation:
    """What a rule yields: a path into the manifest and a one-line message.

    `key=True` positions the finding on the mapping key of the last path element
    (for problems with the key itself).  `fix` is a one-line remedy shown under the
    code frame.  `sensitive=True` marks the node as holding a secret value, so
    no report shows its text (code frames mask it).  `at` positions the finding in another manifest (the engine still
    attributes it to the checked one for suppressions); `location` positions it in
    any source file read with `RuleContext.read_source` (a `.env` file, say).
    `fingerprint` is stable
    content identifying the problem (for baselines); defaults to the path.
    """

    path: Path
    message: str
    key: bool = False
    fix: str | None = None
    related: tuple[Related, ...] = ()
    at: Manifest | None = None
    fingerprint: str | None = None
    severity: Severity | None = None
    sensitive: bool = False  # the node holds a secret: reports never show its text
    location: tuple[SourceFile, Span] | None = None  # a place in a non-YAML file (.env)


@dataclass(frozen=True, slots=True)
class ObjectRef:
    kind: str
    name: str
    namespace: str | None = None
    api_version: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
        }


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    rule_name: str
    severity: Severity
    message: str
    file: str
    span: Span | None
    object: ObjectRef | None = None
    path: Path = ()
    fix: str | None = None
    related: tuple[Related, ...] = ()
    fingerprint: str = ""
    extra: tuple[tuple[str, str], ...] = field(default=())

    @property
    def sort_key(self) -> tuple[Any, ...]:
        line, col = (self.span.line, self.span.column) if self.span else (0, 0)
        return (self.file, line, col, self.rule_id, self.message)
