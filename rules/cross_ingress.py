"""KL703-KL705, KL718: Ingress and Gateway API routes against the Services (and TLS
Secrets) they name."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kubelint.k8s import as_list, as_mapping
from kubelint.k8s_index import cross_index, int_value, names, related
from kubelint.model import Format, K8sObject, Severity, Violation
from kubelint.positions import Path
from kubelint.rule import Option, RuleContext, rule

ROUTE_KINDS = ("HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute")
_STRICT = {
    "strict": Option(
        False, "report even when the run holds no object of that kind in the namespace (a partial run)"
    )
}
TLS_ISSUER_ANNOTATIONS = ("cert-manager.io/cluster-issuer", "cert-manager.io/issuer")


@dataclass(frozen=True, slots=True)
class Backend:
    service: str
    name_path: Path
    port: Any  # number, name, or None
    port_path: Path


def _backend(data: Any, base: Path) -> Backend | None:
    backend = as_mapping(data)
    service = as_mapping(backend.get("service"))
    if service:  # networking.k8s.io/v1
        name = service.get("name")
        port = as_mapping(service.get("port"))
        if "number" in port:
            value, field = port.get("number"), "number"
        else:
            value, field = port.get("name"), "name"
        if not isinstance(name, str) or not name:
            return None
        return Backend(name, base + ("service", "name"), value, base + ("service", "port", field))
    name = backend.get("serviceName")  # extensions/v1beta1, networking.k8s.io/v1beta1
    if isinstance(name, str) and name:
        return Backend(name, base + ("serviceName",), backend.get("servicePort"), base + ("servicePort",))
    return None  # a resource backend, or nothing readable


def iter_ingress_backends(obj: K8sObject) -> Iterator[Backend]:
    """Service backends of an Ingress, except AWS load balancer "actions" (a backend
    whose port is `use-annotation`, defined by an annotation, not a Service)."""
    for b in _all_backends(obj):
        if b.port == "use-annotation" or f"alb.ingress.kubernetes.io/actions.{b.service}" in obj.annotations:
            continue
        yield b


def _all_backends(obj: K8sObject) -> Iterator[Backend]:
    spec = as_mapping(obj.data.get("spec"))
    for field in ("defaultBackend", "backend"):
        found = _backend(spec.get(field), ("spec", field))
        if found:
            yield found
    for i, r in enumerate(as_list(spec.get("rules"))):
        http = as_mapping(as_mapping(r).get("http"))
        for j, p in enumerate(as_list(http.get("paths"))):
            found = _backend(
                as_mapping(p).get("backend"), ("spec", "rules", i, "http", "paths", j, "backend")
            )
            if found:
                yield found


def _service_ports(service: K8sObject) -> tuple[set[int], set[str]]:
    numbers: set[int] = set()
    port_names: set[str] = set()
    for port in as_list(as_mapping(service.data.get("spec")).get("ports")):
        number = int_value(as_mapping(port).get("port"))
        if number is not None:
            numbers.add(number)
        name = as_mapping(port).get("name")
        if isinstance(name, str) and name:
            port_names.add(name)
    return numbers, port_names


def _port_mismatch(owner: str, service: K8sObject, port: Any, path: Path) -> Violation | None:
    if port is None or port == "":
        return None
    numbers, port_names = _service_ports(service)
    if not numbers and not port_names:
        return None  # an ExternalName Service, or one with unreadable ports
    number = int_value(port)
    if number is not None:
        if number in numbers:
            return None
        detail, has = f"port {number}", names(str(n) for n in numbers)
        shown = str(number)
    elif isinstance(port, str):
        if port in port_names:
            return None
        detail, has = f"port named {port}", names(port_names)
        shown = port
    else:
        return None
    return Violation(
        path,
        f"{owner} routes to port {shown} of Service {service.name}, but Service {service.name} has no "
        f"{detail} (it has: {has})",
        fix=f"use a port (number or name) of Service {service.name}",
        related=(related(service, ("spec", "ports"), f"ports of Service {service.name}"),),
        fingerprint=f"{service.name}/{port}",
    )


@rule(
    id="KL703",
    name="ingress-service-not-found",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=("Ingress",),
    options=_STRICT,
    category="references",
)
def ingress_service_not_found(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports an Ingress backend (`defaultBackend` or a rule path; the
    `networking.k8s.io/v1` `service:` shape and the old `serviceName` shape) that
    names a Service not in the Ingress's namespace.  Resource backends are not
    Services and are not checked.  Reported only when the run holds some Service in
    the namespace (or with `strict: true`); Services declared under `external:`
    count as present.

    ## Why is this bad?
    The controller answers 503 (or 404) for every request routed there.

    ## Example
    ```yaml
    backend:
      service: {name: frontend-svc, port: {number: 80}}   # the Service is "frontend"
    ```

    ## Use instead
    ```yaml
    backend:
      service: {name: frontend, port: {number: 80}}
    ```
    """
    index = cross_index(ctx)
    ns = ctx.workspace.namespace_of(obj)
    if not ctx.options.get("strict") and not index.holds("Service", ns):
        return
    for b in iter_ingress_backends(obj):
        if not index.exists("Service", ns, b.service):
            yield Violation(
                b.name_path,
                f"Ingress {obj.name} routes to Service {b.service}, but the run has no Service {b.service} "
                f"in namespace {ns}",
                fix="name a Service of the Ingress's namespace, or declare it under external:",
                fingerprint=b.service,
            )


@rule(
    id="KL704",
    name="ingress-service-port-not-found",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=("Ingress",),
    category="references",
)
def ingress_service_port_not_found(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports an Ingress backend whose port (a number or a name) is not a port of the
    Service it names, when that Service is in the run.

    ## Why is this bad?
    The controller finds no endpoints for the port and answers 503.

    ## Example
    ```yaml
    backend:
      service: {name: web, port: {name: https}}   # Service web has only port "http"
    ```

    ## Use instead
    ```yaml
    backend:
      service: {name: web, port: {name: http}}
    ```
    """
    ns = ctx.workspace.namespace_of(obj)
    for b in iter_ingress_backends(obj):
        services = ctx.workspace.find("Service", ns, b.service)
        if services:
            found = _port_mismatch(f"Ingress {obj.name}", services[0], b.port, b.port_path)
            if found:
                yield found


@rule(
    id="KL705",
    name="route-backend-not-found",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=ROUTE_KINDS,
    options=_STRICT,
    category="references",
)
def route_backend_not_found(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a Gateway API route (`HTTPRoute`, `GRPCRoute`, `TCPRoute`, `TLSRoute`,
    `UDPRoute`) whose `backendRefs` name a Service that is not in the run, or a
    port that Service does not have.  Only Service backends are checked (the
    default `kind`).  Missing Services are reported only when the run holds some
    Service in the namespace (or with `strict: true`).

    ## Why is this bad?
    The Gateway marks the route `ResolvedRefs: False` and answers 500 for the
    requests it would have sent there.

    ## Example
    ```yaml
    backendRefs:
      - {name: web, port: 8080}     # Service web listens on 80
    ```

    ## Use instead
    ```yaml
    backendRefs:
      - {name: web, port: 80}
    ```
    """
    index = cross_index(ctx)
    own_ns = ctx.workspace.namespace_of(obj)
    for i, r in enumerate(as_list(as_mapping(obj.data.get("spec")).get("rules"))):
        for j, ref in enumerate(as_list(as_mapping(r).get("backendRefs"))):
            ref = as_mapping(ref)
            if ref.get("group", "") not in ("", "core") or ref.get("kind", "Service") != "Service":
                continue
            name = ref.get("name")
            if not isinstance(name, str) or not name:
                continue
            ref_ns = ref.get("namespace")
            ns = ref_ns if isinstance(ref_ns, str) and ref_ns else own_ns
            base = ("spec", "rules", i, "backendRefs", j)
            services = ctx.workspace.find("Service", ns, name)
            if services:
                found = _port_mismatch(
                    f"{obj.kind} {obj.name}", services[0], ref.get("port"), base + ("port",)
                )
                if found:
                    yield found
            elif not index.exists("Service", ns, name) and (
                ctx.options.get("strict") or index.holds("Service", ns)
            ):
                yield Violation(
                    base + ("name",),
                    f"{obj.kind} {obj.name} routes to Service {name}, but the run has no Service {name} "
                    f"in namespace {ns}",
                    fix="name a Service of the run, or declare it under external:",
                    fingerprint=name,
                )


@rule(
    id="KL718",
    name="ingress-tls-secret-not-found",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=("Ingress",),
    options=_STRICT,
    category="references",
)
def ingress_tls_secret_not_found(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports an Ingress `tls[].secretName` that names no Secret of the Ingress's
    namespace.  Secrets that cert-manager creates (a `Certificate` with that
    `secretName` in the run, or an Ingress annotated `cert-manager.io/issuer`,
    `cert-manager.io/cluster-issuer` or `kubernetes.io/tls-acme: "true"`) count as
    present.  Reported only when the run holds some Secret in the namespace (or
    with `strict: true`); Secrets declared under `external:` count as present.

    ## Why is this bad?
    The controller falls back to its default (self-signed) certificate: browsers
    and clients reject the connection.

    ## Example
    ```yaml
    tls:
      - hosts: [shop.example.com]
        secretName: shop-tls-old
    ```

    ## Use instead
    ```yaml
    tls:
      - hosts: [shop.example.com]
        secretName: shop-tls
    ```
    """
    annotations = obj.annotations
    if (
        any(a in annotations for a in TLS_ISSUER_ANNOTATIONS)
        or str(annotations.get("kubernetes.io/tls-acme", "")).lower() == "true"
    ):
        return
    index = cross_index(ctx)
    ns = ctx.workspace.namespace_of(obj)
    if not ctx.options.get("strict") and not index.holds("Secret", ns):
        return
    for i, tls in enumerate(as_list(as_mapping(obj.data.get("spec")).get("tls"))):
        name = as_mapping(tls).get("secretName")
        if isinstance(name, str) and name and not index.exists("Secret", ns, name):
            yield Violation(
                ("spec", "tls", i, "secretName"),
                f"Ingress {obj.name} serves TLS with Secret {name}, but the run has no Secret {name} "
                f"in namespace {ns}",
                fix="name a TLS Secret of the namespace, add a cert-manager Certificate, or declare it under external:",
                fingerprint=name,
            )


RULES = (
    ingress_service_not_found,
    ingress_service_port_not_found,
    route_backend_not_found,
    ingress_tls_secret_not_found,
)
