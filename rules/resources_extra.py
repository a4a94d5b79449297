"""KL205-KL207: resource requests and limits that are wrong rather than missing.

Severities: errors where the API server rejects the pod (a request above its
limit, a malformed quantity); a warning for quantities that are valid but almost
certainly a unit mistake.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from kubelint.k8s import WORKLOAD_KINDS, Container, as_mapping, iter_containers
from kubelint.model import Format, K8sObject, Severity, Violation
from kubelint.positions import Path
from kubelint.quantity import format_quantity, parse_quantity
from kubelint.rule import Option, RuleContext, rule

MEBIBYTE = 2**20


def _quantities(c: Container, section: str) -> Iterator[tuple[Path, str, Any]]:
    values = as_mapping(as_mapping(c.data.get("resources")).get(section))
    for resource, value in values.items():
        if isinstance(resource, str):
            yield c.path + ("resources", section, resource), resource, value


def _is_templated(value: Any) -> bool:
    return isinstance(value, str) and ("$" in value or "{{" in value)


@rule(
    id="KL205",
    name="request-exceeds-limit",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    category="resources",
)
def request_exceeds_limit(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a container (init containers included) whose request for a resource
    (CPU, memory, ephemeral storage, huge pages, extended resources) is greater
    than its limit for the same resource.

    Severity: error (the API server rejects the pod: `must be less than or equal
    to ... limit`).

    ## Why is this bad?
    The workload cannot be created; its controller only reports the error in its
    events.

    ## Example
    ```yaml
    resources:
      requests: {memory: 1Gi}
      limits: {memory: 512Mi}
    ```

    ## Use instead
    ```yaml
    resources:
      requests: {memory: 512Mi}
      limits: {memory: 1Gi}
    ```
    """
    for c in iter_containers(obj, init=True):
        limits = {resource: (path, value) for path, resource, value in _quantities(c, "limits")}
        for path, resource, value in _quantities(c, "requests"):
            if resource not in limits:
                continue
            request, limit = parse_quantity(value), parse_quantity(limits[resource][1])
            if request is None or limit is None or request <= limit:
                continue
            yield Violation(
                path,
                f"{c.describe} requests {value} {resource}, more than its limit {limits[resource][1]}",
                fix="lower the request or raise the limit",
                fingerprint=f"{c.name}/{resource}",
            )


@rule(
    id="KL206",
    name="invalid-resource-quantity",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    category="resources",
)
def invalid_resource_quantity(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a request or limit that is not a Kubernetes quantity (`500m`, `2`,
    `512Mi`, `1G`, `1e3`), or is negative: `512MB`, `1gi`, `2 cores`, `0.5 GB`.
    `${VAR}` and `{{ }}` values are not judged.

    Severity: error (the API server rejects it: `quantities must match the
    regular expression ...`); the OpenAPI schema accepts any string.

    ## Why is this bad?
    The workload cannot be created.  The usual cause is a unit from another tool:
    Kubernetes writes mebibytes `Mi`, megabytes `M`.

    ## Example
    ```yaml
    limits: {memory: 512MB}
    ```

    ## Use instead
    ```yaml
    limits: {memory: 512Mi}
    ```
    """
    for c in iter_containers(obj, init=True, ephemeral=True):
        for section in ("requests", "limits"):
            for path, resource, value in _quantities(c, section):
                if (
                    not isinstance(value, (str, int, float))
                    or isinstance(value, bool)
                    or _is_templated(value)
                ):
                    continue  # other types are the schema rule's (KL101)
                parsed = parse_quantity(value)
                if isinstance(value, str) and value != value.strip():
                    parsed = None
                if parsed is None:
                    yield Violation(
                        path,
                        f'{c.describe} has an invalid {resource} {section[:-1]} "{value}"',
                        fix="write a quantity such as 500m, 2, 512Mi or 1Gi",
                    )
                elif parsed < 0:
                    yield Violation(path, f"{c.describe} has a negative {resource} {section[:-1]}")


@rule(
    id="KL207",
    name="implausible-resource-quantity",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    options={
        "min-memory": Option("1Mi", "memory quantities below this are reported (a missing unit)"),
        "max-cpu": Option(256, "CPU quantities above this many cores are reported (a missing 'm')"),
    },
    category="resources",
)
def implausible_resource_quantity(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports quantities that are valid but almost certainly a unit mistake: memory
    below 1Mi (`memory: 512` is 512 bytes; `memory: 512m` is half a byte) and CPU
    above 256 cores (`cpu: 500` where `500m` was meant).  Options `min-memory`
    and `max-cpu`.  Zero is not reported.

    Severity: warning (the API accepts it).

    ## Why is this bad?
    A 512-byte memory limit kills the container at start (OOMKilled); a request of
    500 cores leaves the pod Pending forever.

    ## Example
    ```yaml
    requests: {cpu: 500, memory: 256}
    ```

    ## Use instead
    ```yaml
    requests: {cpu: 500m, memory: 256Mi}
    ```
    """
    min_memory = parse_quantity(ctx.options.get("min-memory", "1Mi")) or Fraction(MEBIBYTE)
    max_cpu = Fraction(ctx.options.get("max-cpu", 256))
    for c in iter_containers(obj, init=True, ephemeral=True):
        for section in ("requests", "limits"):
            for path, resource, value in _quantities(c, section):
                parsed = parse_quantity(value)
                if parsed is None or parsed <= 0:
                    continue
                if resource == "memory" and parsed < min_memory:
                    yield Violation(
                        path,
                        f'{c.describe} has a memory {section[:-1]} of "{value}", which is {format_quantity(parsed, "memory")} bytes',
                        fix="add a unit: Mi or Gi",
                    )
                elif resource == "cpu" and parsed > max_cpu:
                    yield Violation(
                        path,
                        f'{c.describe} has a CPU {section[:-1]} of "{value}", which is {format_quantity(parsed, "cpu")} cores',
                        fix="for millicores write the 'm' (500m)",
                    )


RULES = (request_exceeds_limit, invalid_resource_quantity, implausible_resource_quantity)
