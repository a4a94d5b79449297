"""Schema validation of one Kubernetes object, with everything compiled once per run.

`validate_object` answers, for one object: which schema applies (a built-in kind of
the target Kubernetes version, a CustomResourceDefinition of the run, or none) and
every problem found.  The result is cached per object, so the rules reading it
(schema violations, unknown fields, no schema) validate each object once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from kubelint.model import K8sObject
from kubelint.positions import Path
from kubelint.redaction import may_hold_secret
from kubelint.rule import RuleContext
from kubelint.schema.crd import CustomResources
from kubelint.schema.deprecations import DeprecationTable
from kubelint.schema.extra_schemas import ExtraSchemas
from kubelint.schema.kubernetes import KubernetesSchemas, split_api_version
from kubelint.schema.kustomize import KustomizeRoles, Role
from kubelint.schema.problems import Problem, Translator
from kubelint.schema.versions import UnsupportedVersion, resolve_version

_RESULTS = "schema:k8s-results"

# apiVersion groups of tool configuration files that look like resources but never
# reach the API server: they have no schema and that is not worth an info finding.
TOOL_CONFIG_GROUPS = frozenset(
    {
        "kustomize.config.k8s.io",
        "skaffold",
        "kind.x-k8s.io",
        "kubeadm.k8s.io",
        "kubelet.config.k8s.io",
        "kubeproxy.config.k8s.io",
        "apiserver.config.k8s.io",
    }
)


class Source(enum.Enum):
    BUILTIN = "built-in"
    CRD = "crd"
    NONE = "none"
    SCHEMA_DIR = "schema-dir"  # a JSON schema from the schema-dirs setting
    TOOL_CONFIG = "tool-config"  # a kustomization, skaffold.yaml, ...: not validated, not reported


@dataclass
class ObjectResult:
    source: Source
    problems: list[Problem] = field(default_factory=list)
    note: str = ""  # why there is no schema


def target_version(ctx: RuleContext) -> str:
    """The "MAJOR.MINOR" to validate against (resolved once per run)."""

    def resolve() -> str:
        try:
            return resolve_version(ctx.settings.kubernetes_version)
        except UnsupportedVersion:  # the CLI rejects it first; be lenient for library use
            return resolve_version(None)

    return ctx.cache("schema:target-version", resolve)


def strict_mode(ctx: RuleContext) -> bool:
    return ctx.settings.extra.get("strict", True) is not False


def builtin_schemas(ctx: RuleContext) -> KubernetesSchemas:
    version, strict = target_version(ctx), strict_mode(ctx)
    return ctx.cache(f"schema:k8s:{version}:{strict}", lambda: KubernetesSchemas(version, strict))


def custom_resources(ctx: RuleContext) -> CustomResources:
    schemas = builtin_schemas(ctx)
    return ctx.cache(
        f"schema:crds:{schemas.version}:{schemas.strict}",
        lambda: CustomResources.from_objects(
            ctx.workspace.of_kind("CustomResourceDefinition"), schemas, schemas.strict
        ),
    )


def extra_schemas(ctx: RuleContext) -> ExtraSchemas:
    dirs = tuple(str(d) for d in ctx.settings.extra.get("schema_dirs", ()) or ())
    return ctx.cache("schema:extra-schemas", lambda: ExtraSchemas(dirs))


def deprecation_table(ctx: RuleContext) -> DeprecationTable:
    return ctx.cache("schema:deprecations", DeprecationTable)


SECRET_PLAIN_FIELDS = frozenset({"apiVersion", "kind", "metadata", "type", "immutable"})
"""Fields of a Secret that hold no secret; every other value of a Secret may."""


def secret_paths(obj: K8sObject) -> Any:
    """A callback: does the value at this path hold a secret (never show it)?"""

    def is_secret(path: Path) -> bool:
        if obj.kind == "Secret" and path and path[0] not in SECRET_PLAIN_FIELDS:
            return True  # data, stringData, and whatever was misspelled for them
        names = [p for p in path if isinstance(p, str)]
        if names and may_hold_secret(names[-1]):
            return True
        # Anything but the name of an env entry named like a secret (value, valueFrom, ...)
        node: Any = obj.data
        for i, element in enumerate(path):
            try:
                node = node[element]
            except (KeyError, IndexError, TypeError):
                return False
            if (
                isinstance(element, int)
                and i >= 1
                and path[i - 1] == "env"
                and path[i + 1 : i + 2] != ("name",)
                and len(path) > i + 1
                and isinstance(node, dict)
                and isinstance(node.get("name"), str)
                and may_hold_secret(node["name"])
            ):
                return True
        return False

    return is_secret


def validate_object(obj: K8sObject, ctx: RuleContext) -> ObjectResult:
    results: dict[int, ObjectResult] = ctx.cache(_RESULTS, dict)
    found = results.get(id(obj))
    if found is None:
        found = _validate(obj, ctx)
        role = ctx.cache("schema:kustomize-roles", KustomizeRoles).role(obj.source.absolute)
        if role is not None:
            found.problems = [p for p in found.problems if not _completed_by_kustomize(p, role)]
        results[id(obj)] = found
    return found


def _completed_by_kustomize(problem: Problem, role: Role) -> bool:
    """Problems kustomize resolves before the object reaches the API server."""
    if role is Role.PATCH:
        if problem.missing_field is not None:
            return True
        return problem.unknown_field and str(problem.path[-1]).startswith("$")
    return problem.missing_field == "selector" and problem.path == ("spec",)


def _validate(obj: K8sObject, ctx: RuleContext) -> ObjectResult:
    schemas = builtin_schemas(ctx)
    translator_secret = secret_paths(obj)
    definition = schemas.definition_for(obj.api_version, obj.kind)
    if definition is not None:
        if schemas.validator(definition).is_valid(obj.data):  # most objects: quicker than iter_errors
            return ObjectResult(Source.BUILTIN, [])
        translator = Translator(schemas.documents, is_secret=translator_secret, data=obj.data)
        return ObjectResult(Source.BUILTIN, list(translator.problems(schemas.errors(definition, obj.data))))
    group, version = split_api_version(obj.api_version)
    if group in TOOL_CONFIG_GROUPS:
        return ObjectResult(Source.TOOL_CONFIG)
    crds = custom_resources(ctx)
    served = crds.lookup(group, obj.kind)
    if served is not None:
        entry = served.get(version)
        if entry is None or not entry.served:
            listed = ", ".join(f"{group}/{v}" for v, e in sorted(served.items()) if e.served) or "none"
            crd_name = next(iter(served.values())).crd.name
            return ObjectResult(
                Source.CRD,
                [
                    Problem(
                        ("apiVersion",),
                        f"apiVersion: {obj.api_version} is not served by CustomResourceDefinition "
                        f"{crd_name} (served: {listed})",
                        fix="use a served version",
                    )
                ],
            )
        validator = crds.validator(entry)
        if validator is None:
            why = entry.problem or "it has no openAPIV3Schema for this version"
            return ObjectResult(
                Source.NONE,
                note=f"its CustomResourceDefinition {entry.crd.name} gives no usable schema ({why})",
            )
        if validator.is_valid(obj.data):
            return ObjectResult(Source.CRD, [])
        translator = Translator(crds.documents(entry), is_secret=translator_secret, data=obj.data)
        return ObjectResult(Source.CRD, list(translator.problems(validator.iter_errors(obj.data))))
    extra = extra_schemas(ctx)
    if extra.directories:
        found = extra.find(obj.api_version, obj.kind)
        if found is not None:
            translator = Translator(found.documents, is_secret=translator_secret, data=obj.data)
            return ObjectResult(
                Source.SCHEMA_DIR, list(translator.problems(found.validator.iter_errors(obj.data)))
            )
        unusable = [f for f in extra.candidates(obj.api_version, obj.kind) if f in extra.problems]
        if unusable:
            note = f"schema file {unusable[0]} cannot be used ({extra.problems[unusable[0]]})"
            return ObjectResult(Source.NONE, note=note)
    known = schemas.api_versions_of(obj.kind)
    if known:
        note = f"{obj.kind} is served as {' and '.join(known)} in Kubernetes {schemas.version}"
    elif group and not schemas.has_group(group):
        note = "no CustomResourceDefinition for it in this run" + (
            " and none in schema-dirs" if extra.directories else ""
        )
    else:
        note = f"unknown to Kubernetes {schemas.version}"
    return ObjectResult(Source.NONE, note=note)
