"""KL520-KL521: host ports published twice, within a Compose project (all its files
merged) and across the projects of the run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kubelint.compose import PublishedPort, Service, iter_published_ports
from kubelint.compose_project import (
    Project,
    iter_project_services,
    project_of,
    project_violation,
    run_projects,
)
from kubelint.model import ComposeFile, Format, Related, Severity, SourceFile, Violation
from kubelint.positions import Path, Span
from kubelint.rule import RuleContext, rule


@dataclass(frozen=True, slots=True)
class _Published:
    service: str
    path: Path
    port: PublishedPort
    source: SourceFile
    span: Span


def _published(project: Project) -> list[_Published]:
    out: list[_Published] = []
    for name, data in iter_project_services(project):
        for path, port in iter_published_ports(Service(name, ("services", name), data)):
            source, span = project.locate(path)
            out.append(_Published(name, path, port, source, span))
    return out


@rule(
    id="KL520",
    name="host-port-clash",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="ports",
)
def host_port_clash(obj: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a host port that two services of a Compose project publish, taking the
    protocol (tcp/udp/sctp), the host IP (`127.0.0.1:5000` and `0.0.0.0:5000`
    clash; `127.0.0.1` and `127.0.0.2` do not), port ranges and variables
    (`${WEB_PORT:-5000}`) into account.  The project is the base file merged with its
    override file, includes and extends, so a clash between a service of
    `compose.yaml` and one of `compose.override.yaml` is found too.  Each clash is
    reported on the later service, naming the earlier one.

    ## Why is this bad?
    The second container fails to start: "Bind for 0.0.0.0:5000 failed: port is
    already allocated".

    ## Example
    ```yaml
    services:
      web: {image: web:1.0, ports: ["5000:5000"]}
      api: {image: api:1.0, ports: ["5000:8000"]}
    ```

    ## Use instead
    ```yaml
    services:
      web: {image: web:1.0, ports: ["5000:5000"]}
      api: {image: api:1.0, ports: ["5001:8000"]}
    ```
    """
    project = project_of(obj, ctx)
    if project is None:
        return
    seen: list[_Published] = []
    for item in _published(project):
        for other in seen:
            if other.service == item.service or not item.port.overlaps(other.port):
                continue
            where = (
                f"{other.source.path}:{other.span.line}"
                if other.source is not item.source
                else f"line {other.span.line}"
            )
            v = project_violation(
                project,
                item.path,
                f'host port {item.port.describe()} is also published by service "{other.service}" ({where})',
                fix="publish a different host port",
                related=(
                    Related(
                        f'service "{other.service}" publishes {other.port.describe()}',
                        other.source.path,
                        other.span,
                    ),
                ),
                fingerprint=f"{item.service}/{item.port.describe()}/{other.service}",
            )
            if v:
                yield v
            break
        seen.append(item)


_NARROW = 64
"""Port ranges up to this many ports are indexed port by port; wider ones are always compared."""


def _port_index(index: list[tuple[Project, list[_Published]]]) -> tuple[dict[int, set[int]], set[int]]:
    """Host port -> numbers (in `index`) of the projects publishing it, and the projects
    with a range too wide to index."""
    by_port: dict[int, set[int]] = {}
    wide: set[int] = set()
    for number, (_, ports) in enumerate(index):
        for published in ports:
            if published.port.host_end - published.port.host_start > _NARROW:
                wide.add(number)
                continue
            for port in range(published.port.host_start, published.port.host_end + 1):
                by_port.setdefault(port, set()).add(number)
    return by_port, wide


def _alternatives(a: Project, b: Project) -> bool:
    """Overlays of one base (`-f base -f x`), the base itself, and the Compose files of
    one directory (variants of one stack: `docker compose -f one`) never run together."""
    base_a = a.overlay_of or a.root
    base_b = b.overlay_of or b.root
    return base_a is base_b or a.directory == b.directory


@rule(
    id="KL521",
    name="compose-cross-project-port-clash",
    severity=Severity.WARNING,
    applies_to=(Format.COMPOSE,),
    category="ports",
)
def cross_project_port_clash(obj: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a host port that two different Compose projects of the run publish
    (protocol-, host-IP- and range-aware).  Each project is reported once per clash,
    naming the other project's file and line.  A base file, its `-f` overlays and
    the other Compose files of its directory are alternatives, not separate projects.

    ## Why is this bad?
    The projects cannot run on one host at the same time: the second `docker compose
    up` fails with "port is already allocated" (the classic second copy of a stack).

    ## Example
    `shop/compose.yaml` and `blog/compose.yaml` both publish `"8080:80"`.

    ## Use instead
    Give each project its own host port, or make it configurable:
    `"${SHOP_PORT:-8080}:80"`.
    """
    project = project_of(obj, ctx)
    if project is None:
        return
    index: list[tuple[Project, list[_Published]]] = ctx.cache(
        "compose:published-ports", lambda: [(p, _published(p)) for p in run_projects(ctx).projects]
    )
    mine = next((ports for p, ports in index if p is project), [])
    by_port, wide = ctx.cache("compose:published-port-index", lambda: _port_index(index))
    for item in mine:
        # Only projects publishing a port in this range can clash (the run has many).
        candidates: set[int] | None = None
        if item.port.host_end - item.port.host_start <= _NARROW:
            candidates = wide.union(
                *(by_port.get(p, ()) for p in range(item.port.host_start, item.port.host_end + 1))
            )
        for number, (other_project, others) in enumerate(index):
            if candidates is not None and number not in candidates:
                continue
            if other_project is project or _alternatives(project, other_project):
                continue
            clash = next((o for o in others if o.port.overlaps(item.port)), None)
            if clash is None:
                continue
            v = project_violation(
                project,
                item.path,
                f"host port {item.port.describe()} is also published by service "
                f'"{clash.service}" of project {other_project.label} ({clash.source.path}:{clash.span.line})',
                fix="publish a different host port in one of the projects",
                related=(
                    Related(
                        f'service "{clash.service}" publishes {clash.port.describe()}',
                        clash.source.path,
                        clash.span,
                    ),
                ),
                fingerprint=f"{item.service}/{item.port.describe()}/{other_project.label}",
            )
            if v:
                yield v
            break


RULES = (host_port_clash, cross_project_port_clash)
