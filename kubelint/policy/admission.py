"""ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1) and CRD
`x-kubernetes-validations`, evaluated on the objects of the run.

A policy takes effect through its bindings: an object is checked by a policy when
the policy's `matchConstraints` and the binding's `matchResources` both match it
(as a CREATE), and every `matchConditions` expression is true.  Each validation
that is false (or fails) is a rejection; the binding's `validationActions` say
whether that denies the request (Deny), warns (Warn) or is only audited (Audit).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kubelint.model import K8sObject, Severity
from kubelint.policy.cel_support import CelError, compile_expression, describe_error, evaluate, plain
from kubelint.positions import Path
from kubelint.selectors import Selector, SelectorError, parse_label_selector

if TYPE_CHECKING:
    from kubelint.workspace import Workspace

VAP_KIND = "ValidatingAdmissionPolicy"
BINDING_KIND = "ValidatingAdmissionPolicyBinding"
ADMISSION_GROUP = "admissionregistration.k8s.io"
CLUSTER_SCOPED = frozenset(
    {
        "Namespace", "Node", "PersistentVolume", "StorageClass", "ClusterRole", "ClusterRoleBinding",
        "CustomResourceDefinition", "PriorityClass", "IngressClass", "RuntimeClass", VAP_KIND,
        BINDING_KIND, "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
        "APIService", "CSIDriver", "VolumeAttachment", "ClusterIssuer",
    }
)  # fmt: skip
_IRREGULAR_PLURALS = {"Endpoints": "endpoints", "Ingress": "ingresses", "IngressClass": "ingressclasses"}


_UNKNOWABLE = """An expression that fails only because a field is missing from the
manifest is not reported: the API server applies defaults (and mutating admission
adds fields, such as default tolerations) before it validates, so the object it
evaluates has fields the manifest lacks."""


def resource_of(kind: str) -> str:
    """The resource name (lower-case plural) the API uses for a kind."""
    if kind in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[kind]
    lower = kind.lower()
    if lower.endswith("y") and lower[-2:-1] not in "aeiou":
        return lower[:-1] + "ies"
    if lower.endswith(("s", "x", "ch", "sh")):
        return lower + "es"
    return lower + "s"


@dataclass(frozen=True)
class Expression:
    source: str
    program: Any
    path: Path  # where it is written in its policy object


@dataclass(frozen=True)
class Validation:
    expression: Expression
    message: str | None
    message_expression: Expression | None


@dataclass
class AdmissionPolicy:
    obj: K8sObject
    name: str
    constraints: Mapping[str, Any]
    conditions: list[tuple[str, Expression]] = field(default_factory=list)
    variables: list[tuple[str, Expression]] = field(default_factory=list)
    validations: list[Validation] = field(default_factory=list)
    param_kind: Mapping[str, Any] | None = None
    ignore_errors: bool = False  # failurePolicy: Ignore
    problems: list[tuple[Path, str]] = field(default_factory=list)  # expressions that do not compile


@dataclass(frozen=True)
class Binding:
    obj: K8sObject
    policy_name: str
    actions: tuple[str, ...]
    match_resources: Mapping[str, Any]
    param_ref: Mapping[str, Any] | None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def compile_policy(obj: K8sObject) -> AdmissionPolicy:
    spec = _mapping(obj.data.get("spec"))
    policy = AdmissionPolicy(obj, obj.name, _mapping(spec.get("matchConstraints")))
    kind = spec.get("paramKind")
    policy.param_kind = kind if isinstance(kind, dict) else None
    policy.ignore_errors = spec.get("failurePolicy") == "Ignore"

    def compiled(source: Any, path: Path) -> Expression | None:
        if not isinstance(source, str) or not source.strip():
            policy.problems.append((path, "expression is missing or empty"))
            return None
        try:
            return Expression(source, compile_expression(source), path)
        except CelError as error:
            policy.problems.append((path, f"CEL: {error}"))
            return None

    for section, target in (("matchConditions", policy.conditions), ("variables", policy.variables)):
        for i, item in enumerate(_list(spec.get(section))):
            item = _mapping(item)
            expression = compiled(item.get("expression"), ("spec", section, i, "expression"))
            if expression is not None:
                target.append((str(item.get("name", "")), expression))
    for i, item in enumerate(_list(spec.get("validations"))):
        item = _mapping(item)
        expression = compiled(item.get("expression"), ("spec", "validations", i, "expression"))
        message_expression = None
        if item.get("messageExpression") is not None:
            message_expression = compiled(
                item["messageExpression"], ("spec", "validations", i, "messageExpression")
            )
        if expression is not None:
            message = item.get("message") if isinstance(item.get("message"), str) else None
            policy.validations.append(Validation(expression, message, message_expression))
    return policy


def compile_binding(obj: K8sObject) -> Binding:
    spec = _mapping(obj.data.get("spec"))
    actions = tuple(str(a) for a in _list(spec.get("validationActions"))) or ("Deny",)
    ref = spec.get("paramRef")
    return Binding(
        obj,
        str(spec.get("policyName") or ""),
        actions,
        _mapping(spec.get("matchResources")),
        ref if isinstance(ref, dict) else None,
    )


@dataclass
class AdmissionIndex:
    policies: dict[str, AdmissionPolicy]
    bindings: list[Binding]


def build_index(workspace: Workspace) -> AdmissionIndex:
    policies = {}
    for obj in workspace.of_kind(VAP_KIND):
        if obj.group == ADMISSION_GROUP:
            policies[obj.name] = compile_policy(obj)
    bindings = [compile_binding(o) for o in workspace.of_kind(BINDING_KIND) if o.group == ADMISSION_GROUP]
    return AdmissionIndex(policies, bindings)


def _selector(data: Any) -> Selector | None:
    try:
        return parse_label_selector(data)
    except SelectorError:
        return None


def _in(values: Any, wanted: str) -> bool:
    items = [str(v) for v in _list(values)]
    return "*" in items or wanted in items


def _rule_matches(rule: Mapping[str, Any], obj: K8sObject) -> bool:
    names = _list(rule.get("resourceNames"))
    return (
        _in(rule.get("apiGroups"), obj.group)
        and _in(rule.get("apiVersions"), obj.version)
        and _in(rule.get("resources"), resource_of(obj.kind))
        and (_in(rule.get("operations"), "CREATE") or _in(rule.get("operations"), "UPDATE"))
        and (not names or obj.name in names)
    )


def pod_of(obj: K8sObject) -> K8sObject | None:
    """The Pod a workload's controller would create from its pod template (as the
    API server will see it), or None for a Pod or a kind without a template."""
    from kubelint.k8s import pod_template_path

    path = pod_template_path(obj) if obj.kind != "Pod" else None
    if not path:
        return None
    template: Any = obj.data
    for key in path:
        template = template.get(key) if isinstance(template, dict) else None
    if not isinstance(template, dict):
        return None
    metadata = dict(_mapping(template.get("metadata")))
    metadata.setdefault("generateName", f"{obj.name}-")
    if obj.namespace:
        metadata["namespace"] = obj.namespace
    data = {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": template.get("spec")}
    return K8sObject(doc=obj.doc, base=obj.base + path, data=data, api_version="v1", kind="Pod")


def namespace_labels(workspace: Workspace, namespace: str) -> dict[str, Any]:
    """A namespace's labels: those of its Namespace object in the run, and the
    `kubernetes.io/metadata.name` label the API server always sets."""
    labels: dict[str, Any] = {}
    for ns in workspace.namespace_objects(namespace):
        labels.update(ns.labels)
    labels["kubernetes.io/metadata.name"] = namespace
    return labels


def resources_match(
    spec: Mapping[str, Any], obj: K8sObject, workspace: Workspace, *, need_rules: bool
) -> bool:
    """Does a matchConstraints / matchResources block select the object?"""
    rules = _list(spec.get("resourceRules"))
    if rules and not any(_rule_matches(_mapping(r), obj) for r in rules):
        return False
    if not rules and need_rules:
        return False
    if any(_rule_matches(_mapping(r), obj) for r in _list(spec.get("excludeResourceRules"))):
        return False
    object_selector = _selector(spec.get("objectSelector"))
    if object_selector is not None and not object_selector.matches(obj.labels):
        return False
    namespace_selector = _selector(spec.get("namespaceSelector"))
    if namespace_selector is None or namespace_selector.empty or obj.kind in CLUSTER_SCOPED:
        return True
    return namespace_selector.matches(namespace_labels(workspace, workspace.namespace_of(obj)))


@dataclass(frozen=True)
class Rejection:
    policy: AdmissionPolicy
    binding: Binding
    message: str
    at: Path  # where the failed expression is written in the policy
    severity: Severity


def _severity(actions: tuple[str, ...]) -> Severity:
    if "Deny" in actions:
        return Severity.ERROR
    if "Warn" in actions:
        return Severity.WARNING
    return Severity.INFO


def _params(
    policy: AdmissionPolicy, binding: Binding, obj: K8sObject, workspace: Workspace
) -> list[Any] | None:
    """The parameter objects to evaluate with ([None] without paramKind); None when
    the binding's parameters are not in the run and that means: allow."""
    if policy.param_kind is None or binding.param_ref is None:
        return [None]
    kind = str(policy.param_kind.get("kind", ""))
    ref = binding.param_ref
    named = isinstance(ref.get("name"), str)
    candidates = workspace.named(kind, ref["name"]) if named else workspace.of_kind(kind)
    namespace = ref.get("namespace")
    if namespace is None and obj.kind not in CLUSTER_SCOPED:
        namespace = workspace.namespace_of(obj)
    if namespace is not None:
        # an object written without a namespace may be cluster-scoped (a custom
        # parameter kind): it is a candidate wherever the policy looks
        candidates = [c for c in candidates if c.namespace is None or c.namespace == namespace]
    if not named:
        selector = _selector(ref.get("selector"))
        candidates = [c for c in candidates if selector is None or selector.matches(c.labels)]
    if candidates:
        return [plain(c.data) for c in candidates]
    if ref.get("parameterNotFoundAction") == "Allow":
        return None
    return []  # Deny: rejected for want of parameters


def rejections(obj: K8sObject, workspace: Workspace, index: AdmissionIndex) -> Iterator[Rejection]:
    if not index.bindings:
        return
    namespace = "" if obj.kind in CLUSTER_SCOPED else workspace.namespace_of(obj)
    namespace_object = next((plain(n.data) for n in workspace.namespace_objects(namespace)), None)
    request = {
        "operation": "CREATE",
        "kind": {"group": obj.group, "version": obj.version, "kind": obj.kind},
        "resource": {"group": obj.group, "version": obj.version, "resource": resource_of(obj.kind)},
        "name": obj.name,
        "namespace": namespace,
        "userInfo": {"username": "", "groups": []},
        "dryRun": False,
    }
    data = obj.data
    for binding in index.bindings:
        policy = index.policies.get(binding.policy_name)
        if policy is None or policy.problems:
            continue
        if not resources_match(policy.constraints, obj, workspace, need_rules=True):
            continue
        if binding.match_resources and not resources_match(
            binding.match_resources, obj, workspace, need_rules=False
        ):
            continue
        params_list = _params(policy, binding, obj, workspace)
        if params_list is None:
            continue
        if not params_list:
            yield Rejection(policy, binding, f"parameter {dict(binding.param_ref or {})} not found in the run",
                            (), _severity(binding.actions))  # fmt: skip
            continue
        for params in params_list:
            yield from _evaluate(policy, binding, data, params, request, namespace_object)


def _evaluate(
    policy: AdmissionPolicy, binding: Binding, data: Any, params: Any, request: Any, namespace_object: Any
) -> Iterator[Rejection]:
    severity = _severity(binding.actions)
    variables: dict[str, Any] = {
        "object": data,
        "oldObject": None,
        "params": params,
        "request": request,
        "namespaceObject": namespace_object,
    }
    computed: dict[str, Any] = {}
    variables["variables"] = computed
    for name, expression in policy.variables:
        with contextlib.suppress(Exception):  # a validation that reads it fails and says so
            computed[name] = evaluate(expression.program, variables, {})
    for name, expression in policy.conditions:
        try:
            if evaluate(expression.program, variables, {}) is not True:
                return
        except Exception as error:
            if policy.ignore_errors or isinstance(error, KeyError):
                return  # a missing field: see _UNKNOWABLE
            yield Rejection(policy, binding, f"match condition {name!r} failed: {describe_error(error)}",
                            expression.path, severity)  # fmt: skip
            return
    for validation in policy.validations:
        expression = validation.expression
        try:
            result = evaluate(expression.program, variables, {})
        except Exception as error:
            if policy.ignore_errors or isinstance(error, KeyError):
                continue  # a missing field: see _UNKNOWABLE
            yield Rejection(policy, binding, f"expression {expression.source!r} failed: {describe_error(error)}",
                            expression.path, severity)  # fmt: skip
            continue
        if result is True:
            continue
        message = validation.message or f"failed expression: {expression.source.strip()}"
        if validation.message_expression is not None:
            try:
                text = evaluate(validation.message_expression.program, variables, {})
                if isinstance(text, str) and text.strip():
                    message = text
            except Exception:
                pass
        yield Rejection(policy, binding, message, expression.path, severity)


# --- CRD x-kubernetes-validations -------------------------------------------------


@dataclass(frozen=True)
class CrdRule:
    expression: Expression | None  # None when it does not compile
    message: str | None
    message_expression: Expression | None
    field_path: str | None
    problem: str | None = None


def crd_schemas(workspace: Workspace) -> dict[tuple[str, str, str], tuple[K8sObject, Path, Any]]:
    """(group, kind, version) -> (CRD, path of its openAPIV3Schema, schema)."""
    out: dict[tuple[str, str, str], tuple[K8sObject, Path, Any]] = {}
    for crd in workspace.of_kind("CustomResourceDefinition"):
        spec = _mapping(crd.data.get("spec"))
        group = str(spec.get("group", ""))
        kind = str(_mapping(spec.get("names")).get("kind", ""))
        for i, version in enumerate(_list(spec.get("versions"))):
            version = _mapping(version)
            schema = _mapping(version.get("schema")).get("openAPIV3Schema")
            if isinstance(schema, dict):
                path: Path = ("spec", "versions", i, "schema", "openAPIV3Schema")
                out[(group, kind, str(version.get("name", "")))] = (crd, path, schema)
        legacy = _mapping(spec.get("validation")).get("openAPIV3Schema")
        if isinstance(legacy, dict) and spec.get("version"):
            out.setdefault(
                (group, kind, str(spec["version"])), (crd, ("spec", "validation", "openAPIV3Schema"), legacy)
            )
    return out


def iter_crd_rules(schema: Any, path: Path) -> Iterator[tuple[Path, int, Mapping[str, Any]]]:
    """(schema path, index, rule) of every x-kubernetes-validations rule in a schema."""
    if not isinstance(schema, dict):
        return
    for i, item in enumerate(_list(schema.get("x-kubernetes-validations"))):
        if isinstance(item, dict):
            yield path, i, item
    for key, sub in _mapping(schema.get("properties")).items():
        yield from iter_crd_rules(sub, (*path, "properties", key))
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from iter_crd_rules(schema[key], (*path, key))


def compile_crd_rule(item: Mapping[str, Any], path: Path) -> CrdRule:
    source = item.get("rule")
    message = item.get("message") if isinstance(item.get("message"), str) else None
    field_path = item.get("fieldPath") if isinstance(item.get("fieldPath"), str) else None
    if not isinstance(source, str) or not source.strip():
        return CrdRule(None, message, None, field_path, "rule is missing or empty")
    try:
        expression = Expression(source, compile_expression(source), (*path, "rule"))
        message_expression = None
        if isinstance(item.get("messageExpression"), str):
            message_expression = Expression(
                item["messageExpression"],
                compile_expression(item["messageExpression"]),
                (*path, "messageExpression"),
            )
    except CelError as error:
        return CrdRule(None, message, None, field_path, f"CEL: {error}")
    return CrdRule(expression, message, message_expression, field_path)


def crd_violations(
    schema: Any, value: Any, path: Path, schema_path: Path
) -> Iterator[tuple[Path, str, Path]]:
    """(data path, message, schema path of the rule) for each rule `value` breaks."""
    if not isinstance(schema, dict):
        return
    for i, item in enumerate(_list(schema.get("x-kubernetes-validations"))):
        if not isinstance(item, dict):
            continue
        rule = compile_crd_rule(item, (*schema_path, "x-kubernetes-validations", i))
        if rule.expression is None or "oldSelf" in rule.expression.program.variables:
            continue  # transition rules do not apply on create; broken ones are reported on the CRD
        context = {"self": value}
        try:
            result = evaluate(rule.expression.program, context, {})
        except KeyError:
            continue  # a missing field: see _UNKNOWABLE
        except Exception as error:
            yield (
                path,
                f"rule {rule.expression.source!r} failed: {describe_error(error)}",
                rule.expression.path,
            )
            continue
        if result is True:
            continue
        message = rule.message or f"failed rule: {rule.expression.source.strip()}"
        if rule.message_expression is not None:
            try:
                text = evaluate(rule.message_expression.program, context, {})
                if isinstance(text, str) and text.strip():
                    message = text
            except Exception:
                pass
        where = path
        if rule.field_path:
            where = (*path, *[p for p in rule.field_path.strip(".").split(".") if p])
        yield where, message, rule.expression.path
    if isinstance(value, dict):
        properties = _mapping(schema.get("properties"))
        for key, sub in properties.items():
            if key in value:
                yield from crd_violations(sub, value[key], (*path, key), (*schema_path, "properties", key))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key, sub_value in value.items():
                if key not in properties:
                    yield from crd_violations(
                        extra, sub_value, (*path, key), (*schema_path, "additionalProperties")
                    )
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item_value in enumerate(value):
            yield from crd_violations(schema["items"], item_value, (*path, i), (*schema_path, "items"))
