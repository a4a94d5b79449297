"""The path syntax of policy checks: `spec.template.spec.containers[*].image`.

* `a.b` — key `b` of mapping `a`; `a["app.kubernetes.io/name"]` for keys with dots
  or slashes (single or double quotes);
* `a[0]` — an item of a list (negative indexes count from the end);
* `a[*]` — every item of a list; `a.*` — every value of a mapping;
* a leading `$podSpec` — the pod spec of any workload kind (`spec` of a Pod,
  `spec.template.spec` of a Deployment, `spec.jobTemplate.spec.template.spec` of a
  CronJob, ...); a leading `$containers` — every container of that pod spec
  (`containers`, `initContainers` and `ephemeralContainers`).

`resolve()` walks a path through an object and yields every node it reaches, and
for each branch that breaks off, the deepest existing node (so that "must exist"
checks can point at the nearest parent).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kubelint.k8s import POD_SPEC_PATHS
from kubelint.positions import Path

CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


class PathSyntaxError(ValueError):
    """A path that cannot be parsed (the message says where)."""


@dataclass(frozen=True, slots=True)
class Key:
    name: str


@dataclass(frozen=True, slots=True)
class Index:
    index: int


@dataclass(frozen=True, slots=True)
class AnyItem:
    """`[*]`: every item of a list."""


@dataclass(frozen=True, slots=True)
class AnyValue:
    """`*`: every value of a mapping."""


@dataclass(frozen=True, slots=True)
class Root:
    """`$podSpec` or `$containers` (only as the first segment)."""

    name: str


Segment = Key | Index | AnyItem | AnyValue | Root
ROOTS = ("$podSpec", "$containers")

_TOKEN_RE = re.compile(
    r"""
    (?P<root>\$[A-Za-z]+)
  | \[\s*(?P<index>-?[0-9]+)\s*\]
  | \[\s*(?P<star>\*)\s*\]
  | \[\s*(?P<quoted>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*\]
  | (?P<dot>\.)
  | (?P<anyvalue>\*)
  | (?P<key>[^.\[\]*"'$\s][^.\[\]*"'\s]*)
    """,
    re.X,
)


def parse_path(text: str) -> tuple[Segment, ...]:
    """Parse a path, or raise PathSyntaxError naming the column of the problem."""
    segments: list[Segment] = []
    position = 0
    expect_name = True  # at the start or after a dot: a key, * or [..] comes next
    text = text.strip()
    if not text:
        raise PathSyntaxError("empty path")
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if match is None:
            raise PathSyntaxError(f"unexpected {text[position]!r} at column {position + 1} of path {text!r}")
        kind = match.lastgroup
        value = match.group(kind or 0)
        if kind == "root":
            if segments or position:
                raise PathSyntaxError(f"{value} may only start a path ({text!r})")
            if value not in ROOTS:
                raise PathSyntaxError(f"unknown path root {value!r} (use {' or '.join(ROOTS)})")
            segments.append(Root(value))
            expect_name = False
        elif kind == "dot":
            if expect_name:
                raise PathSyntaxError(f"unexpected '.' at column {position + 1} of path {text!r}")
            expect_name = True
        elif kind in ("key", "anyvalue"):
            if not expect_name:
                raise PathSyntaxError(f"missing '.' before column {position + 1} of path {text!r}")
            segments.append(Key(value) if kind == "key" else AnyValue())
            expect_name = False
        else:
            if expect_name and segments:
                raise PathSyntaxError(f"unexpected '[' after '.' at column {position + 1} of path {text!r}")
            if kind == "index":
                segments.append(Index(int(value)))
            elif kind == "star":
                segments.append(AnyItem())
            else:
                segments.append(Key(_unquote(value)))
            expect_name = False
        position = match.end()
    if expect_name:
        raise PathSyntaxError(f"path {text!r} ends with '.'")
    return tuple(segments)


def _unquote(quoted: str) -> str:
    body = quoted[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


_PLAIN_KEY_RE = re.compile(r"[A-Za-z0-9_\-]+")


def format_path(path: Path) -> str:
    """A concrete path written in the same syntax (`spec.containers[0].image`)."""
    out = ""
    for element in path:
        if isinstance(element, int):
            out += f"[{element}]"
        elif _PLAIN_KEY_RE.fullmatch(element):
            out += f".{element}" if out else element
        else:
            out += '["' + element.replace("\\", "\\\\").replace('"', '\\"') + '"]'
    return out


@dataclass(frozen=True, slots=True)
class Reached:
    """One node a path reaches (`found`), or where one branch of it breaks off."""

    path: Path  # concrete path of the node, or of the deepest existing parent
    value: Any  # the node (None when not found)
    found: bool
    item: Any  # the value the last wildcard bound (a container for $containers)
    missing: str = ""  # what is missing below `path`, in path syntax (when not found)

    @property
    def wanted(self) -> str:
        """The full path of the node looked for (found or not)."""
        shown = format_path(self.path)
        if not self.missing:
            return shown
        if not shown or self.missing.startswith("["):
            return shown + self.missing
        return f"{shown}.{self.missing}"


def resolve(data: Any, segments: tuple[Segment, ...], kind: str = "") -> Iterator[Reached]:
    """Every node `segments` reaches in `data`, and where its branches break off.

    A wildcard over an empty list or mapping reaches nothing (there is nothing to
    check); a wildcard over a missing node breaks off there.
    """
    if segments and isinstance(segments[0], Root):
        spec_path = POD_SPEC_PATHS.get(kind)
        if spec_path is None:
            return  # not a workload: $podSpec and $containers reach nothing
        rest = segments[1:]
        node: Any = data
        for depth, key in enumerate(spec_path):
            if not isinstance(node, dict) or key not in node:
                yield Reached(
                    spec_path[:depth],
                    None,
                    False,
                    None,
                    format_segments(tuple(Key(str(k)) for k in spec_path[depth:])),
                )
                return
            node = node[key]
        if segments[0].name == "$podSpec":
            yield from _walk(node, rest, spec_path, None)
            return
        if not isinstance(node, dict):
            return
        for list_name in CONTAINER_LISTS:
            containers = node.get(list_name)
            if not isinstance(containers, list):
                continue
            for i, container in enumerate(containers):
                yield from _walk(container, rest, (*spec_path, list_name, i), container)
        return
    yield from _walk(data, segments, (), None)


def format_segments(segments: tuple[Segment, ...]) -> str:
    """Segments written back in path syntax (wildcards as `[*]` and `*`)."""
    out = ""
    for segment in segments:
        if isinstance(segment, Key):
            out += (
                format_path((segment.name,))
                if not out or format_path((segment.name,)).startswith("[")
                else "." + format_path((segment.name,))
            )
        elif isinstance(segment, Index):
            out += f"[{segment.index}]"
        elif isinstance(segment, AnyItem):
            out += "[*]"
        elif isinstance(segment, AnyValue):
            out += ".*" if out else "*"
    return out


def _walk(node: Any, segments: tuple[Segment, ...], path: Path, item: Any) -> Iterator[Reached]:
    for depth, segment in enumerate(segments):
        rest = segments[depth + 1 :]
        missing = format_segments(segments[depth:])
        if isinstance(segment, Key):
            if not isinstance(node, dict) or segment.name not in node:
                yield Reached(path, None, False, item, missing)
                return
            node = node[segment.name]
            path = (*path, segment.name)
        elif isinstance(segment, Index):
            if not isinstance(node, list) or not -len(node) <= segment.index < len(node):
                yield Reached(path, None, False, item, missing)
                return
            index = segment.index % len(node)
            node = node[index]
            path = (*path, index)
        elif isinstance(segment, AnyItem):
            if not isinstance(node, list):
                if node is None:
                    yield Reached(path, None, False, item, missing)
                return
            for i, child in enumerate(node):
                yield from _walk(child, rest, (*path, i), child)
            return
        elif isinstance(segment, AnyValue):
            if not isinstance(node, dict):
                if node is None:
                    yield Reached(path, None, False, item, missing)
                return
            for key, child in node.items():
                yield from _walk(child, rest, (*path, key), child)
            return
        else:  # a Root in the middle is rejected by parse_path
            return
    yield Reached(path, node, True, item)
