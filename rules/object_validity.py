"""KL120-KL128: what the API server rejects (or ignores) that the OpenAPI schema
lets through: names, label and annotation syntax, selectors that do not select
their own template, duplicate container names, cron schedules, restart policies;
and fields or annotations that are deprecated or no longer have any effect.

Severities: errors where the API server rejects the object; warnings where it
accepts it but the field does nothing or hides another (duplicate env vars,
deprecated fields).  Values still holding `${VAR}`, `$(VAR)` or `{{ }}` are not
judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from kubelint.k8s import (
    BATCH_KINDS,
    LONG_RUNNING_KINDS,
    WORKLOAD_KINDS,
    as_list,
    as_mapping,
    dig,
    iter_containers,
    pod_spec,
    pod_template_path,
)
from kubelint.k8s_index import int_value
from kubelint.k8s_names import is_placeholder_text, label_value, name_problem, qualified_name
from kubelint.model import Format, K8sObject, Severity, Violation
from kubelint.positions import Path
from kubelint.rule import RuleContext, rule
from kubelint.selectors import SelectorError, parse_label_selector


def _templated(text: str) -> bool:
    return "$" in text or "{{" in text


@rule(
    id="KL120",
    name="invalid-object-name",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    category="correctness",
)
def invalid_object_name(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports `metadata.name` (and `metadata.namespace`) values the API server
    rejects for the object's kind: most kinds need a DNS-1123 subdomain
    (lowercase letters, digits, `-` and `.`, at most 253 characters); a Service a
    DNS-1035 label (at most 63, starting with a letter); a Namespace (and any
    `metadata.namespace`) a DNS-1123 label; RBAC objects only exclude `/` and
    `%`.  CronJob names are limited to 52 characters and Job names to 63 (their
    pods' labels carry the name).  Custom resources are not judged.

    Severity: error (the object cannot be created).

    ## Why is this bad?
    `kubectl apply` fails with `a lowercase RFC 1123 subdomain must consist
    of ...` and nothing after it in the file is applied by some tools.

    ## Example
    ```yaml
    kind: Deployment
    metadata:
      name: My_App
    ```

    ## Use instead
    ```yaml
    kind: Deployment
    metadata:
      name: my-app
    ```
    """
    from kubelint.k8s_names import dns1123_label

    name = obj.metadata.get("name")
    if isinstance(name, str) and name and not is_placeholder_text(name):
        reason = name_problem(obj.kind, name)
        if reason:
            yield Violation(
                ("metadata", "name"),
                f'{obj.kind} name "{name}" {reason}',
                fix="use lowercase letters, digits and '-'",
            )
    namespace = obj.metadata.get("namespace")
    if isinstance(namespace, str) and namespace and not is_placeholder_text(namespace):
        reason = dns1123_label(namespace)
        if reason:
            yield Violation(
                ("metadata", "namespace"),
                f'namespace "{namespace}" {reason}',
                fix="use lowercase letters, digits and '-'",
            )


def _metadata_blocks(obj: K8sObject) -> Iterator[Path]:
    """Paths of the object's metadata and of every pod/job template's metadata."""
    yield ("metadata",)
    if obj.kind == "CronJob":
        yield ("spec", "jobTemplate", "metadata")
    template = pod_template_path(obj)
    if template is not None and obj.kind != "Pod":
        yield (*template, "metadata")
    for i, claim in enumerate(as_list(dig(obj.data, "spec", "volumeClaimTemplates"))):
        if isinstance(claim, dict):
            yield ("spec", "volumeClaimTemplates", i, "metadata")


def _selector_labels(obj: K8sObject) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    """Label maps used as selectors: matchLabels and Service/RC selectors."""
    selector = dig(obj.data, "spec", "selector")
    if not isinstance(selector, dict):
        return
    if obj.kind in ("Service", "ReplicationController", "DeploymentConfig"):
        yield ("spec", "selector"), selector
    elif isinstance(selector.get("matchLabels"), dict):
        yield ("spec", "selector", "matchLabels"), selector["matchLabels"]


@rule(
    id="KL121",
    name="invalid-label",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    category="correctness",
)
def invalid_label(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports label keys and values the API server rejects, in the object's labels,
    its pod (and job) template's labels, and its selector (`matchLabels`, a
    Service's `selector`).  A key is `[prefix/]name`: the name at most 63
    characters of letters, digits, `-`, `_`, `.`, alphanumeric at both ends; the
    optional prefix a DNS subdomain.  A value is empty or follows the name rule.
    Values that are not strings are left to the schema rule (KL101).

    Severity: error (the object is rejected).

    ## Why is this bad?
    `kubectl apply` fails with `Invalid value: ... a valid label must be an
    empty string or consist of alphanumeric characters, '-', '_' or '.'`.

    ## Example
    ```yaml
    labels:
      app: my app
      version: 1.0-
    ```

    ## Use instead
    ```yaml
    labels:
      app: my-app
      version: "1.0"
    ```
    """
    maps: list[tuple[Path, Mapping[str, Any]]] = [
        ((*path, "labels"), as_mapping(dig(obj.data, *path, "labels"))) for path in _metadata_blocks(obj)
    ]
    maps.extend(_selector_labels(obj))
    for path, labels in maps:
        for key, value in labels.items():
            if not isinstance(key, str):
                continue
            if not _templated(key):
                reason = qualified_name(key)
                if reason:
                    yield Violation(
                        (*path, key), f'label key "{key}" {reason}', key=True, fix="fix the label key"
                    )
                    continue
            if isinstance(value, str) and not _templated(value):
                reason = label_value(value)
                if reason:
                    yield Violation(
                        (*path, key),
                        f'value of label "{key}" {reason}',
                        fix="use ≤ 63 letters, digits, '-', '_' or '.'",
                    )


@rule(
    id="KL122",
    name="invalid-annotation-key",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    category="correctness",
)
def invalid_annotation_key(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports annotation keys the API server rejects (in the object's metadata and
    its templates'): like label keys, `[prefix/]name` with a name of at most 63
    letters, digits, `-`, `_` and `.`, alphanumeric at both ends, and a DNS
    subdomain as prefix.  Annotation values may be any string; values that are
    not strings are left to the schema rule (KL101).

    Severity: error (the object is rejected).

    ## Why is this bad?
    `kubectl apply` fails with `metadata.annotations: Invalid value`.

    ## Example
    ```yaml
    annotations:
      "example.com/owner team": payments
    ```

    ## Use instead
    ```yaml
    annotations:
      example.com/owner-team: payments
    ```
    """
    for block in _metadata_blocks(obj):
        path = (*block, "annotations")
        for key in as_mapping(dig(obj.data, *path)):
            if isinstance(key, str) and not _templated(key):
                reason = qualified_name(key)
                if reason:
                    yield Violation((*path, key), f'annotation key "{key}" {reason}', key=True)


SELECTING_KINDS = frozenset(
    {
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "ReplicationController",
        "DeploymentConfig",
        "Job",
    }
)


@rule(
    id="KL123",
    name="selector-template-mismatch",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=SELECTING_KINDS,
    category="correctness",
)
def selector_template_mismatch(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a Deployment, StatefulSet, DaemonSet, ReplicaSet (and a
    ReplicationController, DeploymentConfig, or Job with `manualSelector: true`)
    whose `spec.selector` does not match the labels of its own pod template:
    each `matchLabels` entry the template lacks or sets differently, each
    `matchExpressions` requirement it fails, an empty selector, and a selector
    the API server cannot parse (an `In` without values, an unknown operator).
    A missing selector is left to the schema rule (and is defaulted from the
    template for ReplicationControllers and DeploymentConfigs).

    Severity: error (the API server rejects it: `selector does not match
    template labels`).

    ## Why is this bad?
    The workload cannot be created; if it could, its controller would not
    recognise its own pods and would create new ones without end.

    ## Example
    ```yaml
    selector:
      matchLabels: {app: web}
    template:
      metadata:
        labels: {app: frontend}
    ```

    ## Use instead
    ```yaml
    selector:
      matchLabels: {app: web}
    template:
      metadata:
        labels: {app: web}
    ```
    """
    spec = as_mapping(obj.data.get("spec"))
    if obj.kind == "Job" and spec.get("manualSelector") is not True:
        return
    selector = spec.get("selector")
    template = pod_template_path(obj)
    if selector is None or template is None:
        return
    labels = as_mapping(dig(obj.data, *template, "metadata", "labels"))
    if obj.kind in ("ReplicationController", "DeploymentConfig"):
        if not isinstance(selector, dict):
            return
        yield from _equality_mismatch(("spec", "selector"), selector, labels)
        return
    if not isinstance(selector, dict):
        return  # a selector of the wrong type is the schema rule's (KL101)
    try:
        parsed = parse_label_selector(selector)
    except SelectorError as error:
        yield Violation(("spec", "selector"), f"the selector is invalid: {error}", key=True)
        return
    if parsed is None:
        return
    if parsed.empty:
        yield Violation(
            ("spec", "selector"),
            f"the {obj.kind} has an empty selector",
            fix="select the template's labels with matchLabels",
        )
        return
    yield from _equality_mismatch(
        ("spec", "selector", "matchLabels"), as_mapping(as_mapping(selector).get("matchLabels")), labels
    )
    for i, requirement in enumerate(parsed.requirements):
        if not requirement.matches(labels):
            yield Violation(
                ("spec", "selector", "matchExpressions", i),
                f"the template's labels do not satisfy the selector requirement {requirement.describe()}",
                fix="make the template's labels satisfy the selector",
            )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _equality_mismatch(
    path: Path, selector: Mapping[str, Any], labels: Mapping[str, Any]
) -> Iterator[Violation]:
    for key, value in selector.items():
        if not isinstance(key, str) or _templated(key) or _templated(_text(value)):
            continue
        if key not in labels:
            yield Violation(
                (*path, key),
                f"the selector requires label {key}={_text(value)}, which the pod template does not have",
                key=True,
                fix="add the label to the template (or remove it from the selector)",
            )
        elif _text(labels[key]) != _text(value):
            yield Violation(
                (*path, key),
                f"the selector requires {key}={_text(value)}, but the pod template sets {key}={_text(labels[key])}",
                fix="make the selector and the template's labels agree",
            )


@rule(
    id="KL124",
    name="duplicate-container-name-in-pod",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    category="correctness",
)
def duplicate_container_name_in_pod(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a container name used twice in one pod, among its containers, init
    containers and ephemeral containers together.

    Severity: error (the API server rejects the pod: `Duplicate value`).

    ## Why is this bad?
    The workload cannot be created.  Copy-pasted sidecars are the usual cause.

    ## Example
    ```yaml
    initContainers:
      - {name: app, image: busybox:1.36}
    containers:
      - {name: app, image: example/app:1.0}
    ```

    ## Use instead
    ```yaml
    initContainers:
      - {name: init-app, image: busybox:1.36}
    containers:
      - {name: app, image: example/app:1.0}
    ```
    """
    every = list(iter_containers(obj, init=True, ephemeral=True))
    ordered = [c for c in every if c.init] + [c for c in every if not c.init and not c.ephemeral]
    ordered += [c for c in every if c.ephemeral]
    seen: dict[str, str] = {}
    for c in ordered:
        name = c.data.get("name")
        if not isinstance(name, str) or not name or _templated(name):
            continue
        if name in seen:
            yield Violation(
                c.path + ("name",),
                f'container name "{name}" is already used by {seen[name]}',
                fix="give every container of the pod its own name",
            )
        else:
            seen[name] = c.describe


@rule(
    id="KL125",
    name="duplicate-env-var",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    category="correctness",
)
def duplicate_env_var(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports an environment variable defined twice in one container's `env`
    (init and ephemeral containers included).

    Severity: warning: the API server accepts it (with a warning) and the last
    definition wins.

    ## Why is this bad?
    Whoever edits the first definition sees no effect; a merge or a patch that
    appended a second copy is the usual cause.

    ## Example
    ```yaml
    env:
      - {name: LOG_LEVEL, value: info}
      - {name: LOG_LEVEL, value: debug}
    ```

    ## Use instead
    ```yaml
    env:
      - {name: LOG_LEVEL, value: debug}
    ```
    """
    for c in iter_containers(obj, init=True, ephemeral=True):
        seen: set[str] = set()
        for i, entry in enumerate(as_list(c.data.get("env"))):
            name = as_mapping(entry).get("name")
            if not isinstance(name, str) or not name:
                continue
            if name in seen:
                yield Violation(
                    c.path + ("env", i, "name"),
                    f'{c.describe} defines environment variable "{name}" again (the last one wins)',
                    fix="keep one definition",
                )
            seen.add(name)


DEPRECATED_ANNOTATIONS: tuple[tuple[str, str], ...] = (
    ("seccomp.security.alpha.kubernetes.io/pod", "securityContext.seccompProfile (ignored since 1.27)"),
    (
        "container.seccomp.security.alpha.kubernetes.io/",
        "securityContext.seccompProfile (ignored since 1.27)",
    ),
    ("container.apparmor.security.beta.kubernetes.io/", "securityContext.appArmorProfile (Kubernetes 1.30+)"),
    ("scheduler.alpha.kubernetes.io/critical-pod", "spec.priorityClassName (ignored since 1.16)"),
    ("scheduler.alpha.kubernetes.io/tolerations", "spec.tolerations"),
    ("scheduler.alpha.kubernetes.io/affinity", "spec.affinity"),
    ("pod.beta.kubernetes.io/init-containers", "spec.initContainers"),
    ("pod.alpha.kubernetes.io/init-containers", "spec.initContainers"),
    ("volume.beta.kubernetes.io/storage-class", "spec.storageClassName"),
    ("service.alpha.kubernetes.io/tolerate-unready-endpoints", "spec.publishNotReadyAddresses"),
)
DEPRECATED_INGRESS_CLASS = "kubernetes.io/ingress.class"
DEPRECATED_NODE_LABELS = {
    "beta.kubernetes.io/os": "kubernetes.io/os",
    "beta.kubernetes.io/arch": "kubernetes.io/arch",
    "beta.kubernetes.io/instance-type": "node.kubernetes.io/instance-type",
    "failure-domain.beta.kubernetes.io/zone": "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region": "topology.kubernetes.io/region",
}


def _deprecated_annotation(key: str) -> str | None:
    for prefix, replacement in DEPRECATED_ANNOTATIONS:
        if key == prefix or (prefix.endswith("/") and key.startswith(prefix)):
            return replacement
    return None


def _node_label_keys(spec_path: Path, spec: Mapping[str, Any]) -> Iterator[tuple[Path, str, bool]]:
    """(path, key, is the mapping key itself) of node label keys a pod spec uses."""
    for label in as_mapping(spec.get("nodeSelector")):
        if isinstance(label, str):
            yield (*spec_path, "nodeSelector", label), label, True
    affinity = as_mapping(spec.get("affinity"))
    node = as_mapping(affinity.get("nodeAffinity"))
    required = as_mapping(node.get("requiredDuringSchedulingIgnoredDuringExecution"))
    terms: list[tuple[Path, Any]] = [
        (
            (
                *spec_path,
                "affinity",
                "nodeAffinity",
                "requiredDuringSchedulingIgnoredDuringExecution",
                "nodeSelectorTerms",
                i,
            ),
            t,
        )
        for i, t in enumerate(as_list(required.get("nodeSelectorTerms")))
    ]
    for i, pref in enumerate(as_list(node.get("preferredDuringSchedulingIgnoredDuringExecution"))):
        terms.append(
            (
                (
                    *spec_path,
                    "affinity",
                    "nodeAffinity",
                    "preferredDuringSchedulingIgnoredDuringExecution",
                    i,
                    "preference",
                ),
                as_mapping(pref).get("preference"),
            )
        )
    for path, term in terms:
        for j, expr in enumerate(as_list(as_mapping(term).get("matchExpressions"))):
            expr_key = as_mapping(expr).get("key")
            if isinstance(expr_key, str):
                yield (*path, "matchExpressions", j, "key"), expr_key, False
    for kind in ("podAffinity", "podAntiAffinity"):
        block = as_mapping(affinity.get(kind))
        for mode in (
            "requiredDuringSchedulingIgnoredDuringExecution",
            "preferredDuringSchedulingIgnoredDuringExecution",
        ):
            for i, term in enumerate(as_list(block.get(mode))):
                term_path: Path = (*spec_path, "affinity", kind, mode, i)
                data = as_mapping(term)
                if "podAffinityTerm" in data:
                    data, term_path = as_mapping(data.get("podAffinityTerm")), (*term_path, "podAffinityTerm")
                topology = data.get("topologyKey")
                if isinstance(topology, str):
                    yield (*term_path, "topologyKey"), topology, False
    for i, constraint in enumerate(as_list(spec.get("topologySpreadConstraints"))):
        spread = as_mapping(constraint).get("topologyKey")
        if isinstance(spread, str):
            yield (*spec_path, "topologySpreadConstraints", i, "topologyKey"), spread, False


@rule(
    id="KL126",
    name="deprecated-field",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    category="correctness",
)
def deprecated_field(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports fields and annotations that still validate but are deprecated or no
    longer do anything, naming the replacement:

    * `serviceAccount` in a pod spec (use `serviceAccountName`);
    * the `seccomp.security.alpha.kubernetes.io/pod` and
      `container.seccomp.security.alpha.kubernetes.io/*` annotations
      (`securityContext.seccompProfile`), `container.apparmor.security.beta.kubernetes.io/*`
      (`securityContext.appArmorProfile`), `scheduler.alpha.kubernetes.io/critical-pod`
      (`priorityClassName`), the alpha tolerations/affinity and init-containers
      annotations, `volume.beta.kubernetes.io/storage-class` (`storageClassName`),
      `service.alpha.kubernetes.io/tolerate-unready-endpoints`
      (`publishNotReadyAddresses`), and `kubernetes.io/ingress.class` on an Ingress
      (`spec.ingressClassName`);
    * the beta node labels `beta.kubernetes.io/os`, `.../arch`,
      `.../instance-type`, `failure-domain.beta.kubernetes.io/zone` and `/region`
      used in `nodeSelector`, node affinity, pod (anti-)affinity `topologyKey`
      and `topologySpreadConstraints` (use `kubernetes.io/os`,
      `topology.kubernetes.io/zone`, ...).

    Deprecated apiVersions are KL104/KL105.

    Severity: warning (kube-linter's `deprecated-service-account-field`).

    ## Why is this bad?
    Ignored annotations silently lose their effect (a seccomp annotation no
    longer confines anything since 1.27), and newer nodes no longer carry the
    beta labels, so pods that select on them stay Pending.

    ## Example
    ```yaml
    spec:
      serviceAccount: api
      nodeSelector:
        beta.kubernetes.io/os: linux
    ```

    ## Use instead
    ```yaml
    spec:
      serviceAccountName: api
      nodeSelector:
        kubernetes.io/os: linux
    ```
    """
    for block in _metadata_blocks(obj):
        path = (*block, "annotations")
        for key in as_mapping(dig(obj.data, *path)):
            if not isinstance(key, str):
                continue
            replacement = _deprecated_annotation(key)
            if replacement is None and obj.kind == "Ingress" and key == DEPRECATED_INGRESS_CLASS:
                replacement = "spec.ingressClassName"
            if replacement:
                yield Violation(
                    (*path, key), f'annotation "{key}" is deprecated; use {replacement}', key=True
                )
    found = pod_spec(obj)
    if found is None:
        return
    spec_path, spec = found
    if "serviceAccount" in spec:
        yield Violation(
            (*spec_path, "serviceAccount"),
            "serviceAccount is a deprecated alias; use serviceAccountName",
            key=True,
            fix="rename it to serviceAccountName",
        )
    for path, key, on_key in _node_label_keys(spec_path, spec):
        if key in DEPRECATED_NODE_LABELS:
            yield Violation(
                path,
                f'node label "{key}" is deprecated; use {DEPRECATED_NODE_LABELS[key]}',
                key=on_key,
                fix=f"use {DEPRECATED_NODE_LABELS[key]}",
            )


_CRON_MACROS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_CRON_FIELDS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 6, _DAYS),
)
_DURATION = re.compile(r"([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+")


def _cron_value(text: str, low: int, names: tuple[str, ...]) -> int | None:
    number = int_value(text)
    if number is not None:
        return number
    lowered = text.lower()
    if lowered in names:
        return names.index(lowered) + low
    return None


def _cron_field_problem(field: str, name: str, low: int, high: int, names: tuple[str, ...]) -> str | None:
    for part in field.split(","):
        base, slash, step = part.partition("/")
        if slash and not int_value(step):
            return f"{name} has an invalid step {step!r}"
        if base in ("*", "?"):
            continue
        start, dash, end = base.partition("-")
        numbers = []
        for value in [start, end] if dash else [start]:
            number = _cron_value(value, low, names)
            if number is None:
                return f"{name} has an invalid value {value!r}"
            if not low <= number <= high:
                return f"{name} value {number} is outside {low}-{high}"
            numbers.append(number)
        if numbers != sorted(numbers):
            return f"{name} range {base} is backwards"
    return None


def cron_problem(schedule: str) -> str | None:
    """Why `schedule` is not a schedule the CronJob controller accepts, or None."""
    text = schedule.strip()
    if re.match(r"^(CRON_)?TZ=", text):
        return "sets a time zone in the schedule; use spec.timeZone"
    if text.startswith("@"):
        if text.lower() in _CRON_MACROS:
            return None
        every, _, duration = text.partition(" ")
        if every.lower() == "@every" and _DURATION.fullmatch(duration.strip()):
            return None
        return f"uses an unknown descriptor {text.split()[0]!r}"
    fields = text.split()
    if len(fields) != 5:
        return f"has {len(fields)} fields; a schedule has 5 (minute hour day-of-month month day-of-week)"
    for field, (name, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        reason = _cron_field_problem(field, name, low, high, names)
        if reason:
            return reason
    return None


@rule(
    id="KL127",
    name="invalid-cron-schedule",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=("CronJob",),
    category="correctness",
)
def invalid_cron_schedule(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a CronJob `spec.schedule` the API server rejects: not five fields
    (minute, hour, day of month, month, day of week) or a descriptor (`@daily`,
    `@hourly`, `@every 1h30m`, ...), a value out of range (minute 60, month 13,
    day of week 7), a backwards range, or a `TZ=`/`CRON_TZ=` prefix (use
    `spec.timeZone`).

    Severity: error (the CronJob is rejected).

    ## Why is this bad?
    The CronJob cannot be created, and a schedule that only looks right runs at
    the wrong time or never.

    ## Example
    ```yaml
    schedule: "0 24 * * *"
    ```

    ## Use instead
    ```yaml
    schedule: "0 0 * * *"
    ```
    """
    schedule = dig(obj.data, "spec", "schedule")
    if not isinstance(schedule, str) or _templated(schedule):
        return
    reason = cron_problem(schedule)
    if reason:
        yield Violation(
            ("spec", "schedule"), f'schedule "{schedule}" {reason}', fix="fix the cron expression"
        )


@rule(
    id="KL128",
    name="invalid-restart-policy",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=(LONG_RUNNING_KINDS | BATCH_KINDS) - {"Pod"},
    category="correctness",
)
def invalid_restart_policy(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a pod template whose `restartPolicy` its controller does not allow:
    Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers
    and DeploymentConfigs need `Always` (the default); Jobs and CronJobs need
    `OnFailure` or `Never`, written explicitly (the default, `Always`, is
    rejected).

    Severity: error (the API server rejects the object).

    ## Why is this bad?
    `kubectl apply` fails with `spec.template.spec.restartPolicy: Unsupported
    value`.

    ## Example
    ```yaml
    kind: Job
    spec:
      template:
        spec:
          containers: [{name: migrate, image: example/migrate:1.0}]
    ```

    ## Use instead
    ```yaml
    kind: Job
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: migrate, image: example/migrate:1.0}]
    ```
    """
    found = pod_spec(obj)
    if found is None:
        return
    spec_path, spec = found
    policy = spec.get("restartPolicy")
    if policy is not None and (not isinstance(policy, str) or _templated(policy)):
        return  # a policy of the wrong type is the schema rule's (KL101)
    if obj.kind in BATCH_KINDS:
        if policy is None:
            yield Violation(
                spec_path,
                f"the {obj.kind}'s pod template sets no restartPolicy (the default, Always, is not allowed)",
                key=True,
                fix="set restartPolicy: OnFailure or Never",
            )
        elif policy not in ("OnFailure", "Never"):
            yield Violation(
                (*spec_path, "restartPolicy"),
                f"a {obj.kind} cannot use restartPolicy {policy}",
                fix="use OnFailure or Never",
            )
    elif policy is not None and policy != "Always":
        yield Violation(
            (*spec_path, "restartPolicy"),
            f"a {obj.kind} cannot use restartPolicy {policy}; only Always",
            fix="remove restartPolicy (or use a Job for run-to-completion work)",
        )


RULES = (
    invalid_object_name,
    invalid_label,
    invalid_annotation_key,
    selector_template_mismatch,
    duplicate_container_name_in_pod,
    duplicate_env_var,
    deprecated_field,
    invalid_cron_schedule,
    invalid_restart_policy,
)
