"""Suppressions, handled once for every rule.

* `# kubelint: disable=ID[,ID] [-- reason]` at the end of the offending line, or
  alone on the line before it;
* `# kubelint: disable-file=ID[,ID]` anywhere in a file;
* the annotation `kubelint.io/ignore: "ID,ID"` on a Kubernetes object or its pod
  template (the whole object);
* `x-kubelint-ignore: [ID, ...]` on a Compose service (that service) or at the top
  level of a Compose file (the whole file);
* `per-file-ignores` in the configuration.

IDs may be rule ids, rule names, id prefixes (`KL2`) or `all`.  Suppressions that
name an unknown rule, or that suppress nothing although their rule ran, are
reported (KL091, KL090).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubelint.model import ComposeFile, Finding, K8sObject, Manifest, SourceFile
from kubelint.positions import Span
from kubelint.registry import Registry, is_id_prefix
from kubelint.rule import Rule

ANNOTATION = "kubelint.io/ignore"
COMPOSE_FIELD = "x-kubelint-ignore"

_COMMENT_RE = re.compile(
    r"(?:^|\s)#\s*kubelint:\s*(disable|disable-file)\s*=\s*"
    r"([A-Za-z0-9_\-]+(?:\s*,\s*[A-Za-z0-9_\-]+)*)"
)


@dataclass
class Suppression:
    """One suppression written somewhere, and which of its ids were used."""

    ids: tuple[str, ...]
    file: str
    span: Span | None
    kind: str  # line | file | annotation | compose | config
    used: set[str] = field(default_factory=set)

    def matches(self, selector: str, finding: Finding) -> bool:
        s = selector.strip()
        if s.lower() == "all":
            return True
        if s.upper() == finding.rule_id or s.lower() == finding.rule_name:
            return True
        return is_id_prefix(s) and finding.rule_id.startswith(s.upper())


@dataclass
class FileSuppressions:
    line: dict[int, list[Suppression]] = field(default_factory=dict)
    whole: list[Suppression] = field(default_factory=list)


def parse_comments(source: SourceFile) -> FileSuppressions:
    result = FileSuppressions()
    if "kubelint:" not in source.text:
        return result
    lines = source.lines
    for number, text in enumerate(lines, start=1):
        if "kubelint:" not in text:
            continue
        match = _COMMENT_RE.search(text)
        if not match:
            continue
        ids = tuple(i.strip() for i in match.group(2).split(",") if i.strip())
        column = match.start() + (1 if text[match.start()] != "#" else 0) + 1
        span = Span(number, column, number, len(text) + 1)
        if match.group(1) == "disable-file":
            result.whole.append(Suppression(ids, source.path, span, "file"))
            continue
        own_line = not text[: match.start()].strip()
        target = number + 1 if own_line else number
        result.line.setdefault(target, []).append(Suppression(ids, source.path, span, "line"))
    return result


def _ids_from(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if isinstance(v, (str, int)) and str(v).strip())
    return ()


_TEMPLATE_PATHS: tuple[tuple[str, ...], ...] = (
    ("spec", "template", "metadata", "annotations"),
    ("spec", "jobTemplate", "spec", "template", "metadata", "annotations"),
)


def _dig(data: Any, path: Sequence[str]) -> Any:
    for p in path:
        if not isinstance(data, dict):
            return None
        data = data.get(p)
    return data


def manifest_suppressions(manifest: Manifest) -> list[tuple[tuple[Any, ...], Suppression]]:
    """(path prefix, suppression) pairs declared inside a manifest."""
    out: list[tuple[tuple[Any, ...], Suppression]] = []
    path = manifest.source.path
    if isinstance(manifest, K8sObject):
        for ann_path in (("metadata", "annotations"), *_TEMPLATE_PATHS):
            annotations = _dig(manifest.data, ann_path)
            if isinstance(annotations, dict) and ANNOTATION in annotations:
                ids = _ids_from(annotations[ANNOTATION])
                if ids:
                    span = manifest.span((*ann_path, ANNOTATION))
                    out.append(((), Suppression(ids, path, span, "annotation")))
    elif isinstance(manifest, ComposeFile) and isinstance(manifest.data, dict):
        if COMPOSE_FIELD in manifest.data:
            ids = _ids_from(manifest.data[COMPOSE_FIELD])
            if ids:
                out.append(((), Suppression(ids, path, manifest.span((COMPOSE_FIELD,)), "compose")))
        for name, service in manifest.services.items():
            if isinstance(service, dict) and COMPOSE_FIELD in service:
                ids = _ids_from(service[COMPOSE_FIELD])
                if ids:
                    span = manifest.span(("services", name, COMPOSE_FIELD))
                    out.append((("services", name), Suppression(ids, path, span, "compose")))
    return out


class Suppressor:
    """Applies every kind of suppression to a run's findings."""

    def __init__(self, registry: Registry, per_file_ignores: dict[str, list[str]]) -> None:
        self.registry = registry
        self.per_file_ignores = per_file_ignores
        self.files: dict[str, FileSuppressions] = {}
        self.by_manifest: dict[int, list[tuple[tuple[Any, ...], Suppression]]] = {}
        self.config_suppressions: dict[str, Suppression] = {}

    def add_source(self, source: SourceFile) -> None:
        self.files[source.path] = parse_comments(source)

    def add_manifest(self, manifest: Manifest) -> None:
        found = manifest_suppressions(manifest)
        if found:
            self.by_manifest[id(manifest)] = found

    def _config_for(self, file: str) -> list[Suppression]:
        from kubelint.discovery import is_excluded

        out = []
        for glob, ids in self.per_file_ignores.items():
            if is_excluded(file, [glob]):
                sup = self.config_suppressions.setdefault(glob, Suppression(tuple(ids), "", None, "config"))
                out.append(sup)
        return out

    def is_suppressed(self, finding: Finding, manifest: Manifest | None) -> bool:
        candidates: list[Suppression] = []
        fs = self.files.get(finding.file)
        if fs is not None:
            candidates.extend(fs.whole)
            if finding.span is not None:
                candidates.extend(fs.line.get(finding.span.line, ()))
        if manifest is not None:
            for prefix, sup in self.by_manifest.get(id(manifest), ()):
                if finding.path[: len(prefix)] == prefix:
                    candidates.append(sup)
        if self.per_file_ignores:
            candidates.extend(self._config_for(finding.file))
        hit = False
        for sup in candidates:
            for selector in sup.ids:
                if sup.matches(selector, finding):
                    sup.used.add(selector)
                    hit = True
        return hit

    def all(self) -> Iterable[Suppression]:
        for fs in self.files.values():
            yield from fs.whole
            for sups in fs.line.values():
                yield from sups
        for pairs in self.by_manifest.values():
            for _, sup in pairs:
                yield sup

    def problems(self, enabled: set[str], ran: set[str]) -> Iterable[tuple[Rule, Suppression, str]]:
        """(meta rule, suppression, message) for unknown and unused suppressions.

        `enabled` holds the ids of enabled rules, `ran` those that actually ran on
        something (a rule that never ran cannot have been needed).
        """
        from kubelint import diagnostics as diag

        for sup in self.all():
            for selector in sup.ids:
                s = selector.strip()
                is_prefix = is_id_prefix(s) and any(r.id.startswith(s.upper()) for r in self.registry)
                if s.lower() != "all" and self.registry.get(s) is None and not is_prefix:
                    yield (
                        diag.UNKNOWN_RULE_IN_SUPPRESSION,
                        sup,
                        f"suppression names {self.registry.unknown_selector_message(s)}",
                    )
                    continue
                if selector in sup.used:
                    continue
                r = self.registry.get(s)
                if r is not None and (r.id not in enabled or (r.check is not None and r.id not in ran)):
                    continue
                if r is None:  # a prefix or all: unused only if one of its rules ran
                    continue
                yield (
                    diag.UNUSED_SUPPRESSION,
                    sup,
                    f"suppression of {r.id} ({r.name}) matches no finding here; remove it",
                )
