"""KL301-KL303: liveness and readiness probes, and probes on ports nobody listens on."""

from __future__ import annotations

from collections.abc import Iterator

from kubelint.k8s import LONG_RUNNING_KINDS, WORKLOAD_KINDS, Container, as_mapping, iter_containers
from kubelint.k8s_index import int_value
from kubelint.model import Format, K8sObject, Severity, Violation
from kubelint.rule import RuleContext, rule

PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
PORT_HANDLERS = ("httpGet", "tcpSocket", "grpc")


def _long_running_containers(obj: K8sObject) -> Iterator[Container]:
    """Containers that serve for a long time: regular ones and sidecars, not init
    containers or the containers of Jobs and CronJobs."""
    if obj.kind not in LONG_RUNNING_KINDS:
        return
    for c in iter_containers(obj, init=True):
        if c.init and c.data.get("restartPolicy") != "Always":
            continue
        yield c


@rule(
    id="KL301",
    name="missing-liveness-probe",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    kinds=LONG_RUNNING_KINDS,
    category="health",
)
def missing_liveness_probe(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports long-running containers (not init containers, not Jobs or CronJobs)
    without a `livenessProbe`.

    ## Why is this bad?
    Kubernetes restarts a container only when it exits.  A process that hangs
    (deadlock, exhausted pool) keeps its pod "Running" and serving errors forever.

    ## Example
    ```yaml
    containers:
      - name: api
        image: example/api:1.4.2
    ```

    ## Use instead
    ```yaml
    containers:
      - name: api
        image: example/api:1.4.2
        livenessProbe:
          httpGet: {path: /healthz, port: 8080}
    ```
    """
    for c in _long_running_containers(obj):
        if not c.data.get("livenessProbe"):
            yield Violation(
                c.path,
                f"{c.describe} has no liveness probe",
                fix="add livenessProbe (httpGet, tcpSocket, grpc or exec)",
                fingerprint=f"{c.name}/livenessProbe",
            )


@rule(
    id="KL303",
    name="missing-readiness-probe",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    kinds=LONG_RUNNING_KINDS,
    category="health",
)
def missing_readiness_probe(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports long-running containers (not init containers, not Jobs or CronJobs)
    without a `readinessProbe`.

    ## Why is this bad?
    Without it a pod receives traffic from its Services as soon as the process
    starts, before it can answer, and keeps receiving it while it is overloaded.
    Rolling updates also cannot wait for new pods to be ready.

    ## Example
    ```yaml
    containers:
      - name: api
        image: example/api:1.4.2
    ```

    ## Use instead
    ```yaml
    containers:
      - name: api
        image: example/api:1.4.2
        readinessProbe:
          httpGet: {path: /ready, port: 8080}
    ```
    """
    for c in _long_running_containers(obj):
        if not c.data.get("readinessProbe"):
            yield Violation(
                c.path,
                f"{c.describe} has no readiness probe",
                fix="add readinessProbe (httpGet, tcpSocket, grpc or exec)",
                fingerprint=f"{c.name}/readinessProbe",
            )


@rule(
    id="KL302",
    name="probe-port-not-exposed",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    category="health",
)
def probe_port_not_exposed(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a probe (`httpGet`, `tcpSocket` or `grpc`) whose port is not one of
    the container's `containerPort`s: a number not declared, or a name that no
    port of the container has.

    ## Why is this bad?
    A probe on a named port that does not exist makes the pod invalid; a probe on
    an undeclared number usually means the port changed and the probe did not
    follow, so the probe fails and the container is restarted or never ready.
    Containers that declare no ports at all are not checked by number (declaring
    ports is optional), only by name.

    ## Example
    ```yaml
    ports: [{containerPort: 5000}]
    livenessProbe:
      httpGet: {path: /healthz, port: 8080}
    ```

    ## Use instead
    ```yaml
    ports: [{containerPort: 5000}]
    livenessProbe:
      httpGet: {path: /healthz, port: 5000}
    ```
    """
    for c in iter_containers(obj, init=True):
        numbers: set[int] = set()
        names: set[str] = set()
        for _, port in c.ports():
            number = port.get("containerPort")
            if isinstance(number, int) and not isinstance(number, bool):
                numbers.add(number)
            name = port.get("name")
            if isinstance(name, str):
                names.add(name)
        for probe_name in PROBES:
            probe = as_mapping(c.data.get(probe_name))
            for handler in PORT_HANDLERS:
                action = as_mapping(probe.get(handler))
                if "port" not in action:
                    continue
                port = action["port"]
                if isinstance(port, str) and ("$" in port or "{{" in port):
                    continue  # a template variable, substituted before applying
                path = c.path + (probe_name, handler, "port")
                kind = probe_name.removesuffix("Probe")
                if isinstance(port, str) and not port.isdigit():
                    if port not in names:
                        exposed = ", ".join(sorted(names)) or "no named ports"
                        yield Violation(
                            path,
                            f'{kind} probe uses port "{port}", but {c.describe} has {exposed}',
                            fix="use a port name from the container's ports",
                        )
                    continue
                number = int_value(port)
                if number is None:
                    continue
                if numbers and number not in numbers:
                    exposed = ", ".join(str(n) for n in sorted(numbers))
                    yield Violation(
                        path,
                        f"{kind} probe uses port {number}, but {c.describe} exposes only {exposed}",
                        fix=f"probe a port the container listens on ({exposed})",
                    )


RULES = (missing_liveness_probe, probe_port_not_exposed, missing_readiness_probe)
