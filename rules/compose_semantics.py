"""KL820-KL829: Compose values the schema allows but `docker compose` (or the Docker
engine at `up`) rejects, checked on the merged, interpolated project."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from kubelint.compose import PortSyntaxError, parse_long_port, parse_short_port
from kubelint.compose_project import Project, iter_project_services, project_of, project_violation
from kubelint.model import ComposeFile, Format, Severity, Violation
from kubelint.positions import Path
from kubelint.rule import RuleContext, rule

_DURATION_RE = re.compile(r"^[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h|d|w))+$")
_SIZE_RE = re.compile(r"^\d+(?:\.\d+)* ?[kKmMgGtTpP]?[iI]?[bB]?$")
_RESTART_RE = re.compile(r"^(?:no|always|unless-stopped|on-failure(?::\d+)?)$")


def _each(
    compose: ComposeFile,
    ctx: RuleContext,
    check: Callable[[Project, str, dict[str, Any]], Iterator[tuple[Path, str, str]]],
) -> Iterator[Violation]:
    """Run `check` on every service of the project rooted at `compose`; it yields
    (path, message, fix)."""
    project = project_of(compose, ctx)
    if project is None:
        return
    for name, service in iter_project_services(project):
        for path, message, fix in check(project, name, service):
            v = project_violation(project, path, message, fix=fix)
            if v:
                yield v


def _dig(data: Any, *keys: str | int) -> Any:
    for k in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(k)
    return data


def _replicas(service: dict[str, Any]) -> list[tuple[Path, int]]:
    out: list[tuple[Path, int]] = []
    for path in (("scale",), ("deploy", "replicas")):
        value = _dig(service, *path)
        if isinstance(value, bool):
            continue
        try:
            out.append((path, int(value)))
        except (TypeError, ValueError):
            continue
    return out


@rule(
    id="KL820",
    name="compose-missing-image-or-build",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="compose",
)
def missing_image_or_build(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a service that has neither `image` nor `build` once the project is merged
    (override file, `extends`), at the service's name.

    ## Why is this bad?
    `docker compose` refuses the project: `service "web" has neither an image nor a
    build context specified`.

    ## Example
    ```yaml
    services:
      web:
        ports: ["80:80"]
    ```

    ## Use instead
    ```yaml
    services:
      web:
        image: nginx:1.27
        ports: ["80:80"]
    ```
    """

    def check(project: Project, name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str, str]]:
        if not service.get("image") and service.get("build") in (None, "", {}):
            yield (
                ("services", name),
                f'service "{name}" has neither an image nor a build context',
                "add image: or build:",
            )

    project = project_of(compose, ctx)
    if project is None:
        return
    for name, service in iter_project_services(project):
        for path, message, fix in check(project, name, service):
            v = project_violation(project, path, message, key=True, fix=fix)
            if v:
                yield v


@rule(
    id="KL821",
    name="compose-duplicate-container-name",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="compose",
)
def duplicate_container_name(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a `container_name` used by two services of a project (on the later one).

    ## Why is this bad?
    Container names are unique per Docker host: `docker compose` refuses the project
    (`container name "db" is already in use by service ...`).

    ## Example
    ```yaml
    services:
      db: {image: postgres:16, container_name: db}
      db-replica: {image: postgres:16, container_name: db}
    ```

    ## Use instead
    ```yaml
    services:
      db: {image: postgres:16, container_name: db}
      db-replica: {image: postgres:16, container_name: db-replica}
    ```
    """
    seen: dict[str, str] = {}

    def check(project: Project, name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str, str]]:
        container = service.get("container_name")
        if not isinstance(container, str) or not container:
            return
        if container in seen:
            yield (
                ("services", name, "container_name"),
                f"container name {project.written(('services', name, 'container_name'), container)} "
                f'is also used by service "{seen[container]}"',
                "give each service its own container_name (or none)",
            )
        else:
            seen[container] = name

    yield from _each(compose, ctx, check)


@rule(
    id="KL822",
    name="compose-container-name-with-replicas",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="compose",
)
def container_name_with_replicas(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports `container_name` on a service with `scale` or `deploy.replicas` above 1,
    and `scale` and `deploy.replicas` set to different values.

    ## Why is this bad?
    Every replica would need the same container name; `docker compose` refuses the
    project (`can't set container_name and web as container name must be unique`,
    `can't set distinct values on 'scale' and 'deploy.replicas'`).

    ## Example
    ```yaml
    services:
      worker:
        image: worker:2.1
        container_name: worker
        deploy: {replicas: 3}
    ```

    ## Use instead
    ```yaml
    services:
      worker:
        image: worker:2.1
        deploy: {replicas: 3}
    ```
    """

    def check(project: Project, name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str, str]]:
        replicas = _replicas(service)
        if len(replicas) == 2 and replicas[0][1] != replicas[1][1]:
            yield (
                ("services", name, "deploy", "replicas"),
                f'service "{name}" sets scale and deploy.replicas to different values',
                "keep only one of them",
            )
        many = [(p, n) for p, n in replicas if n > 1]
        if many and service.get("container_name"):
            _path, count = many[0]
            yield (
                ("services", name, "container_name"),
                f'service "{name}" sets container_name but runs {count} replicas',
                "remove container_name",
            )

    yield from _each(compose, ctx, check)


def volume_syntax_error(spec: str) -> str | None:
    """Why Compose cannot read a short volume spec `[SOURCE:]TARGET[:MODE]`, or None."""
    if not spec.strip():
        return "empty volume spec"
    text = spec
    if re.match(r"^[A-Za-z]:[\\/]", text):  # Windows drive letter in the source
        text = text[2:]
    parts = text.split(":")
    if len(parts) > 3:
        return "too many ':' in volume spec"
    if any(not part for part in parts):
        return "empty section between ':' in volume spec (an unset variable?)"
    return None


def mount_target(spec: Any) -> str | None:
    """The container path of a volume mount (short or long syntax)."""
    if isinstance(spec, dict):
        target = spec.get("target")
    elif isinstance(spec, str):
        text = spec[2:] if re.match(r"^[A-Za-z]:[\\/]", spec) else spec
        parts = text.split(":")
        target = parts[1] if len(parts) >= 2 else parts[0]
    else:
        return None
    if not isinstance(target, str) or not target:
        return None
    return target.rstrip("/") or "/"


@rule(
    id="KL823",
    name="compose-invalid-mapping",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="compose",
)
def invalid_port(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports port mappings Compose cannot parse (a port above 65535 as in `80800:80`,
    a name as in `abc:80`, an unknown protocol, mismatched range sizes, an empty
    port), short volume specs it cannot parse (an empty section as in `:/media`
    when a variable is unset, too many colons), and two mounts of a service on the
    same container path.  Values given through variables are checked with the
    variables substituted.

    ## Why is this bad?
    `docker compose` refuses the project: `invalid hostPort: 80800`, `invalid spec:
    :/media: empty section between colons`; the engine refuses a duplicate mount
    target at `up` (`Duplicate mount point: /data`).

    ## Example
    ```yaml
    services:
      web:
        image: web:1.0
        ports: ["80800:80"]
        volumes: ["${MEDIA_DIR}:/media"]
    ```

    ## Use instead
    ```yaml
    services:
      web:
        image: web:1.0
        ports: ["8080:80"]
        volumes: ["${MEDIA_DIR:-./media}:/media"]
    ```
    """

    def check(project: Project, name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str, str]]:
        ports = service.get("ports")
        for i, spec in enumerate(ports if isinstance(ports, list) else []):
            try:
                if isinstance(spec, dict):
                    parse_long_port(spec)
                elif isinstance(spec, (str, int)) and not isinstance(spec, bool):
                    parse_short_port(spec)
            except PortSyntaxError as error:
                at: Path = ("services", name, "ports", i) + (("published",) if isinstance(spec, dict) else ())
                shown = (
                    str(error)
                    if project.written(at, "") == '""'
                    else "invalid port mapping (interpolated value)"
                )
                yield at, f'service "{name}": {shown}', "write [HOST:]CONTAINER[/PROTO]"
        volumes = service.get("volumes")
        targets: dict[str, int] = {}
        for i, spec in enumerate(volumes if isinstance(volumes, list) else []):
            problem = volume_syntax_error(spec) if isinstance(spec, str) else None
            if problem:
                yield (
                    ("services", name, "volumes", i),
                    f'service "{name}": {problem}',
                    "write [SOURCE:]TARGET[:MODE]",
                )
                continue
            target = mount_target(spec)
            if target is None:
                continue
            if target in targets:
                yield (
                    ("services", name, "volumes", i),
                    f'service "{name}" mounts two volumes on '
                    f"{project.written(('services', name, 'volumes', i), target)} (see item {targets[target] + 1})",
                    "give each mount its own target",
                )
            else:
                targets[target] = i

    yield from _each(compose, ctx, check)


@rule(
    id="KL824",
    name="compose-invalid-restart",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="compose",
)
def invalid_restart(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a `restart` policy other than `no`, `always`, `on-failure[:N]` and
    `unless-stopped`, and a `deploy.restart_policy.condition` other than `none`,
    `on-failure` and `any`.

    ## Why is this bad?
    `docker compose config` accepts it, but `docker compose up` fails when the engine
    creates the container: `invalid restart policy`.

    ## Example
    ```yaml
    services:
      web: {image: web:1.0, restart: allways}
    ```

    ## Use instead
    ```yaml
    services:
      web: {image: web:1.0, restart: always}
    ```
    """

    def check(project: Project, name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str, str]]:
        restart = service.get("restart")
        if isinstance(restart, str) and not _RESTART_RE.match(restart):
            yield (
                ("services", name, "restart"),
                f'service "{name}" has an invalid restart policy '
                f"{project.written(('services', name, 'restart'), restart)}",
                "use no, always, on-failure[:N] or unless-stopped",
            )
        condition = _dig(service, "deploy", "restart_policy", "condition")
        if isinstance(condition, str) and condition not in ("none", "on-failure", "any"):
            yield (
                ("services", name, "deploy", "restart_policy", "condition"),
                f'service "{name}" has an invalid restart condition '
                f"{project.written(('services', name, 'deploy', 'restart_policy', 'condition'), condition)}",
                "use none, on-failure or any",
            )

    yield from _each(compose, ctx, check)


_DURATIONS: tuple[Path, ...] = (
    ("healthcheck", "interval"),
    ("healthcheck", "timeout"),
    ("healthcheck", "start_period"),
    ("healthcheck", "start_interval"),
    ("stop_grace_period",),
    ("deploy", "restart_policy", "delay"),
    ("deploy", "restart_policy", "window"),
    ("deploy", "update_config", "delay"),
    ("deploy", "update_config", "monitor"),
    ("deploy", "rollback_config", "delay"),
    ("deploy", "rollback_config", "monitor"),
)


def is_duration(value: str) -> bool:
    return value == "0" or bool(_DURATION_RE.match(value))


@rule(
    id="KL825",
    name="compose-invalid-duration",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="compose",
)
def invalid_duration(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports durations Compose cannot parse (`interval: "10"` without a unit, `10x`,
    `1 m`) in healthchecks, `stop_grace_period` and `deploy` settings.

    ## Why is this bad?
    `docker compose` refuses the project: `time: missing unit in duration "10"`.

    ## Example
    ```yaml
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost/"]
      interval: "30"
    ```

    ## Use instead
    ```yaml
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost/"]
      interval: 30s
    ```
    """

    def check(project: Project, name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str, str]]:
        for path in _DURATIONS:
            value = _dig(service, *path)
            if isinstance(value, str) and not is_duration(value):
                yield (
                    ("services", name) + path,
                    f'service "{name}": {".".join(map(str, path))} '
                    f"{project.written(('services', name) + path, value)} is not a duration",
                    "write a number with a unit: 30s, 1m30s, 500ms",
                )

    yield from _each(compose, ctx, check)


_SIZES: tuple[Path, ...] = (
    ("mem_limit",),
    ("mem_reservation",),
    ("memswap_limit",),
    ("shm_size",),
    ("build", "shm_size"),
    ("deploy", "resources", "limits", "memory"),
    ("deploy", "resources", "reservations", "memory"),
)
_CPUS: tuple[Path, ...] = (
    ("cpus",),
    ("deploy", "resources", "limits", "cpus"),
    ("deploy", "resources", "reservations", "cpus"),
)


def parse_size(value: Any) -> float | None:
    """Bytes of a Compose size (`512m`, `1.5GB`, `1 GiB`, 1024); None if unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text == "-1" or not _SIZE_RE.match(text):
        return -1.0 if text == "-1" else None
    number = re.match(r"\d+(?:\.\d+)?", text)
    assert number is not None
    unit = text[number.end() :].strip().lower()[:1]
    scale = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}[unit]
    return float(number.group(0)) * scale


def parse_cpus(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


@rule(
    id="KL826",
    name="compose-invalid-resource-value",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="compose",
)
def invalid_resource_value(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports memory sizes (`mem_limit`, `shm_size`, `deploy.resources.*.memory`, ...)
    with an unknown unit (`1gbx`, `512 MiBs`) and CPU counts (`cpus`,
    `deploy.resources.*.cpus`) that are not numbers.

    ## Why is this bad?
    `docker compose` refuses the project: `invalid suffix: 'gbx'`, `strconv.ParseFloat:
    parsing "half": invalid syntax`.

    ## Example
    ```yaml
    deploy:
      resources:
        limits: {cpus: "half", memory: 1gbx}
    ```

    ## Use instead
    ```yaml
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 1g}
    ```
    """

    def check(project: Project, name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str, str]]:
        for path in _SIZES:
            value = _dig(service, *path)
            if value is not None and not isinstance(value, (dict, list)) and parse_size(value) is None:
                yield (
                    ("services", name) + path,
                    f'service "{name}": {".".join(map(str, path))} is not a size',
                    "write bytes with a unit: 512m, 1g, 1.5gb",
                )
        for path in _CPUS:
            value = _dig(service, *path)
            if value is not None and not isinstance(value, (dict, list)) and parse_cpus(value) is None:
                yield (
                    ("services", name) + path,
                    f'service "{name}": {".".join(map(str, path))} is not a number of CPUs',
                    'write a number: "0.5", 2',
                )

    yield from _each(compose, ctx, check)


@rule(
    id="KL827",
    name="compose-network-mode-with-networks",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="compose",
)
def network_mode_with_networks(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a service that sets both `network_mode` and `networks`.

    ## Why is this bad?
    They are mutually exclusive: `docker compose` refuses the project (`service web
    declares mutually exclusive network_mode and networks`).

    ## Example
    ```yaml
    services:
      web: {image: web:1.0, network_mode: host, networks: [front]}
    ```

    ## Use instead
    ```yaml
    services:
      web: {image: web:1.0, networks: [front]}
    ```
    """

    def check(project: Project, name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str, str]]:
        if service.get("network_mode") and service.get("networks"):
            yield (
                ("services", name, "network_mode"),
                f'service "{name}" sets both network_mode and networks',
                "keep one of them",
            )

    yield from _each(compose, ctx, check)


@rule(
    id="KL828",
    name="compose-invalid-healthcheck-test",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="compose",
)
def invalid_healthcheck_test(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a healthcheck `test` list whose first item is not `CMD`, `CMD-SHELL` or
    `NONE`.

    ## Why is this bad?
    `docker compose` refuses the project: `healthcheck.test must start either by
    "CMD", "CMD-SHELL" or "NONE"`.

    ## Example
    ```yaml
    healthcheck:
      test: ["curl", "-f", "http://localhost/"]
    ```

    ## Use instead
    ```yaml
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost/"]
    ```
    """

    def check(project: Project, name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str, str]]:
        test = _dig(service, "healthcheck", "test")
        if isinstance(test, list) and test and test[0] not in ("CMD", "CMD-SHELL", "NONE"):
            yield (
                ("services", name, "healthcheck", "test", 0),
                f'service "{name}": healthcheck test must start with "CMD", "CMD-SHELL" or "NONE"',
                'prepend "CMD" (exec form) or "CMD-SHELL" (shell form)',
            )

    yield from _each(compose, ctx, check)


@rule(
    id="KL829",
    name="compose-obsolete-version",
    severity=Severity.WARNING,
    applies_to=(Format.COMPOSE,),
    category="compose",
)
def obsolete_version(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports the top-level `version:` key of a Compose file.

    ## Why is this bad?
    Compose v2 ignores it and warns (`the attribute version is obsolete`); it
    suggests a file format choice that no longer exists.

    ## Example
    ```yaml
    version: "3.8"
    services:
      web: {image: web:1.0}
    ```

    ## Use instead
    ```yaml
    services:
      web: {image: web:1.0}
    ```
    """
    if isinstance(compose.data, dict) and "version" in compose.data:
        yield Violation(("version",), "the top-level version key is obsolete", key=True, fix="remove it")


RULES = (
    missing_image_or_build,
    duplicate_container_name,
    container_name_with_replicas,
    invalid_port,
    invalid_restart,
    invalid_duration,
    invalid_resource_value,
    network_mode_with_networks,
    invalid_healthcheck_test,
    obsolete_version,
)
