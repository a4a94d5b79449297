"""KL304-KL306: probes that are there but wrong.

Severities: errors for what the API server rejects (a probe on an init
container, a probe without exactly one handler, a liveness/startup probe with a
success threshold other than 1); a warning for identical liveness and readiness
probes, which is valid but defeats their purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubelint.k8s import WORKLOAD_KINDS, is_sidecar, iter_containers
from kubelint.model import Format, K8sObject, Severity, Violation
from kubelint.rule import RuleContext, rule
from kubelint.security_context import as_int

PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")


def _handler(probe: Any) -> tuple[str, Any] | None:
    present = [(h, probe[h]) for h in HANDLERS if isinstance(probe, dict) and probe.get(h) is not None]
    return present[0] if len(present) == 1 else None


@rule(
    id="KL304",
    name="identical-liveness-readiness-probe",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    category="health",
)
def identical_liveness_readiness_probe(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a container whose liveness probe checks exactly what its readiness
    probe checks (the same handler: same command, or same path, port, scheme and
    headers, or same port), whatever their timings.

    Severity: warning (kube-score reports the same).

    ## Why is this bad?
    Readiness failures are meant to take a busy or warming-up pod out of the
    Service; if liveness checks the same thing, the same overload also restarts
    the pod, which makes the overload worse (cascading restarts).  Liveness
    should check only that the process is not stuck.

    ## Example
    ```yaml
    livenessProbe:
      httpGet: {path: /ready, port: 8080}
    readinessProbe:
      httpGet: {path: /ready, port: 8080}
    ```

    ## Use instead
    ```yaml
    livenessProbe:
      httpGet: {path: /livez, port: 8080}
    readinessProbe:
      httpGet: {path: /ready, port: 8080}
    ```
    """
    for c in iter_containers(obj, init=True):
        live = _handler(c.data.get("livenessProbe"))
        ready = _handler(c.data.get("readinessProbe"))
        if live is None or ready is None or live != ready:
            continue
        yield Violation(
            c.path + ("livenessProbe", live[0]),
            f"{c.describe} has the same liveness and readiness probe ({live[0]})",
            key=True,
            fix="let liveness check only that the process is alive (a separate, cheap endpoint)",
        )


@rule(
    id="KL305",
    name="probe-on-init-container",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    category="health",
)
def probe_on_init_container(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports liveness, readiness and startup probes (and `lifecycle` hooks) on
    init containers that are not sidecars (`restartPolicy: Always`).

    Severity: error (the API server rejects them: `may not be set for init
    containers without restartPolicy=Always`).

    ## Why is this bad?
    The workload cannot be created.  Init containers run to completion one after
    the other; they have no "ready" or "alive" state to probe.

    ## Example
    ```yaml
    initContainers:
      - name: migrate
        image: example/migrate:1.0
        readinessProbe: {exec: {command: [true]}}
    ```

    ## Use instead
    ```yaml
    initContainers:
      - name: proxy
        image: envoy:1.30
        restartPolicy: Always        # a sidecar may have probes
        readinessProbe: {tcpSocket: {port: 9901}}
    ```
    """
    for c in iter_containers(obj, init=True):
        if not c.init or is_sidecar(c):
            continue
        for field in (*PROBES, "lifecycle"):
            if c.data.get(field) is not None:
                yield Violation(
                    c.path + (field,),
                    f"{c.describe} has a {field}, which init containers cannot have",
                    key=True,
                    fix="remove it (or make the container a sidecar with restartPolicy: Always)",
                )


@rule(
    id="KL306",
    name="invalid-probe",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    category="health",
)
def invalid_probe(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports probes the API server rejects although the schema accepts them: a
    probe with no handler or with more than one (`exec`, `httpGet`, `tcpSocket`,
    `grpc`), and a liveness or startup probe whose `successThreshold` is not 1.

    Severity: error (the pod is rejected).

    ## Why is this bad?
    `kubectl apply` fails with `must specify a handler type` or `may not specify
    more than 1 handler type`, or `successThreshold: must be 1`.

    ## Example
    ```yaml
    livenessProbe:
      httpGet: {path: /healthz, port: 8080}
      tcpSocket: {port: 8080}
      successThreshold: 2
    ```

    ## Use instead
    ```yaml
    livenessProbe:
      httpGet: {path: /healthz, port: 8080}
    ```
    """
    for c in iter_containers(obj, init=True, ephemeral=True):
        for field in PROBES:
            probe = c.data.get(field)
            if not isinstance(probe, dict):
                continue
            present = [h for h in HANDLERS if probe.get(h) is not None]
            if not present:
                yield Violation(
                    c.path + (field,),
                    f"{field} of {c.describe} has no handler",
                    key=True,
                    fix="add exactly one of exec, httpGet, tcpSocket or grpc",
                )
            elif len(present) > 1:
                yield Violation(
                    c.path + (field, present[1]),
                    f"{field} of {c.describe} has {len(present)} handlers ({', '.join(present)})",
                    key=True,
                    fix="keep exactly one handler",
                )
            threshold = as_int(probe.get("successThreshold"))
            if field != "readinessProbe" and threshold is not None and threshold != 1:
                yield Violation(
                    c.path + (field, "successThreshold"),
                    f"{field} of {c.describe} has successThreshold {threshold}; it must be 1",
                    fix="remove successThreshold (or set it to 1)",
                )


RULES = (identical_liveness_readiness_probe, probe_on_init_container, invalid_probe)
