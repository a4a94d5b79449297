"""KL310-KL311: Compose healthchecks (merged project)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubelint.compose_project import Project, each_service_violation
from kubelint.model import ComposeFile, Format, Severity, Violation
from kubelint.positions import Path
from kubelint.rule import RuleContext, rule


def healthcheck_state(service: dict[str, Any]) -> str:
    """ "set", "missing" or "disabled" (`disable: true` or `test: ["NONE"]`)."""
    check = service.get("healthcheck")
    if not isinstance(check, dict):
        return "missing"
    if check.get("disable") in (True, "true", "True"):
        return "disabled"
    test = check.get("test")
    if isinstance(test, list) and test[:1] == ["NONE"]:
        return "disabled"
    if test in (None, "", []):
        return "missing"  # only timings: the image's HEALTHCHECK (if any) is used
    return "set"


@rule(
    id="KL310",
    name="compose-missing-healthcheck",
    severity=Severity.WARNING,
    applies_to=(Format.COMPOSE,),
    category="health",
)
def missing_healthcheck(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a Compose service without a `healthcheck` test, or with its healthcheck
    disabled (`disable: true`, `test: ["NONE"]`).

    ## Why is this bad?
    Without a healthcheck Compose (and `depends_on: condition: service_healthy`)
    cannot tell a hung container from a working one; `docker ps` shows it as up
    while it serves errors.

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
        healthcheck:
          test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
          interval: 30s
    ```
    """

    def check(project: Project, name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str, str, bool]]:
        state = healthcheck_state(service)
        if state == "missing":
            yield ("services", name), f'service "{name}" has no healthcheck', "add a healthcheck: test", True
        elif state == "disabled":
            check = service["healthcheck"]
            yield (
                ("services", name, "healthcheck", "disable" if "disable" in check else "test"),
                f'service "{name}" disables its healthcheck',
                "remove disable: true and give a test",
                False,
            )

    yield from each_service_violation(compose, ctx, check)


@rule(
    id="KL311",
    name="compose-healthy-dependency-without-healthcheck",
    severity=Severity.WARNING,
    applies_to=(Format.COMPOSE,),
    category="health",
)
def healthy_dependency_without_healthcheck(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports `depends_on: {db: {condition: service_healthy}}` where the service `db`
    defines no healthcheck (or disables it) in the project.

    ## Why is this bad?
    Unless the image itself declares a `HEALTHCHECK`, `docker compose up` fails:
    "dependency failed to start: container db has no healthcheck configured".

    ## Example
    ```yaml
    services:
      web:
        image: web:1.0
        depends_on: {db: {condition: service_healthy}}
      db:
        image: postgres:16
    ```

    ## Use instead
    ```yaml
      db:
        image: postgres:16
        healthcheck:
          test: ["CMD-SHELL", "pg_isready -U postgres"]
    ```
    """

    def check(project: Project, name: str, service: dict[str, Any]) -> Iterator[tuple[Path, str, str, bool]]:
        depends = service.get("depends_on")
        if not isinstance(depends, dict):
            return
        for target, spec in depends.items():
            if not isinstance(spec, dict) or spec.get("condition") != "service_healthy":
                continue
            other = project.services.get(target)
            if isinstance(other, dict) and healthcheck_state(other) != "set":
                yield (
                    ("services", name, "depends_on", target, "condition"),
                    f'service "{name}" waits for "{target}" to be healthy, but "{target}" has no healthcheck',
                    f'add a healthcheck to "{target}" or use condition: service_started',
                    False,
                )

    yield from each_service_violation(compose, ctx, check)


RULES = (missing_healthcheck, healthy_dependency_without_healthcheck)
