"""KL201-KL204: containers without CPU/memory requests and limits."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from kubelint.k8s import WORKLOAD_KINDS, as_mapping, is_sidecar, iter_containers
from kubelint.model import Format, K8sObject, Severity, Violation
from kubelint.rule import Option, Rule, RuleContext, rule

_INIT_OPTION = {
    "check-init-containers": Option(
        False, "also require it on init containers (sidecars, with restartPolicy Always, always count)"
    ),
}


def _missing(section: str, resource: str) -> Callable[[K8sObject, RuleContext], Iterator[Violation]]:
    word = "CPU" if resource == "cpu" else "memory"

    def check(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
        for c in iter_containers(obj, init=True):
            if c.init and not is_sidecar(c) and not ctx.options.get("check-init-containers"):
                continue
            resources = as_mapping(c.data.get("resources"))
            values = as_mapping(resources.get(section))
            if values.get(resource) not in (None, ""):
                continue
            if "resources" not in c.data:
                path, on_key = c.path, False  # the nearest parent: the container
            elif section not in resources:
                path, on_key = c.path + ("resources",), True
            else:
                path, on_key = c.path + ("resources", section), True
            noun = "request" if section == "requests" else "limit"
            yield Violation(
                path,
                f"{c.describe} has no {word} {noun}",
                key=on_key,
                fix=f"set resources.{section}.{resource}",
                fingerprint=f"{c.name}/{section}/{resource}",
            )

    return check


_DOCS = """
## What it does
Reports every container (and sidecar) of a workload that sets no {what}.

## Why is this bad?
{why}

## Example
```yaml
containers:
  - name: web
    image: nginx:1.27
```

## Use instead
```yaml
containers:
  - name: web
    image: nginx:1.27
    resources:
      requests: {{cpu: 100m, memory: 128Mi}}
      limits: {{cpu: 500m, memory: 256Mi}}
```
"""

_WHY_REQUEST = (
    "The scheduler places pods by their requests: without one the pod may land on a node "
    "that cannot serve it, is the first evicted under pressure (BestEffort QoS), and an "
    "HPA cannot compute utilisation for that resource."
)
_WHY_LIMIT = (
    "Without a limit one container can take all of the node's {res} and starve its "
    "neighbours (or, for memory, get the whole node into OOM trouble)."
)


def _make(rid: str, name: str, section: str, resource: str) -> Rule:
    word = "CPU" if resource == "cpu" else "memory"
    noun = "request" if section == "requests" else "limit"
    why = _WHY_REQUEST if section == "requests" else _WHY_LIMIT.format(res=word)
    check = _missing(section, resource)
    check.__doc__ = _DOCS.format(what=f"{word} {noun} (`resources.{section}.{resource}`)", why=why)
    return rule(
        id=rid,
        name=name,
        severity=Severity.WARNING,
        applies_to=(Format.KUBERNETES,),
        kinds=WORKLOAD_KINDS,
        options=_INIT_OPTION,
        category="resources",
    )(check)


MISSING_CPU_REQUEST = _make("KL201", "missing-cpu-request", "requests", "cpu")
MISSING_MEMORY_REQUEST = _make("KL202", "missing-memory-request", "requests", "memory")
MISSING_CPU_LIMIT = _make("KL203", "missing-cpu-limit", "limits", "cpu")
MISSING_MEMORY_LIMIT = _make("KL204", "missing-memory-limit", "limits", "memory")

RULES = (MISSING_CPU_REQUEST, MISSING_MEMORY_REQUEST, MISSING_CPU_LIMIT, MISSING_MEMORY_LIMIT)
