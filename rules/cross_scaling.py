"""KL706-KL710: HorizontalPodAutoscalers, PodDisruptionBudgets and NetworkPolicies
against the workloads and pods they target."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kubelint.k8s import WORKLOAD_KINDS, as_list, as_mapping, iter_containers
from kubelint.k8s_index import SCALABLE_KINDS, PodTemplate, cross_index, int_value, nearest_objects, related
from kubelint.model import Format, K8sObject, Severity, Violation
from kubelint.positions import Path
from kubelint.rule import Option, RuleContext, rule
from kubelint.selectors import SelectorError, parse_label_selector

RESOURCE_WORDS = {"cpu": "CPU", "memory": "memory"}


@rule(
    id="KL706",
    name="hpa-target-not-found",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=("HorizontalPodAutoscaler",),
    options={"strict": Option(False, "report even when the run holds no object of the target's kind")},
    category="references",
)
def hpa_target_not_found(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a HorizontalPodAutoscaler whose `scaleTargetRef` names a workload that
    is not in its namespace.  Reported only when the run holds some object of the
    target's kind in the namespace (or with `strict: true`); targets declared under
    `external:` count as present.

    ## Why is this bad?
    The HPA reports `FailedGetScale` and scales nothing; usually the workload was
    renamed and the HPA was not.

    ## Example
    ```yaml
    scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web-v1}
    ```

    ## Use instead
    ```yaml
    scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
    ```
    """
    target = as_mapping(as_mapping(obj.data.get("spec")).get("scaleTargetRef"))
    kind, name = target.get("kind"), target.get("name")
    if not isinstance(kind, str) or not isinstance(name, str) or not kind or not name:
        return
    index = cross_index(ctx)
    ns = ctx.workspace.namespace_of(obj)
    if index.exists(kind, ns, name):
        return
    if kind not in SCALABLE_KINDS and not ctx.workspace.of_kind(kind):
        return  # a custom scalable kind the run does not manage
    if not ctx.options.get("strict") and not index.holds(kind, ns):
        return
    yield Violation(
        ("spec", "scaleTargetRef", "name"),
        f"HorizontalPodAutoscaler {obj.name} scales {kind} {name}, but the run has no {kind} {name} in namespace {ns}",
        fix="name a workload of the HPA's namespace",
        fingerprint=f"{kind}/{name}",
    )


@dataclass(frozen=True, slots=True)
class UtilisationMetric:
    resource: str
    container: str | None  # ContainerResource metrics concern one container
    path: Path  # in the HPA


def utilisation_metrics(hpa: K8sObject) -> Iterator[UtilisationMetric]:
    """CPU/memory utilisation targets of an HPA (v1, v2beta1, v2beta2, v2), with the
    default (80% CPU) when it lists no metric."""
    spec = as_mapping(hpa.data.get("spec"))
    if hpa.api_version == "autoscaling/v1":
        path: Path = (
            ("spec", "targetCPUUtilizationPercentage")
            if "targetCPUUtilizationPercentage" in spec
            else ("spec",)
        )
        yield UtilisationMetric("cpu", None, path)
        return
    metrics = as_list(spec.get("metrics"))
    if not metrics:
        yield UtilisationMetric("cpu", None, ("spec",))
        return
    for i, metric in enumerate(metrics):
        metric = as_mapping(metric)
        kind = metric.get("type")
        if kind == "Resource":
            source, container = as_mapping(metric.get("resource")), None
            field = "resource"
        elif kind == "ContainerResource":
            source = as_mapping(metric.get("containerResource"))
            container = source.get("container") if isinstance(source.get("container"), str) else None
            field = "containerResource"
        else:
            continue
        resource = source.get("name")
        if resource not in RESOURCE_WORDS:
            continue
        target = as_mapping(source.get("target"))
        if target.get("type") == "Utilization" or "targetAverageUtilization" in source:
            yield UtilisationMetric(str(resource), container, ("spec", "metrics", i, field))


def _one_per_name(hpas: list[K8sObject], near: K8sObject) -> list[K8sObject]:
    """Alternative definitions of one HPA (same name) count once: the nearest."""
    by_name: dict[str, list[K8sObject]] = {}
    for h in hpas:
        by_name.setdefault(h.name, []).append(h)
    return [nearest_objects(near, group)[0] for group in by_name.values()]


@rule(
    id="KL707",
    name="hpa-utilisation-without-request",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    category="references",
)
def hpa_utilisation_without_request(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a container of a workload that a HorizontalPodAutoscaler of the run
    scales on CPU or memory *utilisation* (`target.type: Utilization`, v1
    `targetCPUUtilizationPercentage`, or no metric at all, which means 80% CPU)
    when the container has no request (nor limit, which defaults the request) for
    that resource.  A LimitRange of the namespace with a default for the resource
    silences it.  The finding sits on the container; the HPA is related.

    ## Why is this bad?
    Utilisation is usage divided by request: without a request for every container
    the HPA cannot compute it (`missing request for cpu`) and never scales.

    ## Example
    ```yaml
    containers:
      - name: web
        image: example/web:1.2.0     # an HPA targets 70% CPU utilisation
    ```

    ## Use instead
    ```yaml
    containers:
      - name: web
        image: example/web:1.2.0
        resources:
          requests: {cpu: 250m}
    ```
    """
    index = cross_index(ctx)
    ns = ctx.workspace.namespace_of(obj)
    hpas = nearest_objects(obj, _one_per_name(index.hpas_by_target.get((ns, obj.kind, obj.name), []), obj))
    for hpa in hpas:
        targets = list(ctx.workspace.find(obj.kind, ns, obj.name))
        if not any(t is obj for t in nearest_objects(hpa, targets)):
            continue  # the HPA scales another definition of this workload
        for metric in utilisation_metrics(hpa):
            if metric.resource in index.limit_defaults.get(ns, set()):
                continue
            word = RESOURCE_WORDS[metric.resource]
            for c in iter_containers(obj):
                if metric.container is not None and c.name != metric.container:
                    continue
                resources = as_mapping(c.data.get("resources"))
                if any(
                    as_mapping(resources.get(s)).get(metric.resource) not in (None, "")
                    for s in ("requests", "limits")
                ):
                    continue
                yield Violation(
                    c.path + ("resources",) if "resources" in c.data else c.path,
                    f"HorizontalPodAutoscaler {hpa.name} scales {obj.label} on {word} utilisation, but "
                    f"{c.describe} has no {word} request",
                    key="resources" in c.data,
                    fix=f"set resources.requests.{metric.resource} on {c.describe}",
                    related=(
                        related(hpa, metric.path, f"the {word} metric of HorizontalPodAutoscaler {hpa.name}"),
                    ),
                    fingerprint=f"{hpa.name}/{c.name}/{metric.resource}",
                )


def _pdb_selected(obj: K8sObject, ctx: RuleContext) -> list[PodTemplate] | None:
    """Templates the PDB selects; None if its selector is unreadable."""
    try:
        selector = parse_label_selector(as_mapping(obj.data.get("spec")).get("selector"))
    except SelectorError:
        return None
    if selector is None:
        return []
    index = cross_index(ctx)
    ns = ctx.workspace.namespace_of(obj)
    found = index.select_for(obj, ns, selector)
    if not found and index.unknowable(obj, ns, selector):
        return None
    return found


@rule(
    id="KL708",
    name="pdb-selects-no-pods",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    kinds=("PodDisruptionBudget",),
    category="references",
)
def pdb_selects_no_pods(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a PodDisruptionBudget whose selector matches the pod template of no
    workload in its namespace (a missing selector selects nothing; an empty one,
    `{}`, selects every pod of the namespace).

    ## Why is this bad?
    The budget protects nothing: a node drain evicts all the pods it was written
    for at once.

    ## Example
    ```yaml
    kind: PodDisruptionBudget
    spec:
      selector: {matchLabels: {app: web-server}}   # the pods are app: web
    ```

    ## Use instead
    ```yaml
      selector: {matchLabels: {app: web}}
    ```
    """
    selected = _pdb_selected(obj, ctx)
    if selected is None or selected:
        return
    ns = ctx.workspace.namespace_of(obj)
    spec = as_mapping(obj.data.get("spec"))
    if spec.get("selector") is None:
        message = f"PodDisruptionBudget {obj.name} has no selector: it selects no pods"
        path: Path = ("spec",)
    else:
        try:
            described = parse_label_selector(spec.get("selector"))
        except SelectorError:
            return
        shown = described.describe() if described else "nothing"
        message = f"PodDisruptionBudget {obj.name} selects {shown}, but no pod template in namespace {ns} has these labels"
        path = ("spec", "selector")
    yield Violation(
        path, message, key=path == ("spec",), fix="match the labels of the workload's pod template"
    )


def _percent(value: object) -> int | None:
    if isinstance(value, str) and value.strip().endswith("%"):
        return int_value(value.strip()[:-1])
    return None


@rule(
    id="KL709",
    name="pdb-blocks-all-disruptions",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    kinds=("PodDisruptionBudget",),
    category="references",
)
def pdb_blocks_all_disruptions(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a PodDisruptionBudget that can never allow a voluntary disruption:
    `maxUnavailable: 0` (or `"0%"`), `minAvailable: "100%"`, or a `minAvailable`
    count at least the number of replicas of the workloads it selects (counted
    only when every selected workload has a fixed `replicas` and no HPA).

    ## Why is this bad?
    `kubectl drain`, cluster upgrades and the autoscaler wait forever for an
    eviction that the budget never allows.

    ## Example
    ```yaml
    spec:
      minAvailable: 2          # the Deployment runs 2 replicas
    ```

    ## Use instead
    ```yaml
    spec:
      maxUnavailable: 1
    ```
    """
    spec = as_mapping(obj.data.get("spec"))
    if "maxUnavailable" in spec:
        value = spec["maxUnavailable"]
        if int_value(value) == 0 or _percent(value) == 0:
            yield Violation(
                ("spec", "maxUnavailable"),
                f"PodDisruptionBudget {obj.name} sets maxUnavailable {value}: no pod it selects can ever be evicted",
                fix="allow at least one unavailable pod (maxUnavailable: 1)",
            )
        return
    if "minAvailable" not in spec:
        return
    value = spec["minAvailable"]
    if _percent(value) is not None:
        percent = _percent(value)
        if percent is not None and percent >= 100:
            yield Violation(
                ("spec", "minAvailable"),
                f"PodDisruptionBudget {obj.name} sets minAvailable {value}: no pod it selects can ever be evicted",
                fix="use maxUnavailable: 1, or a lower minAvailable",
            )
        return
    needed = int_value(value)
    selected = _pdb_selected(obj, ctx)
    if needed is None or not selected:
        return
    index = cross_index(ctx)
    selected = index.nearest(obj, selected)
    total = 0
    for t in selected:
        replicas = t.replicas()
        if replicas is None or index.hpas_by_target.get((t.namespace, t.obj.kind, t.obj.name)):
            return
        total += replicas
    if needed >= total:
        shown = ", ".join(f"{t.describe}: {t.replicas()}" for t in selected)
        yield Violation(
            ("spec", "minAvailable"),
            f"PodDisruptionBudget {obj.name} requires minAvailable {needed}, but the pods it selects number {total} "
            f"({shown}): none can ever be evicted",
            fix=f"lower minAvailable below {total}, or use maxUnavailable: 1",
            related=tuple(
                related(t.obj, ("spec", "replicas"), f"replicas of {t.describe}") for t in selected
            ),
        )


@rule(
    id="KL710",
    name="network-policy-selects-no-pods",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    kinds=("NetworkPolicy",),
    default_enabled=False,
    category="references",
)
def network_policy_selects_no_pods(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a NetworkPolicy whose `podSelector` matches the pod template of no
    workload in its namespace.  An empty `podSelector: {}` selects every pod of the
    namespace and is never reported.  Opt-in (policies often target pods created
    by operators or other repositories): enable it with `extend-select: [KL710]`.

    ## Why is this bad?
    The policy isolates nothing: the pods it was written for accept all traffic.

    ## Example
    ```yaml
    podSelector: {matchLabels: {app: databse}}
    ```

    ## Use instead
    ```yaml
    podSelector: {matchLabels: {app: database}}
    ```
    """
    try:
        selector = parse_label_selector(as_mapping(obj.data.get("spec")).get("podSelector"))
    except SelectorError:
        return
    if selector is None or selector.empty:
        return
    ns = ctx.workspace.namespace_of(obj)
    index = cross_index(ctx)
    if not index.select(ns, selector) and not index.unknowable(obj, ns, selector):
        yield Violation(
            ("spec", "podSelector"),
            f"NetworkPolicy {obj.name} selects {selector.describe()}, but no pod template in namespace {ns} "
            "has these labels",
            fix="match the labels of the pods the policy is for",
        )


RULES = (
    hpa_target_not_found,
    hpa_utilisation_without_request,
    pdb_selects_no_pods,
    pdb_blocks_all_disruptions,
    network_policy_selects_no_pods,
)
