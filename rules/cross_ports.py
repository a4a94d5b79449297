"""KL719-KL720: node-level port clashes between objects of the run.

Clashes are found through run-wide indexes (nodePort -> Services, host port ->
pod templates, both in run order); each finding sits on the later object and names
the first one, so a clash is reported once per later occurrence.  Two definitions
of the same object (same group, kind, namespace and name: the same Service in
alternative overlays) never clash with each other.
"""

from __future__ import annotations

from collections.abc import Iterator

from kubelint.k8s import WORKLOAD_KINDS, as_list, as_mapping, dig
from kubelint.k8s_index import PodTemplate, TemplatePort, cross_index, int_value, related, render_group
from kubelint.model import Format, K8sObject, Severity, Violation
from kubelint.rule import RuleContext, rule


def _identity(obj: K8sObject, ctx: RuleContext) -> tuple[str, ...]:
    return (obj.group, obj.kind, ctx.workspace.namespace_of(obj), obj.name)


def _where(obj: K8sObject, path: tuple[str | int, ...]) -> str:
    group = render_group(obj)
    if group is not None:
        return group.replace(":", " ", 1)  # rendered text has no file of its own
    span = obj.span(path)
    return f"{obj.source.path}:{span.line}" if span else obj.source.path


def _alternatives(a: K8sObject, b: K8sObject) -> bool:
    """Objects rendered by two different overlays or chart profiles belong to
    alternative deployments (dev and prod), not to one cluster."""
    ga, gb = render_group(a), render_group(b)
    return ga is not None and gb is not None and ga != gb


@rule(
    id="KL719",
    name="duplicate-node-port",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=("Service",),
    category="ports",
)
def duplicate_node_port(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a Service `nodePort` that an earlier Service of the run (in any
    namespace: node ports are cluster-wide) already uses.  The finding sits on the
    later one and names the first.  Two definitions of the same object (the same
    Service in alternative overlays) are not a clash, nor are objects rendered by two
    different kustomize overlays or Helm profiles (alternative deployments), and one
    Service may use a node port for both TCP and UDP.

    ## Why is this bad?
    The API server refuses the second Service (`provided port is already
    allocated`), so whichever is applied last fails.

    ## Example
    ```yaml
    kind: Service
    metadata: {name: admin}
    spec:
      type: NodePort
      ports: [{port: 8080, nodePort: 30080}]   # Service web has nodePort 30080 too
    ```

    ## Use instead
    ```yaml
      ports: [{port: 8080, nodePort: 30081}]
    ```
    """
    index = cross_index(ctx)
    mine = _identity(obj, ctx)
    for i, port in enumerate(as_list(dig(obj.data, "spec", "ports"))):
        number = int_value(as_mapping(port).get("nodePort"))
        if not number:
            continue
        for other, other_path in index.node_ports.get(number, []):
            if other is obj:
                break
            if _identity(other, ctx) == mine or _alternatives(other, obj):
                continue
            yield Violation(
                ("spec", "ports", i, "nodePort"),
                f"Service {obj.name} uses nodePort {number}, but Service {other.name} "
                f"({_where(other, other_path)}) already uses it",
                fix="pick a free nodePort, or leave nodePort out and let Kubernetes choose one",
                related=(related(other, other_path, f"nodePort {number} of Service {other.name}"),),
                fingerprint=str(number),
            )
            break


def _ip_overlap(a: str, b: str) -> bool:
    wildcard = ("", "0.0.0.0", "::")
    return a in wildcard or b in wildcard or a == b


def _may_share_node(a: PodTemplate, b: PodTemplate) -> bool:
    """False when their nodeSelectors pin them to different nodes (same key,
    different value); anything else may land on one node."""
    return all(b.node_selector.get(k, v) == v for k, v in a.node_selector.items())


@rule(
    id="KL720",
    name="pod-host-port-clash",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    category="ports",
)
def host_port_clash(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a container port that binds a node port (a `hostPort`, or any
    `containerPort` of a `hostNetwork: true` pod) which a pod of another workload
    of the run also binds, with the same protocol and an overlapping `hostIP`
    (empty or `0.0.0.0` overlaps every address), unless their `nodeSelector`s pin
    them to different nodes.  Host ports are per node, so namespaces do not
    separate them.  The replicas of one workload are not reported against each
    other: the scheduler places at most one per node (pods that do not fit stay
    Pending, which capacity planning, not this rule, is about).  Two definitions of
    one object, and objects rendered by different kustomize overlays or Helm
    profiles (alternative deployments), are not compared.

    ## Why is this bad?
    Two pods cannot bind one node port: wherever both are scheduled (always, for
    DaemonSets) the second stays Pending, or, with `hostNetwork`, crashes with
    `address already in use`.

    ## Example
    ```yaml
    # DaemonSet node-exporter and DaemonSet metrics-agent
    ports: [{containerPort: 9100, hostPort: 9100}]
    ```

    ## Use instead
    ```yaml
    ports: [{containerPort: 9100, hostPort: 9101}]
    ```
    """
    index = cross_index(ctx)
    template = index.template_of(obj)
    if template is None:
        return
    mine = _identity(obj, ctx)
    for port in template.ports:
        host = port.host_port if port.host_port else port.number if template.host_network else None
        if not host:
            continue
        first = _first_clash(index.host_ports.get((host, port.protocol), []), template, port, mine, ctx)
        if first is None:
            continue
        other, other_port = first
        field = "hostPort" if port.host_port else "containerPort"
        how = "hostPort" if other_port.host_port else "containerPort on the host network"
        yield Violation(
            port.path + (field,),
            f"{template.describe} binds host port {host}/{port.protocol} (container {port.container}), but "
            f"{other.describe} ({_where(other.obj, other_port.path)}) binds it too ({how}): "
            "they cannot run on the same node",
            fix="use different host ports, or keep the workloads on different nodes",
            related=(related(other.obj, other_port.path, f"port {host} of {other.describe}"),),
            fingerprint=f"{host}/{port.protocol}",
        )


def _first_clash(
    owners: list[tuple[PodTemplate, TemplatePort]],
    template: PodTemplate,
    port: TemplatePort,
    mine: tuple[str, ...],
    ctx: RuleContext,
) -> tuple[PodTemplate, TemplatePort] | None:
    for other, other_port in owners:
        if other is template:
            return None  # only earlier objects count: the clash is reported once
        if _identity(other.obj, ctx) == mine or _alternatives(other.obj, template.obj):
            continue
        if _ip_overlap(port.host_ip, other_port.host_ip) and _may_share_node(template, other):
            return other, other_port
    return None


RULES = (duplicate_node_port, host_port_clash)
