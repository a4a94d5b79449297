"""KL800-KL803: the structure of a Compose project (references, cycles, definitions).

Each rule checks the whole project (base file, override, includes, extends, merged
and interpolated as Compose loads it) once, from its root file, and reports every
problem in the file where the offending value is written.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from kubelint.compose_project import (
    Project,
    iter_project_services,
    locate_origin,
    located_violation,
    project_of,
    project_violation,
)
from kubelint.model import ComposeFile, Format, Severity, Violation
from kubelint.positions import Path
from kubelint.rule import RuleContext, rule

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]$")


def service_references(name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str, str]]:
    """(path, referenced service, how) for every service a service refers to."""
    base: Path = ("services", name)
    depends = service.get("depends_on")
    if isinstance(depends, list):
        for i, target in enumerate(depends):
            if isinstance(target, str):
                yield base + ("depends_on", i), target, "depends on"
    elif isinstance(depends, dict):
        for target in depends:
            yield base + ("depends_on", target), str(target), "depends on"
    links = service.get("links")
    if isinstance(links, list):
        for i, link in enumerate(links):
            if isinstance(link, str) and link:
                yield base + ("links", i), link.split(":")[0], "links to"
    mode = service.get("network_mode")
    if isinstance(mode, str) and mode.startswith("service:"):
        yield base + ("network_mode",), mode[len("service:") :], "uses the network of"
    volumes_from = service.get("volumes_from")
    if isinstance(volumes_from, list):
        for i, item in enumerate(volumes_from):
            if isinstance(item, str) and item and not item.startswith("container:"):
                yield base + ("volumes_from", i), item.split(":")[0], "takes volumes from"


def env_file_targets(project: Project, name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str]]:
    """(path, absolute file) of each required `env_file` of a service."""
    spec = service.get("env_file")
    items = [spec] if isinstance(spec, (str, dict)) else spec if isinstance(spec, list) else []
    for i, item in enumerate(items):
        at: Path = ("services", name, "env_file") + ((i,) if isinstance(spec, list) else ())
        if isinstance(item, dict):
            if item.get("required") in (False, "false"):
                continue
            item, at = item.get("path"), at + ("path",)
        if not isinstance(item, str) or not item:
            continue
        origin = project.origin(at)
        directory = origin[0].directory if origin else project.directory
        yield at, os.path.normpath(os.path.join(directory, os.path.expanduser(item)))


def _graph_edges(name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str]]:
    for path, target, how in service_references(name, service):
        if how in ("depends on", "uses the network of", "takes volumes from") or how == "links to":
            yield path, target


def _project(compose: ComposeFile, ctx: RuleContext) -> Project | None:
    return project_of(compose, ctx)


@rule(
    id="KL800",
    name="compose-undefined-service",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="compose",
)
def undefined_service(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a `depends_on`, `links`, `network_mode: service:x`, `volumes_from` or
    `extends` that names a service the project does not define (after merging the
    override file and includes), an `extends` or `include` whose file is missing, and
    an included service that clashes with a service of the including file.

    ## Why is this bad?
    `docker compose` refuses the whole project: `service "web" depends on undefined
    service "db": invalid compose project`.

    ## Example
    ```yaml
    services:
      web:
        image: web:1.0
        depends_on: [database]
      db:
        image: postgres:16
    ```

    ## Use instead
    ```yaml
    services:
      web:
        image: web:1.0
        depends_on: [db]
      db:
        image: postgres:16
    ```
    """
    project = _project(compose, ctx)
    if project is None:
        return
    defined = set(project.services)
    for name, service in iter_project_services(project):
        active = project.disabled_by_profile(name) is None
        for path, target, how in service_references(name, service):
            disabled = project.disabled_by_profile(target) if target in defined else None
            if target in defined and not (active and disabled):
                continue
            what = (
                f'service "{target}", which is only enabled with profile {", ".join(disabled)}'
                if disabled
                else f'undefined service "{target}"'
            )
            v = project_violation(
                project,
                path,
                f'service "{name}" {how} {what}',
                fix="define the service or fix its name",
                fingerprint=f"{name}/{how}/{target}",
            )
            if v:
                yield v
    for problem in project.problems:
        v = located_violation(
            project,
            problem.origin[1],
            locate_origin(problem.origin, key=problem.key),
            problem.message,
            fingerprint=f"{problem.kind}/{problem.message}",
        )
        if v:
            yield v


@rule(
    id="KL801",
    name="compose-dependency-cycle",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="compose",
)
def dependency_cycle(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports services that depend on each other in a cycle (through `depends_on`,
    `links`, `volumes_from` or `network_mode: service:x`), once per cycle, at the
    reference that closes it.

    ## Why is this bad?
    Compose cannot decide which service to start first and refuses the project:
    `dependency cycle detected: web -> api -> web`.

    ## Example
    ```yaml
    services:
      web: {image: web:1.0, depends_on: [api]}
      api: {image: api:1.0, depends_on: [web]}
    ```

    ## Use instead
    ```yaml
    services:
      web: {image: web:1.0, depends_on: [api]}
      api: {image: api:1.0}
    ```
    """
    project = _project(compose, ctx)
    if project is None:
        return
    edges: dict[str, list[tuple[Path, str]]] = {
        name: [(p, t) for p, t in _graph_edges(name, service) if t in project.services]
        for name, service in iter_project_services(project)
    }
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    reported: set[frozenset[str]] = set()
    stack: list[str] = []

    def visit(node: str) -> Iterator[Violation]:
        state[node] = 1
        stack.append(node)
        for path, target in edges.get(node, []):
            if state.get(target) == 1:
                cycle = stack[stack.index(target) :] + [target]
                members = frozenset(cycle)
                if members not in reported:
                    reported.add(members)
                    v = project_violation(
                        project,
                        path,
                        f"dependency cycle: {' -> '.join(cycle)}",
                        fix="remove one of the dependencies",
                        fingerprint="cycle/" + ",".join(sorted(members)),
                    )
                    if v:
                        yield v
            elif target not in state:
                yield from visit(target)
        stack.pop()
        state[node] = 2

    for name in edges:
        if name not in state:
            yield from visit(name)


def _volume_source(spec: Any) -> str | None:
    """The named volume a service mount uses (None for binds, tmpfs, anonymous)."""
    if isinstance(spec, dict):
        if spec.get("type", "volume") != "volume":
            return None
        source = spec.get("source")
        return source if isinstance(source, str) and source else None
    if not isinstance(spec, str):
        return None
    parts = spec.split(":")
    if len(parts) < 2:
        return None
    source = parts[0]
    if not source or source.startswith((".", "/", "~", "\\")) or _WINDOWS_DRIVE.match(source):
        return None
    return source


def resource_references(name: str, service: dict[str, Any]) -> Iterator[tuple[str, Path, str]]:
    """(section, path, name) of each network, volume, secret, config a service uses."""
    base: Path = ("services", name)
    networks = service.get("networks")
    if isinstance(networks, list):
        for i, net in enumerate(networks):
            if isinstance(net, str):
                yield "networks", base + ("networks", i), net
    elif isinstance(networks, dict):
        for net in networks:
            yield "networks", base + ("networks", net), str(net)
    volumes = service.get("volumes")
    if isinstance(volumes, list):
        for i, spec in enumerate(volumes):
            source = _volume_source(spec)
            if source:
                yield "volumes", base + ("volumes", i), source
    for section in ("secrets", "configs"):
        items = service.get(section)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            ref = item if isinstance(item, str) else item.get("source") if isinstance(item, dict) else None
            if isinstance(ref, str) and ref:
                yield section, base + (section, i), ref
    build = service.get("build")
    if isinstance(build, dict) and isinstance(build.get("secrets"), list):
        for i, item in enumerate(build["secrets"]):
            ref = item if isinstance(item, str) else item.get("source") if isinstance(item, dict) else None
            if isinstance(ref, str) and ref:
                yield "secrets", base + ("build", "secrets", i), ref


_SINGULAR = {"networks": "network", "volumes": "volume", "secrets": "secret", "configs": "config"}


@rule(
    id="KL802",
    name="compose-undefined-resource",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="compose",
)
def undefined_resource(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a network, named volume, secret or config that a service uses but the
    project does not declare at the top level (`default` network excepted), and an
    `env_file` that does not exist (unless `required: false`).  A short
    volume source that is a path (`./data`, `/srv`, `~/x`, a Windows drive letter) is
    a bind mount, not a volume.

    ## Why is this bad?
    `docker compose` refuses the project: `service "web" refers to undefined volume
    data: invalid compose project`.

    ## Example
    ```yaml
    services:
      db:
        image: postgres:16
        volumes: ["pgdata:/var/lib/postgresql/data"]
    ```

    ## Use instead
    ```yaml
    services:
      db:
        image: postgres:16
        volumes: ["pgdata:/var/lib/postgresql/data"]
    volumes:
      pgdata: {}
    ```
    """
    project = _project(compose, ctx)
    if project is None:
        return
    for name, service in iter_project_services(project):
        for path, target in env_file_targets(project, name, service):
            if not os.path.isfile(target):
                v = project_violation(
                    project,
                    path,
                    f'service "{name}" reads env file {os.path.relpath(target, project.directory)!r}, which does not exist',
                    fix="create the file or mark it `required: false`",
                    fingerprint=f"{name}/env_file/{os.path.basename(target)}",
                )
                if v:
                    yield v
        for section, path, ref in resource_references(name, service):
            if section == "networks" and ref == "default":
                continue
            if ref in project.section(section):
                continue
            what = _SINGULAR[section]
            v = project_violation(
                project,
                path,
                f'service "{name}" refers to undefined {what} "{ref}"',
                fix=f"declare it under top-level {section}:",
                fingerprint=f"{name}/{section}/{ref}",
            )
            if v:
                yield v


@rule(
    id="KL803",
    name="compose-unused-definition",
    severity=Severity.WARNING,
    applies_to=(Format.COMPOSE,),
    default_enabled=False,
    category="compose",
)
def unused_definition(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports top-level networks, volumes, secrets and configs that no service uses
    (opt-in).

    ## Why is this bad?
    Dead definitions mislead readers and are usually left over from a rename; an
    unused secret may point at a file nobody rotates.

    ## Example
    ```yaml
    services:
      web: {image: web:1.0}
    volumes:
      old-data: {}
    ```

    ## Use instead
    ```yaml
    services:
      web: {image: web:1.0}
    ```
    """
    project = _project(compose, ctx)
    if project is None:
        return
    used: set[tuple[str, str]] = set()
    for name, service in iter_project_services(project):
        for section, _path, ref in resource_references(name, service):
            used.add((section, ref))
    for section in ("networks", "volumes", "secrets", "configs"):
        for ref in project.section(section):
            if (section, str(ref)) in used or (section == "networks" and ref == "default"):
                continue
            v = project_violation(
                project,
                (section, ref),
                f'{_SINGULAR[section]} "{ref}" is declared but no service uses it',
                key=True,
                fix="remove it or use it",
                fingerprint=f"unused/{section}/{ref}",
            )
            if v:
                yield v


RULES = (undefined_service, dependency_cycle, undefined_resource, unused_definition)
