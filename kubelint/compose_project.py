"""Compose projects as `docker compose` loads them, with the origin of every node.

A project is a base file (`compose.yaml`, `compose.yml`, `docker-compose.yaml`,
`docker-compose.yml`, in Compose's order of preference) plus its override file
(`compose.override.yaml`, ...) in the same directory, with `include:` projects and
`extends:` services resolved and every value interpolated (`.env` beside the project,
then the environment of the run unless disabled).  Another Compose file of the same
directory that redefines services of the base is an overlay used as `-f base -f
other`: it forms a project of its own (base + that file).  Any other Compose file is
a project by itself.

Merging never loses where a value was written: `Project.origins` maps each path of
the merged data to (file, path in that file), so a finding on the merged project is
reported at the line and column of the file the value came from.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kubelint.compose_interpolation import (
    EnvLine,
    InterpolationProblem,
    env_values,
    interpolate,
    parse_env_file,
)
from kubelint.loader import load_stream
from kubelint.model import ComposeFile, Related, Severity, SourceFile, Violation
from kubelint.positions import Path, PositionMap, Span

if TYPE_CHECKING:
    from kubelint.rule import RuleContext

BASE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDE_NAMES = {
    "compose.yaml": ("compose.override.yaml", "compose.override.yml"),
    "compose.yml": ("compose.override.yml", "compose.override.yaml"),
    "docker-compose.yaml": ("docker-compose.override.yaml", "docker-compose.override.yml"),
    "docker-compose.yml": ("docker-compose.override.yml", "docker-compose.override.yaml"),
}
ALL_OVERRIDES = frozenset(n for names in OVERRIDE_NAMES.values() for n in names)

# Service keys whose list form (`KEY=value`, `name`) is a mapping in disguise.
_MAPPING_LISTS = frozenset(
    {"environment", "labels", "annotations", "sysctls", "args", "depends_on", "networks", "extra_hosts"}
)
# Sequences an override replaces instead of extending.
_REPLACED = frozenset({"command", "entrypoint", "test", "dns", "dns_search", "tmpfs"})
_MAX_DEPTH = 16


@dataclass(eq=False)
class ComposeSource:
    """One loaded Compose file (from the run or read because a project refers to it)."""

    source: SourceFile
    data: Any
    positions: PositionMap
    manifest: ComposeFile | None = None

    @property
    def directory(self) -> str:
        path = self.source.absolute or self.source.path
        return os.path.dirname(path) or "."


Origin = tuple[ComposeSource, Path]


@dataclass(frozen=True, slots=True)
class ProjectProblem:
    """A loading error Compose reports (missing include, unknown extends target)."""

    kind: str  # "include" | "extends" | "conflict"
    origin: Origin
    message: str
    key: bool = False


@dataclass(frozen=True, slots=True)
class LocatedInterpolation:
    origin: Origin
    problem: InterpolationProblem


@dataclass
class _Layer:
    data: Any
    origins: dict[Path, Origin]


@dataclass(eq=False)
class Project:
    root: ComposeFile
    directory: str
    files: list[ComposeSource]
    data: dict[str, Any]
    origins: dict[Path, Origin]
    env: dict[str, str]
    dotenv: tuple[SourceFile, list[EnvLine]] | None = None
    interpolation: list[LocatedInterpolation] = field(default_factory=list)
    problems: list[ProjectProblem] = field(default_factory=list)
    overlay_of: ComposeFile | None = None  # -f base -f root: report only in root

    @property
    def services(self) -> dict[str, Any]:
        services = self.data.get("services")
        return services if isinstance(services, dict) else {}

    @property
    def active_profiles(self) -> set[str]:
        return {p.strip() for p in self.env.get("COMPOSE_PROFILES", "").split(",") if p.strip()}

    def disabled_by_profile(self, name: str) -> list[str] | None:
        """The profiles of a service that no active profile enables (None: enabled).
        Compose leaves such services out of `config` and `up` unless `--profile` is given."""
        service = self.services.get(name)
        profiles = service.get("profiles") if isinstance(service, dict) else None
        if not isinstance(profiles, list) or not profiles:
            return None
        active = self.active_profiles
        if "*" in active or any(str(p) in active for p in profiles):
            return None
        return [str(p) for p in profiles]

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name)
        return value if isinstance(value, dict) else {}

    def origin(self, path: Path) -> Origin | None:
        for i in range(len(path), -1, -1):
            found = self.origins.get(path[:i])
            if found is not None:
                return found
        return None

    def locate(self, path: Path, *, key: bool = False) -> tuple[SourceFile, Span]:
        """Where the merged node at `path` is written (or its nearest written parent)."""
        for i in range(len(path), -1, -1):
            found = self.origins.get(path[:i])
            if found is not None:
                src, src_path = found
                return src.source, src.positions.span(src_path, key=key and i == len(path))
        return self.root.source, self.root.span(())

    def written(self, path: Path, value: Any) -> str:
        """`value` quoted for a message, or a neutral word when it came from a variable
        (an interpolated value may be a secret from the environment: never echoed)."""
        found = self.origin(path)
        if found is not None:
            raw: Any = found[0].data
            for element in found[1]:
                try:
                    raw = raw[element]
                except (KeyError, IndexError, TypeError):
                    raw = None
                    break
            if isinstance(raw, str) and "$" in raw:
                return "(interpolated value)"
        return f'"{value}"'

    def reports_at(self, source: SourceFile) -> bool:
        """Whether a finding in `source` belongs to this project's report (an overlay
        project reports only what is written in its own file)."""
        return self.overlay_of is None or source is self.root.source

    @property
    def label(self) -> str:
        return self.root.source.path


def locate_origin(origin: Origin, *, key: bool = False) -> tuple[SourceFile, Span]:
    src, path = origin
    return src.source, src.positions.span(path, key=key)


def expression_span(origin: Origin, text: str, offset: int) -> tuple[SourceFile, Span]:
    """The span of an interpolation expression at `offset` of the scalar `text`,
    when the scalar sits on one line as written; else the scalar's span."""
    source, span = locate_origin(origin)
    if span.line == span.end_line and 0 < span.line <= len(source.lines):
        written = source.lines[span.line - 1][span.column - 1 : span.end_column - 1]
        quote = 1 if written[:1] in ("'", '"') else 0
        inner = written[quote : len(written) - quote] if quote else written
        if inner == text or (not quote and written.startswith(text)):
            column = span.column + quote + offset
            return source, Span(span.line, column, span.line, column + 1)
    return source, span


# ---------------------------------------------------------------------------- loading


class _Loader:
    """Loads the projects of one run; files are read once."""

    def __init__(
        self,
        compose_files: list[ComposeFile],
        read_source: Callable[[str], SourceFile | None],
        environment: Mapping[str, str],
    ) -> None:
        self.read_source = read_source
        self.environment = dict(environment)
        self.sources: dict[str, ComposeSource | None] = {}
        for f in compose_files:
            if f.base == () and f.doc.index == 0:
                key = self._key(f.source.absolute or f.source.path)
                self.sources[key] = ComposeSource(f.source, f.data, f.doc.positions, f)
        self.dotenvs: dict[str, tuple[SourceFile, list[EnvLine], dict[str, str]] | None] = {}

    @staticmethod
    def _key(path: str) -> str:
        return os.path.normpath(os.path.abspath(path))

    def source(self, path: str) -> ComposeSource | None:
        key = self._key(path)
        if key not in self.sources:
            self.sources[key] = None
            text = self.read_source(key)
            if text is not None:
                loaded = load_stream(text.text)
                if loaded.documents and not loaded.problems:
                    doc = loaded.documents[0]
                    self.sources[key] = ComposeSource(text, doc.data, doc.positions)
        return self.sources[key]

    def dotenv(self, directory: str) -> tuple[SourceFile, list[EnvLine], dict[str, str]] | None:
        key = self._key(os.path.join(directory, ".env"))
        if key not in self.dotenvs:
            self.dotenvs[key] = None
            if os.path.isfile(key):
                text = self.read_source(key)
                if text is not None:
                    lines, _bad = parse_env_file(text.text)
                    self.dotenvs[key] = (text, lines, env_values(lines, self.environment))
        return self.dotenvs[key]

    def env_for(self, directory: str) -> dict[str, str]:
        dot = self.dotenv(directory)
        return {**(dot[2] if dot else {}), **self.environment}

    # -- one file -> one layer (interpolated, includes and extends resolved)

    def layer(self, src: ComposeSource, env: dict[str, str], project: Project, depth: int = 0) -> _Layer:
        origins: dict[Path, Origin] = {}
        data = self._interpolated(src, src.data, (), env, origins, project)
        layer = _Layer(data, origins)
        if isinstance(data, dict):
            services = data.get("services")
            if isinstance(services, dict):
                for name in list(services):
                    self._extends(src, layer, str(name), env, project, depth, [])
            if depth < _MAX_DEPTH and isinstance(data.get("include"), list):
                for i, entry in enumerate(data["include"]):
                    self._include(src, layer, i, entry, project, depth)
        return layer

    def _interpolated(
        self,
        src: ComposeSource,
        value: Any,
        path: Path,
        env: dict[str, str],
        origins: dict[Path, Origin],
        project: Project,
    ) -> Any:
        origins[path] = (src, path)
        if isinstance(value, dict):
            return {
                k: self._interpolated(src, v, path + (k,), env, origins, project) for k, v in value.items()
            }
        if isinstance(value, list):
            return [
                self._interpolated(src, v, path + (i,), env, origins, project) for i, v in enumerate(value)
            ]
        if isinstance(value, str) and "$" in value:
            problems: list[InterpolationProblem] = []
            result = interpolate(value, env, problems)
            project.interpolation.extend(LocatedInterpolation((src, path), p) for p in problems)
            return result
        return value

    def _include(
        self, src: ComposeSource, layer: _Layer, index: int, entry: Any, project: Project, depth: int
    ) -> None:
        where: Path = ("include", index)
        paths: list[Any]
        project_dir: Any = None
        env_files: Any = None
        if isinstance(entry, str):
            paths = [entry]
        elif isinstance(entry, dict):
            raw = entry.get("path")
            paths = raw if isinstance(raw, list) else [raw]
            project_dir = entry.get("project_directory")
            env_files = entry.get("env_file")
            where = where + ("path",)
        else:
            return
        merged: _Layer | None = None
        for j, p in enumerate(paths):
            if not isinstance(p, str) or not p:
                continue
            target = os.path.join(src.directory, os.path.expanduser(p))
            included = self.source(target)
            at = where + ((j,) if isinstance(entry, dict) and isinstance(entry.get("path"), list) else ())
            if included is None:
                project.problems.append(
                    ProjectProblem("include", (src, at), f"included file {p!r} does not exist or is not YAML")
                )
                return
            project.files.append(included)
            directory = (
                os.path.join(src.directory, project_dir)
                if isinstance(project_dir, str)
                else included.directory
            )
            env = self.env_for(directory)
            if isinstance(env_files, (str, list)):
                for ef in [env_files] if isinstance(env_files, str) else env_files:
                    if isinstance(ef, str):
                        text = self.read_source(os.path.join(src.directory, ef))
                        if text is not None:
                            env = {
                                **env_values(parse_env_file(text.text)[0], self.environment),
                                **self.environment,
                            }
            sub = self.layer(included, env, project, depth + 1)
            merged = sub if merged is None else merge_layers(merged, sub)
        if merged is None or not isinstance(merged.data, dict) or not isinstance(layer.data, dict):
            return
        for section in ("services", "networks", "volumes", "secrets", "configs"):
            theirs = merged.data.get(section)
            if not isinstance(theirs, dict):
                continue
            ours = layer.data.get(section)
            if not isinstance(ours, dict):
                ours = layer.data[section] = {}
                layer.origins.setdefault((section,), (src, (section,)))
            for name, value in theirs.items():
                if name in ours:
                    if section == "services":
                        project.problems.append(
                            ProjectProblem(
                                "conflict",
                                layer.origins.get((section, name), (src, (section, name))),
                                f"service {name!r} conflicts with the service of the same name "
                                f"imported by include",
                                key=True,
                            )
                        )
                    continue
                ours[name] = value
                _copy_origins(merged.origins, (section, name), (section, name), layer.origins, value)

    def _extends(
        self,
        src: ComposeSource,
        layer: _Layer,
        name: str,
        env: dict[str, str],
        project: Project,
        depth: int,
        stack: list[tuple[str, str]],
    ) -> None:
        services = layer.data["services"]
        service = services.get(name)
        if not isinstance(service, dict) or "extends" not in service:
            return
        spec = service["extends"]
        base_name: Any
        base_file: Any
        if isinstance(spec, str):
            base_name, base_file = spec, None
        elif isinstance(spec, dict):
            base_name, base_file = spec.get("service"), spec.get("file")
        else:
            return
        if not isinstance(base_name, str):
            return
        at: Path = ("services", name, "extends") + (("service",) if isinstance(spec, dict) else ())
        marker = (src.source.path, name)
        if marker in stack or depth > _MAX_DEPTH:
            project.problems.append(
                ProjectProblem(
                    "extends", layer.origins.get(at, (src, at)), f"service {name!r} extends itself"
                )
            )
            return
        if isinstance(base_file, str):
            other = self.source(os.path.join(src.directory, base_file))
            if other is None:
                file_at = ("services", name, "extends", "file")
                project.problems.append(
                    ProjectProblem(
                        "extends",
                        layer.origins.get(file_at, (src, file_at)),
                        f"extends file {base_file!r} does not exist or is not YAML",
                    )
                )
                return
            cached = self._extends_layer(other, project, depth)
            if cached is None:
                project.problems.append(
                    ProjectProblem(
                        "extends",
                        layer.origins.get(at, (src, at)),
                        f"service {name!r} extends a file that extends back (a cycle)",
                    )
                )
                return
            base_layer = cached
            project.files.append(other)
        else:
            base_layer = layer
            self._extends(src, layer, base_name, env, project, depth + 1, stack + [marker])
        base_services = base_layer.data.get("services") if isinstance(base_layer.data, dict) else None
        base = base_services.get(base_name) if isinstance(base_services, dict) else None
        if not isinstance(base, dict):
            where = f" in {base_file}" if isinstance(base_file, str) else ""
            project.problems.append(
                ProjectProblem(
                    "extends",
                    layer.origins.get(at, (src, at)),
                    f"service {name!r} extends service {base_name!r}, which is not defined{where}",
                )
            )
            return
        if base is service:
            return
        start = _Layer({}, {})
        base_copy = {k: v for k, v in base.items() if k != "extends"}
        start.data = base_copy
        _copy_origins(base_layer.origins, ("services", base_name), (), start.origins, base_copy)
        own = _Layer({}, {})
        own.data = service
        _copy_origins(layer.origins, ("services", name), (), own.origins, service)
        result = merge_layers(start, own, service=True)
        services[name] = result.data
        _copy_origins(result.origins, (), ("services", name), layer.origins, result.data)

    def _extends_layer(self, other: ComposeSource, project: Project, depth: int) -> _Layer | None:
        """The layer of a file extended from (once per project; None while it is being
        built, that is for a cycle of files extending each other)."""
        memo: dict[int, _Layer | None] = project.__dict__.setdefault("_extends_layers", {})
        key = id(other)
        if key not in memo:
            memo[key] = None
            memo[key] = self.layer(other, self.env_for(other.directory), project, depth + 1)
        return memo[key]

    def project(
        self, root: ComposeFile, files: list[ComposeSource], overlay_of: ComposeFile | None = None
    ) -> Project:
        directory = files[0].directory
        dot = self.dotenv(directory)
        env = self.env_for(directory)
        project = Project(
            root=root,
            directory=directory,
            files=list(files),
            data={},
            origins={},
            env=env,
            dotenv=(dot[0], dot[1]) if dot else None,
            overlay_of=overlay_of,
        )
        merged: _Layer | None = None
        for f in files:
            layer = self.layer(f, env, project)
            merged = layer if merged is None else merge_layers(merged, layer)
        if merged is not None and isinstance(merged.data, dict):
            project.data = merged.data
            project.origins = merged.origins
        else:
            project.origins = {(): (files[0], ())}
        return project


def _copy_origins(
    table: dict[Path, Origin], src: Path, dst: Path, out: dict[Path, Origin], value: Any
) -> None:
    found = table.get(src)
    if found is not None:
        out[dst] = found
    if isinstance(value, dict):
        for k, v in value.items():
            _copy_origins(table, src + (k,), dst + (k,), out, v)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _copy_origins(table, src + (i,), dst + (i,), out, v)


# ---------------------------------------------------------------------------- merging


def merge_layers(base: _Layer, over: _Layer, *, service: bool = False) -> _Layer:
    """`over` applied on top of `base`, as Compose merges files (and extends)."""
    out = dict(base.origins)
    data = _merge(base.data, over.data, (), (), over.origins, out, in_service=service)
    return _Layer(data, out)


def _as_mapping(value: list[Any], path: Path, origins: dict[Path, Origin]) -> dict[str, Any]:
    """`["A=1", "B"]` / `["db"]` as a mapping, re-keying origins to the names."""
    result: dict[str, Any] = {}
    for i, item in enumerate(value):
        if isinstance(item, str):
            name, sep, val = item.partition("=") if "=" in item else item.partition(":")
            key: str = name.strip() if sep or "=" in item else item
            result[key] = val if sep else None
        elif isinstance(item, dict) and len(item) == 1:
            key, result_value = next(iter(item.items()))
            result[str(key)] = result_value
            key = str(key)
        else:
            continue
        if path + (i,) in origins:
            origins[path + (key,)] = origins[path + (i,)]
    return result


def _mount_target(spec: Any) -> str | None:
    if isinstance(spec, dict):
        target = spec.get("target")
        return target.rstrip("/") or "/" if isinstance(target, str) and target else None
    if isinstance(spec, str):
        text = spec[2:] if len(spec) > 2 and spec[1] == ":" and spec[2] in "\\/" else spec
        parts = text.split(":")
        target = parts[1] if len(parts) >= 2 else parts[0]
        return target.rstrip("/") or "/" if target else None
    return None


def _merge(
    base: Any,
    over: Any,
    dst: Path,
    src: Path,
    over_origins: dict[Path, Origin],
    out: dict[Path, Origin],
    *,
    in_service: bool,
    key: str = "",
) -> Any:
    if key in _MAPPING_LISTS and in_service and type(base) is not type(over):
        if isinstance(base, list):
            base = _as_mapping(base, dst, out)
        if isinstance(over, list):
            shadow = dict(over_origins)
            over = _as_mapping(over, src, shadow)
            over_origins = shadow
    if isinstance(base, dict) and isinstance(over, dict):
        result = dict(base)
        for k, v in over.items():
            child_service = in_service or (dst == ("services",))
            if k in result and result[k] is not None:
                result[k] = _merge(
                    result[k],
                    v,
                    dst + (k,),
                    src + (k,),
                    over_origins,
                    out,
                    in_service=child_service,
                    key=str(k),
                )
            else:
                result[k] = v
                _copy_origins(over_origins, src + (k,), dst + (k,), out, v)
        return result
    if isinstance(base, list) and isinstance(over, list) and key not in _REPLACED:
        result_list = list(base)
        by_target = {}
        if key == "volumes" and in_service:
            by_target = {t: i for i, v in enumerate(result_list) if (t := _mount_target(v)) is not None}
        for j, item in enumerate(over):
            if key in ("ports", "expose", "volumes") and item in base:
                continue
            target = _mount_target(item) if by_target else None
            index = by_target.get(target, len(result_list)) if target is not None else len(result_list)
            _copy_origins(over_origins, src + (j,), dst + (index,), out, item)
            if index < len(result_list):  # same mount target: the override wins
                result_list[index] = item
            else:
                result_list.append(item)
        return result_list
    _copy_origins(over_origins, src, dst, out, over)
    return over


# ---------------------------------------------------------------------------- the run


@dataclass
class Projects:
    """Every Compose project of a run, and which files they consumed."""

    projects: list[Project]
    by_root: dict[int, Project]

    def of(self, compose: ComposeFile) -> Project | None:
        """The project `compose` is the root of (None for override/included files)."""
        return self.by_root.get(id(compose))


def load_projects(
    compose_files: list[ComposeFile],
    read_source: Callable[[str], SourceFile | None],
    environment: Mapping[str, str],
) -> Projects:
    loader = _Loader(compose_files, read_source, environment)
    firsts = [f for f in compose_files if f.base == () and f.doc.index == 0]
    edges = _references(firsts)
    referenced = _referenced_files(firsts)
    by_dir: dict[str, list[ComposeFile]] = {}
    for f in firsts:
        by_dir.setdefault(_dir_of(f), []).append(f)
    projects: list[Project] = []
    for files in by_dir.values():
        named = {os.path.basename(f.source.absolute or f.source.path): f for f in files}
        base_name = next((n for n in BASE_NAMES if n in named), None)
        base = named.get(base_name) if base_name else None
        override: ComposeFile | None = None
        if base_name:
            override = next((named[n] for n in OVERRIDE_NAMES[base_name] if n in named), None)
        base_services = set(_services(base)) if base is not None else set()
        for f in files:
            if _key(f) in referenced:
                continue
            src = loader.sources[_key(f)]
            assert src is not None
            if f is base:
                extra = loader.sources.get(_key(override)) if override is not None else None
                if extra is None and base_name:  # not in the run: Compose reads it anyway
                    extra = _override_on_disk(loader, os.path.dirname(_key(f)), base_name)
                files_of = [src] + ([extra] if extra is not None else [])
                projects.append(loader.project(f, files_of))
            elif f is override or (base is not None and os.path.basename(f.source.path) in ALL_OVERRIDES):
                continue
            elif (
                base is not None
                and set(_services(f)) & base_services
                and _key(f) not in _linked(edges, _key(base))
            ):
                base_src = loader.sources[_key(base)]
                assert base_src is not None
                projects.append(loader.project(f, [base_src, src], overlay_of=base))
            else:
                projects.append(loader.project(f, [src]))
    return Projects(projects, {id(p.root): p for p in projects})


def _override_on_disk(loader: _Loader, directory: str, base_name: str) -> ComposeSource | None:
    for name in OVERRIDE_NAMES[base_name]:
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return loader.source(path)
    return None


def _key(f: ComposeFile) -> str:
    return os.path.normpath(os.path.abspath(f.source.absolute or f.source.path))


def _dir_of(f: ComposeFile) -> str:
    return os.path.dirname(_key(f))


def _services(f: ComposeFile) -> dict[str, Any]:
    return dict(f.services)


def _referenced_files(files: list[ComposeFile]) -> set[str]:
    """Files some other Compose file includes or extends from (of files that refer to
    each other, directly or not, the first in path order stays a project)."""
    edges = _references(files)
    out: set[str] = set()
    for target, referrers in edges.items():
        for referrer in referrers:
            if not _reaches(edges, referrer, target) or referrer < target:
                out.add(target)
                break
    return out


def _linked(edges: dict[str, set[str]], key: str) -> set[str]:
    """Files that `key` refers to or that refer to it (never an overlay of it)."""
    return edges.get(key, set()) | {target for target, referrers in edges.items() if key in referrers}


def _reaches(edges: dict[str, set[str]], start: str, goal: str) -> bool:
    """Whether `goal` refers (transitively) to `start` (edges map a target to the
    files referring to it)."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        for referrer in edges.get(node, ()):
            if referrer not in seen:
                seen.add(referrer)
                todo.append(referrer)
    return False


def _references(files: list[ComposeFile]) -> dict[str, set[str]]:
    """target file -> the files that include it or extend from it."""
    out: dict[str, set[str]] = {}
    for f in files:
        directory = _dir_of(f)
        data = f.data if isinstance(f.data, dict) else {}
        include = data.get("include")
        for entry in include if isinstance(include, list) else []:
            paths: Any = (
                entry if isinstance(entry, str) else entry.get("path") if isinstance(entry, dict) else None
            )
            for p in paths if isinstance(paths, list) else [paths]:
                if isinstance(p, str):
                    out.setdefault(os.path.normpath(os.path.join(directory, p)), set()).add(_key(f))
        for service in f.services.values():
            ext = service.get("extends") if isinstance(service, dict) else None
            if isinstance(ext, dict) and isinstance(ext.get("file"), str):
                target = os.path.normpath(os.path.join(directory, ext["file"]))
                if target != _key(f):
                    out.setdefault(target, set()).add(_key(f))
    return out


def iter_project_services(project: Project) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, data in project.services.items():
        if isinstance(data, dict):
            yield str(name), data


def run_projects(ctx: RuleContext) -> Projects:
    """The Compose projects of the run (loaded once, shared by every rule)."""

    def load() -> Projects:
        environment = dict(os.environ) if ctx.settings.read_environment else {}
        return load_projects(ctx.workspace.compose_files, ctx.read_source, environment)

    return ctx.cache("compose:projects", load)


def project_of(compose: ComposeFile, ctx: RuleContext) -> Project | None:
    """The project whose root file is `compose` (None: `compose` is part of another)."""
    return run_projects(ctx).of(compose)


def project_violation(
    project: Project,
    path: Path,
    message: str,
    *,
    key: bool = False,
    fix: str | None = None,
    fingerprint: str | None = None,
    sensitive: bool = False,
    related: tuple[Related, ...] = (),
) -> Violation | None:
    """A violation at the merged `path`, placed in the file it was written in (None when
    an overlay project would repeat a finding of its base file)."""
    source, span = project.locate(path, key=key)
    return located_violation(
        project,
        path,
        (source, span),
        message,
        fix=fix,
        fingerprint=fingerprint,
        sensitive=sensitive,
        related=related,
    )


def located_violation(
    project: Project,
    path: Path,
    where: tuple[SourceFile, Span],
    message: str,
    *,
    fix: str | None = None,
    fingerprint: str | None = None,
    sensitive: bool = False,
    related: tuple[Related, ...] = (),
) -> Violation | None:
    if not project.reports_at(where[0]):
        return None
    severity = None
    if len(path) >= 2 and path[0] == "services":
        profiles = project.disabled_by_profile(str(path[1]))
        if profiles:  # only a problem once its profile is enabled: never a run-blocking error
            severity = Severity.WARNING
            message = f"{message} (with profile {', '.join(profiles)})"
    return Violation(
        path,
        message,
        severity=severity,
        fix=fix,
        location=where,
        fingerprint=fingerprint or "/".join(str(p) for p in path),
        sensitive=sensitive,
        related=related,
    )


def each_service_violation(
    compose: ComposeFile,
    ctx: RuleContext,
    check: Callable[[Project, str, dict[str, Any]], Iterator[tuple[Path, str, str, bool]]],
) -> Iterator[Violation]:
    """Run `check` on every service of the project rooted at `compose`; it yields
    (path, message, fix, on_key) and gets back violations placed in their files."""
    project = project_of(compose, ctx)
    if project is None:
        return
    for name, service in iter_project_services(project):
        for path, message, fix, key in check(project, name, service):
            v = project_violation(project, path, message, key=key, fix=fix)
            if v:
                yield v
