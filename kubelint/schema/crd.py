"""Custom resources validated against the CustomResourceDefinitions of the run.

A CRD's `openAPIV3Schema` is an OpenAPI v3 *structural* schema with Kubernetes
extensions.  We convert it to JSON Schema (draft 2020-12):

* `nullable: true`                        -> the type also allows null;
* `x-kubernetes-int-or-string: true`      -> an integer or a string;
* `x-kubernetes-preserve-unknown-fields`  -> unknown fields are kept (not reported);
* `x-kubernetes-embedded-resource: true`  -> `apiVersion`, `kind`, `metadata` allowed;
* OpenAPI's boolean `exclusiveMinimum`/`exclusiveMaximum` -> draft 2020-12 numbers;
* objects (`type: object` or with `properties`) without `additionalProperties` are
  *pruned* by the API server: in strict mode their unknown fields are reported
  (`additionalProperties: false`), exactly where the API server would drop them.
  apiextensions.k8s.io/v1beta1 CRDs prune only with `preserveUnknownFields: false`.

The root also allows `apiVersion`, `kind` and `metadata` (validated as ObjectMeta
from the built-in definitions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs

from kubelint.model import K8sObject
from kubelint.schema.kubernetes import DEFINITIONS_URI, KEYWORDS, OBJECT_META, KubernetesSchemas
from kubelint.schema.problems import SchemaDocuments

CRD_KIND = "CustomResourceDefinition"
CRD_API_VERSIONS = ("apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1")
_SCHEMA_KEYWORDS_OF_SCHEMAS = ("items", "additionalProperties", "not")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")


def convert(schema: Any, *, strict: bool, root: bool = False) -> Any:
    """JSON Schema 2020-12 for one node of a structural schema (see module docs)."""
    if not isinstance(schema, dict):
        return {}
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {str(k): convert(v, strict=strict) for k, v in value.items()}
        elif key in _SCHEMA_KEYWORDS_OF_SCHEMAS and isinstance(value, dict):
            out[key] = convert(value, strict=strict)
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [convert(v, strict=strict) for v in value]
        elif (
            key in ("type", "enum", "required", "pattern", "format", "minimum", "maximum", "multipleOf")
            or key in ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties")
            or (key == "uniqueItems" and isinstance(value, bool))
            or (key == "additionalProperties" and isinstance(value, bool))
        ):
            out[key] = value
    for bound in ("Minimum", "Maximum"):
        flag = schema.get(f"exclusive{bound}")
        if flag is True and bound.lower() in out:
            out[f"exclusive{bound}"] = out.pop(bound.lower())
        elif isinstance(flag, (int, float)) and not isinstance(flag, bool):
            out[f"exclusive{bound}"] = flag
    if out.get("format") is not None:
        out.pop("format")  # annotations only, as in the built-in schemas
    if schema.get("x-kubernetes-int-or-string") is True:
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
        if schema.get("nullable") is True:
            out["anyOf"].append({"type": "null"})
    elif schema.get("nullable") is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
        if "enum" in out and isinstance(out["enum"], list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    embedded = schema.get("x-kubernetes-embedded-resource") is True
    if root or embedded:
        props = out.setdefault("properties", {})
        props.setdefault("apiVersion", {"type": "string"})
        props.setdefault("kind", {"type": "string"})
        raw_meta = (
            schema.get("properties", {}).get("metadata")
            if isinstance(schema.get("properties"), dict)
            else None
        )
        meta = convert(raw_meta, strict=False) if isinstance(raw_meta, dict) else None
        ref = {"$ref": f"{DEFINITIONS_URI}#/$defs/{OBJECT_META}"}
        props["metadata"] = {"allOf": [ref, meta]} if meta else ref
    preserve = schema.get("x-kubernetes-preserve-unknown-fields") is True
    is_object = "properties" in out or out.get("type") == "object"
    pruned = is_object and "additionalProperties" not in out and not preserve
    if strict and pruned:
        out["additionalProperties"] = False
    return out


@dataclass
class CrdVersion:
    crd: K8sObject
    served: bool
    schema: Any  # the CRD's openAPIV3Schema, or None when the CRD gives none
    converted: Any = None
    validator: Any = None
    problem: str | None = None  # why no validator could be built
    prunes: bool = True  # the API server drops unknown fields (v1; v1beta1 only if asked)


@dataclass
class CustomResources:
    """The CRDs of one run, indexed by (group, kind), with validators compiled once."""

    schemas: KubernetesSchemas
    strict: bool
    versions: dict[tuple[str, str], dict[str, CrdVersion]] = field(default_factory=dict)
    compiled: int = 0

    @classmethod
    def from_objects(
        cls, objects: list[K8sObject], schemas: KubernetesSchemas, strict: bool
    ) -> CustomResources:
        found = cls(schemas, strict)
        for crd in objects:
            if crd.kind != CRD_KIND or crd.api_version not in CRD_API_VERSIONS:
                continue
            spec = crd.data.get("spec")
            if not isinstance(spec, dict):
                continue
            group, names = spec.get("group"), spec.get("names")
            kind = names.get("kind") if isinstance(names, dict) else None
            if not isinstance(group, str) or not isinstance(kind, str):
                continue
            entry = found.versions.setdefault((group, kind), {})
            prunes = crd.api_version.endswith("/v1") or spec.get("preserveUnknownFields") is False
            shared = _schema_of(spec.get("validation"))  # v1beta1: one schema for all versions
            listed = spec.get("versions")
            if isinstance(listed, list):
                for item in listed:
                    if isinstance(item, dict) and isinstance(item.get("name"), str):
                        own = _schema_of(item.get("schema"))
                        served = item.get("served") is not False
                        raw = own if own is not None else shared
                        entry.setdefault(item["name"], CrdVersion(crd, served, raw, prunes=prunes))
            elif isinstance(spec.get("version"), str):
                entry.setdefault(spec["version"], CrdVersion(crd, True, shared, prunes=prunes))
        return found

    def lookup(self, group: str, kind: str) -> dict[str, CrdVersion] | None:
        return self.versions.get((group, kind))

    def validator(self, entry: CrdVersion) -> Any:
        """The compiled validator of one CRD version (None if it has no schema)."""
        if entry.schema is None or entry.problem is not None:
            return None
        if entry.validator is None:
            entry.converted = convert(entry.schema, strict=self.strict and entry.prunes, root=True)
            try:
                entry.validator = jsonschema_rs.Draft202012Validator(
                    entry.converted, registry=self.schemas.registry, keywords=KEYWORDS
                )
            except Exception as error:  # a schema jsonschema-rs cannot compile (bad regex, say)
                entry.problem = str(error).splitlines()[0] if str(error) else type(error).__name__
                return None
            self.compiled += 1
        return entry.validator

    def documents(self, entry: CrdVersion) -> SchemaDocuments:
        return SchemaDocuments(entry.converted, {DEFINITIONS_URI: self.schemas.definitions})


def _schema_of(holder: Any) -> Any:
    if isinstance(holder, dict) and isinstance(holder.get("openAPIV3Schema"), dict):
        return holder["openAPIV3Schema"]
    return None
