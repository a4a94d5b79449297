"""Running one policy on one object: path checks, JSON Schema, CEL, cross-resource.

Each form yields `Failure`s: where (a path into the checked object), what is wrong
(`error`, kubelint's own wording) and the values message templates may use.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kubelint.k8s import pod_labels
from kubelint.model import K8sObject
from kubelint.policy.cel_support import describe_error, evaluate, plain
from kubelint.policy.model import COMPARISONS, CrossResource, PathCheck, Policy
from kubelint.policy.paths import Reached, format_path, resolve
from kubelint.policy.templates import render_value
from kubelint.positions import Path
from kubelint.quantity import parse_quantity
from kubelint.selectors import SelectorError, parse_label_selector, parse_service_selector

if TYPE_CHECKING:
    from kubelint.workspace import Workspace


@dataclass(frozen=True)
class Subject:
    """What a policy checks: a Kubernetes object, or one Compose service."""

    data: Any
    kind: str
    name: str
    namespace: str
    base: Path  # where `data` sits in the manifest (("services", name) for Compose)
    obj: K8sObject | None = None  # the Kubernetes object, for cross-resource checks


@dataclass(frozen=True)
class Failure:
    path: Path  # relative to the subject's data
    error: str
    key: bool = False
    value: Any = None
    item: Any = None
    expected: Any = None
    message: str | None = None  # a per-check template overriding the policy's


def same(a: Any, b: Any) -> bool:
    """YAML-aware equality: true is not 1, 80 is not "80", 1 equals 1.0."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and bool(a == b)


def check_paths(policy: Policy, subject: Subject) -> Iterator[Failure]:
    for check in policy.checks:
        for reached in resolve(subject.data, check.segments, subject.kind):
            yield from _check_one(check, reached)


def _check_one(check: PathCheck, reached: Reached) -> Iterator[Failure]:
    where = format_path(reached.path) or "the object"
    if not reached.found:
        if check.exists:
            yield Failure(
                reached.path, f"{reached.wanted} is required but missing", True,
                item=reached.item, expected=True, message=check.message,
            )  # fmt: skip
        return
    value, item = reached.value, reached.item

    def fail(error: str, expected: Any, key: bool = False) -> Failure:
        return Failure(reached.path, error, key, value, item, expected, check.message)

    shown = render_value(value)
    if check.exists is False:
        yield fail(f"{where} must not be set", False, key=True)
        return
    if check.equals and not same(value, check.equals[0]):
        yield fail(f"{where} is {shown!r}, expected {render_value(check.equals[0])!r}", check.equals[0])
    if check.not_equals and same(value, check.not_equals[0]):
        yield fail(f"{where} must not be {shown!r}", check.not_equals[0])
    if check.one_of is not None and not any(same(value, v) for v in check.one_of):
        choices = ", ".join(repr(render_value(v)) for v in check.one_of)
        yield fail(f"{where} is {shown!r}, expected one of {choices}", list(check.one_of))
    if check.none_of is not None and any(same(value, v) for v in check.none_of):
        yield fail(f"{where} must not be {shown!r}", list(check.none_of))
    if check.regex is not None and not (isinstance(value, str) and check.regex.search(value)):
        yield fail(f"{where} {shown!r} does not match {check.regex.pattern!r}", check.regex.pattern)
    if check.not_regex is not None and isinstance(value, str) and check.not_regex.search(value):
        yield fail(f"{where} {shown!r} matches {check.not_regex.pattern!r}", check.not_regex.pattern)
    for op, operand in check.comparisons:
        number = parse_quantity(value)
        limit = parse_quantity(operand)
        symbol = COMPARISONS[op]
        if number is None or limit is None:
            yield fail(
                f"{where} {shown!r} is not a number or quantity (cannot check {symbol} {operand})", operand
            )
            continue
        ok = {"lt": number < limit, "lte": number <= limit, "gt": number > limit, "gte": number >= limit}[op]
        if not ok:
            yield fail(f"{where} is {shown}, must be {symbol} {operand}", operand)


def check_schema(policy: Policy, subject: Subject) -> Iterator[Failure]:
    import re

    for error in sorted(
        policy.schema_validator.iter_errors(subject.data), key=lambda e: list(map(str, e.path))
    ):
        path = tuple(error.absolute_path)
        key = False
        if error.validator in ("additionalProperties", "unevaluatedProperties"):
            names = re.findall(r"'([^']+)' (?:was|were) unexpected", error.message)
            if names:
                path, key = (*path, names[0]), True
        elif error.validator in ("required", "dependentRequired") and path and isinstance(path[-1], str):
            key = True  # "x is required" points at the key of the mapping that lacks x
        where = format_path(path) or "the object"
        yield Failure(path, f"{where}: {error.message}", key, error.instance, None, error.schema)


def workspace_functions(subject: Subject, workspace: Workspace | None) -> dict[str, Any]:
    def same_namespace(kind: str) -> list[K8sObject]:
        if workspace is None:
            return []
        return [o for o in workspace.of_kind(kind) if workspace.namespace_of(o) == subject.namespace]

    def lookup(kind: str, name: str) -> Any:
        for o in same_namespace(kind):
            if o.name == name:
                return plain(o.data)
        return None

    def objects_of(kind: str) -> list[Any]:
        return [plain(o.data) for o in same_namespace(kind)]

    return {"lookup": lookup, "objectsOf": objects_of}


def check_cel(policy: Policy, subject: Subject, workspace: Workspace | None) -> Iterator[Failure]:
    variables = {"object": subject.data, "oldObject": None}
    functions = workspace_functions(subject, workspace)
    for validation in policy.cel:
        try:
            result = evaluate(validation.program, variables, functions)
        except Exception as error:
            yield Failure((), f"expression {validation.expression!r} failed: {describe_error(error)}",
                          message=validation.message)  # fmt: skip
            continue
        if result is True:
            continue
        if result is not False:
            yield Failure((), f"expression {validation.expression!r} returned {render_value(result)!r}, not a bool",
                          message=validation.message)  # fmt: skip
            continue
        message = validation.message
        if validation.message_program is not None:
            try:
                text = evaluate(validation.message_program, variables, functions)
                if isinstance(text, str) and text.strip():
                    message = text.replace("{{", "{ {")  # an evaluated message is not a template
            except Exception:  # Kubernetes falls back to `message` too
                pass
        yield Failure((), f"expression {validation.expression!r} is false", message=message)


def _referrer_names(referrer: K8sObject, cross: CrossResource, target: K8sObject) -> bool:
    for reached in resolve(referrer.data, cross.segments, referrer.kind):
        if reached.found and reached.value == target.name:
            if cross.kind_path is None:
                return True
            kinds = [r.value for r in resolve(referrer.data, cross.kind_path, referrer.kind) if r.found]
            if target.kind in kinds:
                return True
    return False


def _selector(data: Any) -> Any:
    if isinstance(data, dict) and ({"matchLabels", "matchExpressions"} & set(data) or not data):
        return parse_label_selector(data)
    return parse_service_selector(data)


def check_cross(policy: Policy, subject: Subject, workspace: Workspace | None) -> Iterator[Failure]:
    cross = policy.cross
    obj = subject.obj
    if cross is None or obj is None or workspace is None:
        return
    peers = workspace.of_kind(cross.kind)
    if cross.mode == "references":
        for reached in resolve(subject.data, cross.segments, subject.kind):
            if not reached.found or not isinstance(reached.value, str) or not reached.value:
                continue
            name = reached.value
            if cross.cluster_scoped:
                found = any(p.name == name for p in peers)
            else:
                found = bool(workspace.find(cross.kind, subject.namespace, name))
            if not found:
                scope = "" if cross.cluster_scoped else f" in namespace {subject.namespace}"
                yield Failure(reached.path, f"{cross.kind} {name!r} is not in the run{scope}",
                              value=name, item=reached.item, expected=cross.kind)  # fmt: skip
        return
    same_ns = [p for p in peers if workspace.namespace_of(p) == subject.namespace]
    if cross.mode == "referencedBy":
        if not any(_referrer_names(p, cross, obj) for p in same_ns):
            yield Failure((), f"no {cross.kind} in namespace {subject.namespace} refers to {obj.kind} "
                          f"{obj.name!r} (through {cross.path})", expected=cross.kind)  # fmt: skip
        return
    labels: Mapping[str, Any] = pod_labels(obj) if obj.kind != "Pod" else obj.labels
    for p in same_ns:
        selectors = [r.value for r in resolve(p.data, cross.segments, p.kind) if r.found]
        for data in selectors:
            try:
                selector = _selector(data)
            except SelectorError:
                continue
            if selector is not None and selector.matches(labels):
                return
    yield Failure((), f"no {cross.kind} in namespace {subject.namespace} selects the pods of {obj.kind} "
                  f"{obj.name!r} (through {cross.path})", expected=cross.kind)  # fmt: skip


def failures(policy: Policy, subject: Subject, workspace: Workspace | None) -> Iterator[Failure]:
    if policy.checks:
        yield from check_paths(policy, subject)
    elif policy.schema_validator is not None:
        yield from check_schema(policy, subject)
    elif policy.cel:
        yield from check_cel(policy, subject, workspace)
    else:
        yield from check_cross(policy, subject, workspace)
