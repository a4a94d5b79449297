"""KL510-KL517: container and Service ports.

Severities: what the API server rejects is an error (an invalid port name or
number, a name used twice in one container, Service ports that repeat or lack
names); what it accepts but breaks at run time or in a Service is a warning (the
same port declared twice in a pod, a name used by two containers); policy is off
by default (privileged ports).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kubelint.k8s import WORKLOAD_KINDS, Container, as_list, as_mapping, is_sidecar, iter_containers
from kubelint.k8s_index import int_value
from kubelint.k8s_names import dns1123_label, iana_svc_name, is_placeholder_text
from kubelint.model import Format, K8sObject, Severity, Violation
from kubelint.positions import Path
from kubelint.rule import Option, RuleContext, rule
from kubelint.security_context import as_int

PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
PORT_HANDLERS = ("httpGet", "tcpSocket", "grpc")
PORT_MAX = 65535


def _in_start_order(obj: K8sObject) -> list[Container]:
    """Init containers, then regular ones, then ephemeral ones (so a duplicate is
    reported at the container that comes later)."""
    every = list(iter_containers(obj, init=True, ephemeral=True))
    return (
        [c for c in every if c.init]
        + [c for c in every if not c.init and not c.ephemeral]
        + [c for c in every if c.ephemeral]
    )


def _running_together(obj: K8sObject) -> list[Container]:
    """Containers that run at the same time: sidecars and regular ones."""
    return [c for c in _in_start_order(obj) if not c.ephemeral and (not c.init or is_sidecar(c))]


def _protocol(port: Mapping[str, Any]) -> str:
    protocol = port.get("protocol")
    return protocol.upper() if isinstance(protocol, str) else "TCP"


@rule(
    id="KL510",
    name="duplicate-container-port",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    category="ports",
)
def duplicate_container_port(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a `containerPort` (with its protocol) declared a second time in a
    pod: twice in one container, or by two containers that run together (regular
    containers and sidecars; init containers run before them and do not count).
    TCP and UDP on one number are different ports.

    Severity: warning: the API server only warns, but the containers share one
    network namespace, so only one of them can listen on the port.

    ## Why is this bad?
    The second process fails to bind, or the declaration is stale and Services
    and probes that rely on it point at the wrong container.

    ## Example
    ```yaml
    containers:
      - {name: web, image: web:1.0, ports: [{containerPort: 8080}]}
      - {name: metrics, image: exporter:1.0, ports: [{containerPort: 8080}]}
    ```

    ## Use instead
    ```yaml
    containers:
      - {name: web, image: web:1.0, ports: [{containerPort: 8080}]}
      - {name: metrics, image: exporter:1.0, ports: [{containerPort: 9100}]}
    ```
    """
    seen: dict[tuple[int, str], Container] = {}
    for c in _running_together(obj):
        for path, port in c.ports():
            number = as_int(port.get("containerPort"))
            if number is None:
                continue
            key = (number, _protocol(port))
            first = seen.get(key)
            if first is None:
                seen[key] = c
                continue
            where = "again" if first.path == c.path else f"also by {first.describe}"
            yield Violation(
                path + ("containerPort",),
                f"port {number}/{key[1]} of {c.describe} is declared {where}",
                fix="declare each port once, in the container that listens on it",
            )


@rule(
    id="KL511",
    name="duplicate-container-port-name",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    category="ports",
)
def duplicate_container_port_name(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a port name used twice: in one container, or by two containers of a
    pod that run together (init containers that are not sidecars do not count).

    Severity: error within one container (the API server rejects it); warning
    across containers (accepted, but a Service `targetPort` by that name becomes
    ambiguous).

    ## Why is this bad?
    A Service that targets the port by name sends traffic to whichever container
    the endpoints controller picks first.

    ## Example
    ```yaml
    containers:
      - {name: web, image: web:1.0, ports: [{name: http, containerPort: 8080}]}
      - {name: admin, image: admin:1.0, ports: [{name: http, containerPort: 9090}]}
    ```

    ## Use instead
    ```yaml
    containers:
      - {name: web, image: web:1.0, ports: [{name: http, containerPort: 8080}]}
      - {name: admin, image: admin:1.0, ports: [{name: admin-http, containerPort: 9090}]}
    ```
    """
    running = {c.path for c in _running_together(obj)}
    across: dict[str, Container] = {}
    for c in _in_start_order(obj):
        own: set[str] = set()
        for path, port in c.ports():
            name = port.get("name")
            if not isinstance(name, str) or not name:
                continue
            if name in own:
                yield Violation(
                    path + ("name",),
                    f'port name "{name}" is used twice in {c.describe}',
                    fix="give each port of a container its own name",
                )
                continue
            own.add(name)
            if c.path not in running:
                continue
            first = across.setdefault(name, c)
            if first is not c:
                yield Violation(
                    path + ("name",),
                    f'port name "{name}" of {c.describe} is also used by {first.describe}',
                    fix="use names that are unique in the pod",
                    severity=Severity.WARNING,
                )


def _port_name_problems(obj: K8sObject) -> Iterator[tuple[Path, str, str]]:
    """(path, name, message) for port names that are not IANA service names."""
    for c in iter_containers(obj, init=True, ephemeral=True):
        for path, port in c.ports():
            name = port.get("name")
            if isinstance(name, str) and name and not is_placeholder_text(name):
                reason = iana_svc_name(name)
                if reason:
                    yield path + ("name",), name, f'port name "{name}" of {c.describe} {reason}'

        for probe in PROBES:
            for handler in PORT_HANDLERS:
                named = as_mapping(as_mapping(c.data.get(probe)).get(handler)).get("port")
                if (
                    isinstance(named, str)
                    and named
                    and not named.isdigit()
                    and not is_placeholder_text(named)
                ):
                    reason = iana_svc_name(named)
                    if reason:
                        yield (
                            c.path + (probe, handler, "port"),
                            named,
                            f'{probe} port "{named}" of {c.describe} {reason}',
                        )


@rule(
    id="KL512",
    name="invalid-port-name",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS | {"Service"},
    category="ports",
)
def invalid_port_name(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports port names the API server rejects.  Container port names, named
    probe ports and a Service's named `targetPort` must be IANA service names: at
    most 15 characters, lowercase letters, digits and `-`, at least one letter,
    no leading, trailing or doubled `-`.  A Service port's own `name` must be a
    DNS-1123 label (lowercase, at most 63 characters).  Placeholders
    (`${PORT_NAME}`, `{{ }}`, `<name>`, `PORT`) are not judged.

    Severity: error (the object is rejected).

    ## Why is this bad?
    `kubectl apply` fails with `must be no more than 15 characters` or `must
    contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)`.

    ## Example
    ```yaml
    ports:
      - {name: http_metrics, containerPort: 9100}
      - {name: grpc-health-check, containerPort: 8081}
    ```

    ## Use instead
    ```yaml
    ports:
      - {name: http-metrics, containerPort: 9100}
      - {name: grpc-health, containerPort: 8081}
    ```
    """
    if obj.kind == "Service":
        for i, port in enumerate(as_list(as_mapping(obj.data.get("spec")).get("ports"))):
            if not isinstance(port, dict):
                continue
            name = port.get("name")
            if isinstance(name, str) and name and not is_placeholder_text(name):
                reason = dns1123_label(name)
                if reason:
                    yield Violation(
                        ("spec", "ports", i, "name"),
                        f'Service port name "{name}" {reason}',
                        fix="use a lowercase DNS label",
                    )
            target = port.get("targetPort")
            if (
                isinstance(target, str)
                and target
                and not target.isdigit()
                and not is_placeholder_text(target)
            ):
                reason = iana_svc_name(target)
                if reason:
                    yield Violation(
                        ("spec", "ports", i, "targetPort"),
                        f'targetPort name "{target}" {reason}',
                        fix="use a valid container port name (≤ 15 characters, a-z, 0-9, '-')",
                    )
        return
    for path, _name, message in _port_name_problems(obj):
        yield Violation(
            path,
            message,
            fix="use ≤ 15 lowercase letters, digits and '-', with at least one letter",
        )


@rule(
    id="KL513",
    name="host-port",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    category="ports",
    security_severity=4.0,
)
def host_port(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports container ports with a `hostPort` (other than 0).

    Severity: warning (Polaris `hostPortSet`).  Two pods binding the same host
    port on one node are KL720.

    ## Why is this bad?
    A host port binds the node's address: only one such pod fits on each node,
    the pod is reachable from outside the cluster's network policies, and
    scheduling fails silently when the port is taken.

    ## Example
    ```yaml
    ports:
      - {containerPort: 8080, hostPort: 80}
    ```

    ## Use instead
    ```yaml
    ports:
      - {containerPort: 8080}   # and a Service (NodePort/LoadBalancer) or an Ingress
    ```
    """
    for c in iter_containers(obj, init=True):
        for path, port in c.ports():
            number = as_int(port.get("hostPort"))
            if number:
                yield Violation(
                    path + ("hostPort",),
                    f"{c.describe} binds host port {number}",
                    fix="remove hostPort; expose the port through a Service",
                )


def _numbers(obj: K8sObject) -> Iterator[tuple[Path, Any, str, bool]]:
    """(path, value, what, zero allowed) of every port number field."""
    if obj.kind == "Service":
        for i, port in enumerate(as_list(as_mapping(obj.data.get("spec")).get("ports"))):
            if isinstance(port, dict):
                path: Path = ("spec", "ports", i)
                yield path + ("port",), port.get("port"), "Service port", False
                target = port.get("targetPort")
                if not isinstance(target, str):
                    yield path + ("targetPort",), target, "targetPort", False
                yield path + ("nodePort",), port.get("nodePort"), "nodePort", True
        return
    for c in iter_containers(obj, init=True, ephemeral=True):
        for path, port in c.ports():
            yield (
                path + ("containerPort",),
                port.get("containerPort"),
                f"containerPort of {c.describe}",
                False,
            )
            yield path + ("hostPort",), port.get("hostPort"), f"hostPort of {c.describe}", True
        for probe in PROBES:
            for handler in PORT_HANDLERS:
                port = as_mapping(as_mapping(c.data.get(probe)).get(handler)).get("port")
                if isinstance(port, str) and int_value(port) is not None:
                    port = int_value(port)
                if not isinstance(port, str):
                    yield c.path + (probe, handler, "port"), port, f"{probe} port of {c.describe}", False


@rule(
    id="KL514",
    name="invalid-port-number",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS | {"Service"},
    category="ports",
)
def invalid_port_number(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports port numbers outside 1-65535: container ports, host ports, probe
    ports, Service `port`, `targetPort` and `nodePort` (0 means "unset" for
    hostPort and nodePort).  Values that are not integers are left to the schema
    rule.

    Severity: error (the API server rejects them; the OpenAPI schema does not
    say so).

    ## Why is this bad?
    `kubectl apply` fails with `must be between 1 and 65535, inclusive`.

    ## Example
    ```yaml
    ports:
      - containerPort: 80800
    ```

    ## Use instead
    ```yaml
    ports:
      - containerPort: 8080
    ```
    """
    for path, value, what, zero_ok in _numbers(obj):
        if value is None or isinstance(value, bool) or not isinstance(value, int):
            continue
        if (value == 0 and zero_ok) or 1 <= value <= PORT_MAX:
            continue
        yield Violation(
            path, f"{what} is {value}, not between 1 and {PORT_MAX}", fix="use a port from 1 to 65535"
        )


@rule(
    id="KL515",
    name="privileged-container-port",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    default_enabled=False,
    options={"below": Option(1024, "ports below this number are privileged")},
    category="ports",
    security_severity=3.0,
)
def privileged_container_port(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a `containerPort` below 1024 (option `below`).  Off by default: many
    images (nginx, httpd) listen on port 80 and it is harmless with the runtime's
    default `net.ipv4.ip_unprivileged_port_start`.

    Severity: warning (kube-linter `privileged-ports`).

    ## Why is this bad?
    Binding a privileged port needs root or `NET_BIND_SERVICE`, which rules out
    running the container as a non-root user without extra capabilities.

    ## Example
    ```yaml
    ports:
      - containerPort: 80
    ```

    ## Use instead
    ```yaml
    ports:
      - containerPort: 8080
    ```
    """
    below = int(ctx.options.get("below", 1024))
    for c in iter_containers(obj, init=True):
        for path, port in c.ports():
            number = as_int(port.get("containerPort"))
            if number is not None and 0 < number < below:
                yield Violation(
                    path + ("containerPort",),
                    f"{c.describe} listens on privileged port {number}",
                    fix=f"listen on a port of {below} or above",
                )


def _service_ports(obj: K8sObject) -> list[tuple[int, Mapping[str, Any]]]:
    ports = as_list(as_mapping(obj.data.get("spec")).get("ports"))
    return [(i, p) for i, p in enumerate(ports) if isinstance(p, dict)]


@rule(
    id="KL516",
    name="duplicate-service-port",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=("Service",),
    category="ports",
)
def duplicate_service_port(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a Service port that repeats an earlier one: the same `port` and
    protocol, or the same `name`.

    Severity: error (the API server rejects the Service: `Duplicate value`).

    ## Why is this bad?
    The Service cannot be created or updated, so clients keep the old ports.

    ## Example
    ```yaml
    ports:
      - {name: http, port: 80, targetPort: 8080}
      - {name: http, port: 80, targetPort: 9090}
    ```

    ## Use instead
    ```yaml
    ports:
      - {name: http, port: 80, targetPort: 8080}
      - {name: admin, port: 9090, targetPort: 9090}
    ```
    """
    numbers: set[tuple[int, str]] = set()
    names: set[str] = set()
    for i, port in _service_ports(obj):
        number = as_int(port.get("port"))
        if number is not None:
            key = (number, _protocol(port))
            if key in numbers:
                yield Violation(
                    ("spec", "ports", i, "port"),
                    f"Service port {number}/{key[1]} is listed twice",
                    fix="list each port once",
                )
            numbers.add(key)
        name = port.get("name")
        if isinstance(name, str) and name:
            if name in names:
                yield Violation(
                    ("spec", "ports", i, "name"),
                    f'Service port name "{name}" is used twice',
                    fix="give each port its own name",
                )
            names.add(name)


@rule(
    id="KL517",
    name="unnamed-service-port",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=("Service",),
    category="ports",
)
def unnamed_service_port(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports the ports without a `name` of a Service that has more than one port.

    Severity: error (the API server rejects the Service: `name: Required value`).

    ## Why is this bad?
    With several ports, names are what Endpoints, EndpointSlices and Ingresses
    use to tell the ports apart, so the API requires them.

    ## Example
    ```yaml
    ports:
      - {port: 80, targetPort: 8080}
      - {port: 443, targetPort: 8443}
    ```

    ## Use instead
    ```yaml
    ports:
      - {name: http, port: 80, targetPort: 8080}
      - {name: https, port: 443, targetPort: 8443}
    ```
    """
    ports = _service_ports(obj)
    if len(ports) < 2:
        return
    for i, port in ports:
        if not port.get("name"):
            yield Violation(
                ("spec", "ports", i),
                f"port {port['port'] if 'port' in port else f'#{i + 1}'} of a multi-port Service has no name",
                fix="name every port of the Service",
            )


RULES = (
    duplicate_container_port,
    duplicate_container_port_name,
    invalid_port_name,
    host_port,
    invalid_port_number,
    privileged_container_port,
    duplicate_service_port,
    unnamed_service_port,
)
