"""KL700-KL702, KL721: Services and the pods they select; StatefulSets and their
governing headless Service."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from kubelint.k8s import as_list, as_mapping
from kubelint.k8s_index import PodTemplate, cross_index, describe_labels, int_value, names, related
from kubelint.model import Format, K8sObject, Related, Severity, Violation
from kubelint.rule import Option, RuleContext, rule
from kubelint.selectors import Selector, parse_service_selector

LONG_RUNNING = frozenset(
    {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"}
)


def _service_selector(obj: K8sObject) -> Selector | None:
    spec = as_mapping(obj.data.get("spec"))
    if spec.get("type") == "ExternalName":
        return None
    return parse_service_selector(spec.get("selector"))


def _selected(obj: K8sObject, ctx: RuleContext) -> tuple[Selector, list[PodTemplate]] | None:
    """The Service's selector and the templates it selects; None when it has no
    selector or its pods cannot be known from the run."""
    selector = _service_selector(obj)
    if selector is None:
        return None
    index = cross_index(ctx)
    ns = ctx.workspace.namespace_of(obj)
    found = index.select_for(obj, ns, selector)
    if not found and index.unknowable(obj, ns, selector):
        return None
    return selector, found


def _near_miss(selector: Selector, ns: str, ctx: RuleContext) -> tuple[str, Related, str] | None:
    """The template that differs least from the selector (one or two labels), to
    name the likely typo; looks at a bounded number of candidates."""
    index = cross_index(ctx)
    best: tuple[int, PodTemplate, list[str]] | None = None
    for key, value in selector.equals:
        for template in index.by_label.get((ns, key, value), [])[:20]:
            diffs = [
                f"{k}={template.labels[k]}" if k in template.labels else f"no label {k}"
                for k, v in selector.equals
                if template.labels.get(k) != v
            ]
            if best is None or len(diffs) < best[0]:
                best = (len(diffs), template, diffs)
    if best is None or best[0] > max(1, len(selector.equals) // 2):
        return None
    _, template, diffs = best
    text = f"{template.describe} has {', '.join(diffs)}"
    first_key = next(k for k, v in selector.equals if template.labels.get(k) != v)
    where = template.labels_path + ((first_key,) if first_key in template.labels else ())
    return text, related(template.obj, where, f"labels of {template.describe}"), first_key


@rule(
    id="KL700",
    name="service-selects-no-pods",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=("Service",),
    category="references",
)
def service_selects_no_pods(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a Service whose selector matches the pod template of no workload (and no
    Pod) in its namespace.  Services without a selector (endpoints managed by hand
    or by a controller) and `ExternalName` Services are not checked.  This rule runs
    whatever the run holds: a Service is always shipped with what it serves, except
    for pods created by operators, which you can suppress per object.

    ## Why is this bad?
    The Service has no endpoints: every connection to it is refused, usually because
    a label was renamed on one side only.

    ## Example
    ```yaml
    kind: Service
    spec:
      selector: {app: web}      # the Deployment's pods are labelled app: frontend
    ```

    ## Use instead
    ```yaml
    kind: Service
    spec:
      selector: {app: frontend}
    ```
    """
    found = _selected(obj, ctx)
    if found is None or found[1]:
        return
    selector, _ = found
    ns = ctx.workspace.namespace_of(obj)
    hint = _near_miss(selector, ns, ctx)
    message = f"Service {obj.name} selects {selector.describe()}, but no pod template in namespace {ns} has these labels"
    if hint:
        message += f" ({hint[0]})"
    # On the label that differs from the nearest workload's, else on the selector.
    path = ("spec", "selector", hint[2]) if hint else ("spec", "selector")
    yield Violation(
        path,
        message,
        fix="make the selector match the labels of the workload's pod template",
        related=(hint[1],) if hint else (),
        fingerprint=selector.describe(),
    )


@rule(
    id="KL701",
    name="service-selects-unrelated-workloads",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    kinds=("Service",),
    category="references",
)
def service_selects_unrelated_workloads(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a Service whose selector matches the pods of several unrelated
    long-running workloads: pods whose application label (`app.kubernetes.io/name`,
    `app`, `k8s-app` or `name`, the first found) differs, or of one application
    but with different component labels (`app.kubernetes.io/component`,
    `component` or `tier`).  A canary or a blue/green pair of Deployments with
    `app: web` and different `track`/`version` labels is one application, and a
    workload with no component label is related to every component of its
    application.  When one of the selected workloads has no application label the
    rule cannot tell and stays silent (a hand-made cluster of `node1`, `node2`
    ReplicationControllers is common and intended).

    ## Why is this bad?
    Traffic is spread over pods that serve different things, so a share of the
    requests lands on the wrong program; usually the selector is too broad
    (`tier: backend`).

    ## Example
    ```yaml
    kind: Service
    spec:
      selector: {tier: backend}     # matches app: api and app: redis
    ```

    ## Use instead
    ```yaml
    kind: Service
    spec:
      selector: {app: api, tier: backend}
    ```
    """
    found = _selected(obj, ctx)
    if found is None:
        return
    selector, templates = found
    chosen = _unrelated(t for t in templates if t.obj.kind in LONG_RUNNING)
    if len(chosen) < 2:
        return
    listed = ", ".join(f"{t.describe} ({describe_labels(t.labels, 2)})" for t in chosen)
    yield Violation(
        ("spec", "selector"),
        f"Service {obj.name} (selector {selector.describe()}) selects pods of {len(chosen)} unrelated "
        f"workloads: {listed}",
        fix="add a label that only the intended workload's pods carry to the selector",
        related=tuple(related(t.obj, t.labels_path, f"pods of {t.describe}") for t in chosen),
        fingerprint=selector.describe(),
    )


def _unrelated(templates: Iterable[PodTemplate]) -> list[PodTemplate]:
    """One template per unrelated application; empty when they look related or
    cannot be told apart (a template with no application label)."""
    apps: dict[str, dict[str, PodTemplate]] = {}
    for t in templates:
        identity = t.app_identity()
        if identity is None:
            return []
        apps.setdefault(identity[0], {}).setdefault(identity[1], t)
    if len(apps) > 1:
        return [next(iter(components.values())) for components in apps.values()]
    components = next(iter(apps.values()), {})
    named = [t for c, t in components.items() if c]
    return named if len(named) > 1 else []


def _port_target(port: Any) -> tuple[str, Any] | None:
    """('targetPort' or 'port', value) for a Service port; None if unreadable."""
    if not isinstance(port, dict):
        return None
    if port.get("targetPort") not in (None, "", 0):
        return "targetPort", port["targetPort"]
    if "port" in port:
        return "port", port["port"]
    return None


@rule(
    id="KL702",
    name="service-target-port-not-exposed",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=("Service",),
    category="references",
)
def service_target_port_not_exposed(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Checks each port of a Service against the pods it selects: a named
    `targetPort` must be the name of a `containerPort` of every selected workload;
    a numbered one (by default `targetPort` is `port`) must be one of their
    `containerPort`s, when the workload declares any (declaring ports is
    optional, so workloads without `ports:` are not checked by number).  When the
    selector also matches look-alike workloads elsewhere in the run (another
    example, an alternative bundle), only the workloads nearest the Service (the
    longest common directory) are compared.  Pods that an operator creates for a
    custom resource are not compared (their ports are unknown).

    ## Why is this bad?
    A name that no container has gives the Service no endpoints for that port; a
    number the containers do not listen on refuses every connection.

    ## Example
    ```yaml
    kind: Service
    spec:
      ports: [{port: 80, targetPort: http}]   # the container's port is named "web"
    ```

    ## Use instead
    ```yaml
    kind: Service
    spec:
      ports: [{port: 80, targetPort: web}]
    ```
    """
    found = _selected(obj, ctx)
    if found is None or not found[1]:
        return
    selector, templates = found
    templates = cross_index(ctx).nearest(obj, templates)
    for i, port in enumerate(as_list(as_mapping(obj.data.get("spec")).get("ports"))):
        target = _port_target(port)
        if target is None:
            continue
        field, value = target
        if isinstance(value, str) and ("$" in value or "{{" in value):
            continue  # a placeholder for envsubst or a template engine
        number = int_value(value)
        missing: list[PodTemplate] = []
        for t in templates:
            if t.custom:
                continue
            if number is None and isinstance(value, str):
                if value not in t.port_names:
                    missing.append(t)
            elif number is not None and t.port_numbers and number not in t.port_numbers:
                missing.append(t)
        if not missing:
            continue
        shown = value if number is None else number
        what = f"named {shown}" if number is None else f"{shown}"
        workloads = " or ".join(t.describe for t in missing)
        if number is None:
            has = names(p.name for t in missing for p in t.ports if p.name)
        else:
            has = names(str(p.number) for t in missing for p in t.ports if p.number is not None)
        yield Violation(
            ("spec", "ports", i, field),
            f"Service {obj.name} targets port {shown}, but no container of {workloads} (selected by "
            f"{selector.describe()}) exposes a port {what} (it has: {has})",
            fix="use a containerPort (name or number) of the selected pods",
            related=tuple(
                related(t.obj, t.ports[0].path if t.ports else t.labels_path, f"ports of {t.describe}")
                for t in missing
            ),
            fingerprint=f"{i}/{shown}",
        )


@rule(
    id="KL721",
    name="statefulset-service-not-headless",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=("StatefulSet",),
    options={
        "strict": Option(
            False, "report a missing Service even when the run holds no Service in the namespace"
        )
    },
    category="references",
)
def statefulset_service_not_headless(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a StatefulSet whose `serviceName` names no Service of its namespace, or
    a Service that is not headless (`clusterIP: None`).  Missing Services are
    reported only when the run holds some Service in the namespace (or with the
    `strict` option); external ones can be declared under `external:`.

    ## Why is this bad?
    The governing headless Service gives each pod its stable DNS name
    (`web-0.web.ns.svc`); without it, or with a normal ClusterIP Service, peers
    cannot address each other and clustered databases fail to form.

    ## Example
    ```yaml
    kind: StatefulSet
    spec:
      serviceName: db        # Service db has a cluster IP
    ```

    ## Use instead
    ```yaml
    kind: Service
    metadata: {name: db}
    spec:
      clusterIP: None
    ```
    """
    name = as_mapping(obj.data.get("spec")).get("serviceName")
    if not isinstance(name, str) or not name:
        return
    ns = ctx.workspace.namespace_of(obj)
    index = cross_index(ctx)
    services: Sequence[K8sObject] = ctx.workspace.find("Service", ns, name)
    if not services:
        if index.exists("Service", ns, name):
            return
        if ctx.options.get("strict") or index.holds("Service", ns):
            yield Violation(
                ("spec", "serviceName"),
                f"StatefulSet {obj.name} names serviceName {name}, but the run has no Service {name} in namespace {ns}",
                fix=f"add a headless Service {name} (clusterIP: None) selecting the StatefulSet's pods",
            )
        return
    if any(as_mapping(s.data.get("spec")).get("clusterIP") == "None" for s in services):
        return
    svc = services[0]
    yield Violation(
        ("spec", "serviceName"),
        f"StatefulSet {obj.name} names serviceName {name}, but Service {name} is not headless (no clusterIP: None)",
        fix=f"set clusterIP: None on Service {name}, or add a separate headless Service",
        related=(related(svc, ("metadata", "name"), f"Service {name} is defined here"),),
    )


RULES = (
    service_selects_no_pods,
    service_selects_unrelated_workloads,
    service_target_port_not_exposed,
    statefulset_service_not_headless,
)
