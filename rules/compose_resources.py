"""KL220-KL222: resource limits of Compose services (merged project)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from kubelint.compose_project import Project, each_service_violation
from kubelint.model import ComposeFile, Format, Severity, Violation
from kubelint.positions import Path
from kubelint.rule import RuleContext, rule

from .compose_semantics import parse_cpus, parse_size


def _dig(data: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(k)
    return data


def _limit(service: dict[str, Any], legacy: str, field: str) -> Any:
    value = _dig(service, "deploy", "resources", "limits", field)
    return value if value not in (None, "") else service.get(legacy) or None


def _missing(
    field: str, legacy: str, what: str, example: str
) -> Callable[..., Iterator[tuple[Path, str, str, bool]]]:
    def check(project: Project, name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str, str, bool]]:
        if _limit(service, legacy, field) is None:
            yield (
                ("services", name),
                f'service "{name}" has no {what} limit',
                f"set deploy.resources.limits.{field} (e.g. {example})",
                True,
            )

    return check


@rule(
    id="KL220",
    name="compose-missing-memory-limit",
    severity=Severity.WARNING,
    applies_to=(Format.COMPOSE,),
    category="resources",
)
def missing_memory_limit(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a Compose service with neither `deploy.resources.limits.memory` nor the
    legacy `mem_limit` (after merging the override file and `extends`).

    ## Why is this bad?
    A leaking or overloaded container can take all the host's memory and get other
    containers (or the Docker daemon) killed by the kernel's OOM killer.

    ## Example
    ```yaml
    services:
      api:
        image: api:1.4
    ```

    ## Use instead
    ```yaml
    services:
      api:
        image: api:1.4
        deploy:
          resources:
            limits: {memory: 512m}
    ```
    """
    yield from each_service_violation(compose, ctx, _missing("memory", "mem_limit", "memory", "512m"))


@rule(
    id="KL221",
    name="compose-missing-cpu-limit",
    severity=Severity.WARNING,
    applies_to=(Format.COMPOSE,),
    category="resources",
)
def missing_cpu_limit(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a Compose service with neither `deploy.resources.limits.cpus` nor the
    legacy `cpus`.

    ## Why is this bad?
    One busy container can starve every other container of the host.

    ## Example
    ```yaml
    services:
      worker:
        image: worker:2.1
    ```

    ## Use instead
    ```yaml
    services:
      worker:
        image: worker:2.1
        deploy:
          resources:
            limits: {cpus: "1.0"}
    ```
    """
    yield from each_service_violation(compose, ctx, _missing("cpus", "cpus", "CPU", '"0.5"'))


@rule(
    id="KL222",
    name="compose-reservation-exceeds-limit",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="resources",
)
def reservation_exceeds_limit(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a memory or CPU reservation (`deploy.resources.reservations`,
    `mem_reservation`) greater than the service's limit.

    ## Why is this bad?
    The Docker engine refuses to create the container ("Minimum memory limit can not
    be less than memory reservation limit").

    ## Example
    ```yaml
    deploy:
      resources:
        limits: {memory: 256m}
        reservations: {memory: 1g}
    ```

    ## Use instead
    ```yaml
    deploy:
      resources:
        limits: {memory: 1g}
        reservations: {memory: 256m}
    ```
    """

    def check(project: Project, name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str, str, bool]]:
        pairs: tuple[tuple[str, str, Callable[[Any], float | None]], ...] = (
            ("memory", "mem_limit", parse_size),
            ("cpus", "cpus", parse_cpus),
        )
        for field, legacy, parse in pairs:
            limit = (
                parse(_limit(service, legacy, field)) if _limit(service, legacy, field) is not None else None
            )
            reservation_path: Path = ("deploy", "resources", "reservations", field)
            reserved_raw = _dig(service, "deploy", "resources", "reservations", field)
            if reserved_raw is None and field == "memory" and service.get("mem_reservation") is not None:
                reservation_path, reserved_raw = ("mem_reservation",), service.get("mem_reservation")
            reserved = parse(reserved_raw) if reserved_raw is not None else None
            if limit is not None and reserved is not None and 0 < limit < reserved:
                yield (
                    ("services", name) + reservation_path,
                    f'service "{name}" reserves more {field} than its limit',
                    "lower the reservation or raise the limit",
                    False,
                )

    yield from each_service_violation(compose, ctx, check)


RULES = (missing_memory_limit, missing_cpu_limit, reservation_exceeds_limit)
