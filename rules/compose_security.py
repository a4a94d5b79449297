"""KL650-KL653: host access granted to Compose services (merged project)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubelint.compose_project import Project, each_service_violation
from kubelint.model import ComposeFile, Format, Severity, Violation
from kubelint.positions import Path
from kubelint.rule import RuleContext, rule

DANGEROUS_CAPABILITIES = frozenset(
    {"ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "SYS_RAWIO", "DAC_READ_SEARCH", "SYS_BOOT"}
)
_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")
_HOST_MODES = ("network_mode", "pid", "ipc", "uts", "userns_mode")


@rule(
    id="KL650",
    name="compose-privileged",
    severity=Severity.WARNING,
    applies_to=(Format.COMPOSE,),
    category="security",
    security_severity=8.0,
)
def privileged(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports `privileged: true` on a Compose service.

    ## Why is this bad?
    A privileged container has every capability and every host device: a compromise
    of the container is a compromise of the host.

    ## Example
    ```yaml
    services:
      agent: {image: agent:1.0, privileged: true}
    ```

    ## Use instead
    ```yaml
    services:
      agent: {image: agent:1.0, cap_add: [NET_BIND_SERVICE]}
    ```
    """

    def check(project: Project, name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str, str, bool]]:
        if service.get("privileged") in (True, "true", "True"):
            yield (
                ("services", name, "privileged"),
                f'service "{name}" runs privileged',
                "remove privileged and add only the capabilities it needs",
                False,
            )

    yield from each_service_violation(compose, ctx, check)


@rule(
    id="KL651",
    name="compose-dangerous-capability",
    severity=Severity.WARNING,
    applies_to=(Format.COMPOSE,),
    category="security",
    security_severity=7.0,
)
def dangerous_capability(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports `cap_add` entries that give host-level power: `ALL`, `SYS_ADMIN`,
    `NET_ADMIN`, `SYS_PTRACE`, `SYS_MODULE`, `SYS_RAWIO`, `DAC_READ_SEARCH`,
    `SYS_BOOT` (with or without the `CAP_` prefix).

    ## Why is this bad?
    `ALL` is as good as privileged; `SYS_ADMIN` allows mounting file systems and
    escaping the container.

    ## Example
    ```yaml
    cap_add: [ALL]
    ```

    ## Use instead
    ```yaml
    cap_add: [NET_BIND_SERVICE]
    ```
    """

    def check(project: Project, name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str, str, bool]]:
        caps = service.get("cap_add")
        if not isinstance(caps, list):
            return
        for i, cap in enumerate(caps):
            if isinstance(cap, str) and cap.upper().removeprefix("CAP_") in DANGEROUS_CAPABILITIES:
                yield (
                    ("services", name, "cap_add", i),
                    f'service "{name}" adds capability {cap}',
                    "add only the narrow capabilities the process needs",
                    False,
                )

    yield from each_service_violation(compose, ctx, check)


@rule(
    id="KL652",
    name="compose-host-namespace",
    severity=Severity.WARNING,
    applies_to=(Format.COMPOSE,),
    category="security",
    security_severity=6.0,
)
def host_namespace(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports services sharing a host namespace: `network_mode: host`, `pid: host`,
    `ipc: host`, `uts: host`, `userns_mode: host`.

    ## Why is this bad?
    The container sees (and can talk to) every host process or interface; with host
    networking its ports bypass Compose's `ports:` mapping entirely.

    ## Example
    ```yaml
    services:
      web: {image: web:1.0, network_mode: host}
    ```

    ## Use instead
    ```yaml
    services:
      web: {image: web:1.0, ports: ["8080:80"]}
    ```
    """

    def check(project: Project, name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str, str, bool]]:
        for key in _HOST_MODES:
            if service.get(key) == "host":
                yield (
                    ("services", name, key),
                    f'service "{name}" uses the host {"network" if key == "network_mode" else key} namespace',
                    "remove it; publish ports or share with a service instead",
                    False,
                )

    yield from each_service_violation(compose, ctx, check)


def _mount_source(spec: Any) -> str | None:
    if isinstance(spec, dict):
        source = spec.get("source")
        return source if isinstance(source, str) else None
    if isinstance(spec, str):
        return spec.split(":")[0]
    return None


@rule(
    id="KL653",
    name="compose-docker-socket-mount",
    severity=Severity.WARNING,
    applies_to=(Format.COMPOSE,),
    category="security",
    security_severity=9.0,
)
def docker_socket_mount(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a service that mounts the Docker socket (`/var/run/docker.sock`).

    ## Why is this bad?
    Whoever can talk to the Docker daemon is root on the host: the container can
    start a privileged container that mounts `/`.

    ## Example
    ```yaml
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
    ```

    ## Use instead
    Use a socket proxy that allows only the API calls needed, read-only, or avoid
    the need (e.g. labels read by a dedicated tool).
    """

    def check(project: Project, name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str, str, bool]]:
        volumes = service.get("volumes")
        if not isinstance(volumes, list):
            return
        for i, spec in enumerate(volumes):
            if _mount_source(spec) in _SOCKETS:
                yield (
                    ("services", name, "volumes", i),
                    f'service "{name}" mounts the Docker socket',
                    "use a restricted socket proxy instead",
                    False,
                )

    yield from each_service_violation(compose, ctx, check)


RULES = (privileged, dangerous_capability, host_namespace, docker_socket_mount)
