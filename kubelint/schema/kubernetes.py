"""The built-in Kubernetes schemas of one version, compiled on demand, once.

kubernetes-validate ships, per Kubernetes version, a `_definitions.json` holding every
OpenAPI definition (`$defs`) and one small file per kind that refers to it.  We load
`_definitions.json` once, index its definitions by the group/version/kind they declare
(`x-kubernetes-group-version-kind`), and compile one jsonschema-rs validator per
definition the run needs: `{"$ref": "<definitions>#/$defs/<name>"}`, resolved through a
registry that holds the definitions document.  No per-kind file is read at all.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from typing import Any

import jsonschema_rs

from kubelint.quantity import parse_quantity
from kubelint.schema.problems import BASE64_KEYWORD, QUANTITY_KEYWORD, SchemaDocuments
from kubelint.schema.versions import schema_root

DEFINITIONS_URI = "https://kubernetes.io/api/_definitions.json"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"


class _QuantityString:
    """A jsonschema-rs keyword: the schema lets any string be a quantity; the API
    server accepts only `500m`, `1Gi`, `1e3`, ... (kubelint.quantity)."""

    def __init__(self, parent_schema: Any, value: Any, schema_path: Any) -> None:
        pass

    def validate(self, instance: Any) -> None:
        if isinstance(instance, str) and parse_quantity(instance) is None:
            raise ValueError("not a quantity")


class _Base64String:
    """A jsonschema-rs keyword for `format: byte` ([]byte in Go): the API server decodes
    the string as padded standard base64 (line breaks ignored) and rejects the object
    otherwise (`illegal base64 data at input byte 4`)."""

    def __init__(self, parent_schema: Any, value: Any, schema_path: Any) -> None:
        pass

    def validate(self, instance: Any) -> None:
        if isinstance(instance, str):
            try:
                base64.b64decode(instance.replace("\r", "").replace("\n", ""), validate=True)
            except (binascii.Error, ValueError):
                raise ValueError("not base64") from None


def _mark_byte_formats(node: Any) -> None:
    """Add the base64 keyword to every `format: byte` schema."""
    if isinstance(node, dict):
        if node.get("format") == "byte":
            node[BASE64_KEYWORD] = True
        for value in node.values():
            _mark_byte_formats(value)
    elif isinstance(node, list):
        for value in node:
            _mark_byte_formats(value)


KEYWORDS: dict[str, Any] = {QUANTITY_KEYWORD: _QuantityString, BASE64_KEYWORD: _Base64String}


def schema_directory(version: str, strict: bool) -> str:
    return f"v{version}.0-local" + ("-strict" if strict else "")


def split_api_version(api_version: str) -> tuple[str, str]:
    """("apps", "v1") for "apps/v1"; ("", "v1") for "v1"."""
    group, _, version = api_version.rpartition("/")
    return group, version


class KubernetesSchemas:
    """Validators for the built-in kinds of one Kubernetes version."""

    def __init__(self, version: str, strict: bool) -> None:
        self.version = version
        self.strict = strict
        folder = schema_root().joinpath(schema_directory(version, strict))
        with folder.joinpath("_definitions.json").open("rb") as handle:
            self.definitions: dict[str, Any] = json.load(handle)
        quantity = self.definitions.get("$defs", {}).get(QUANTITY)
        if isinstance(quantity, dict):
            quantity[QUANTITY_KEYWORD] = True
        _mark_byte_formats(self.definitions)
        self.registry = jsonschema_rs.Registry([(DEFINITIONS_URI, self.definitions)])
        self.documents = SchemaDocuments({}, {DEFINITIONS_URI: self.definitions})
        self._by_gvk: dict[tuple[str, str, str], str] = {}
        self._kinds: dict[str, set[str]] = {}
        for name, schema in self.definitions.get("$defs", {}).items():
            for gvk in schema.get("x-kubernetes-group-version-kind") or ():
                group, version_, kind = gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", "")
                self._by_gvk.setdefault((group, version_, kind.lower()), name)
                self._kinds.setdefault(kind, set()).add(f"{group}/{version_}" if group else version_)
        self._groups = {g for g, _, _ in self._by_gvk}
        self._validators: dict[str, Any] = {}
        self.compiled = 0  # how many validators were compiled (tests check compile-once)

    def definition_for(self, api_version: str, kind: str) -> str | None:
        group, version = split_api_version(api_version)
        return self._by_gvk.get((group, version, kind.lower()))

    def api_versions_of(self, kind: str) -> list[str]:
        """The apiVersions that serve `kind` in this Kubernetes version."""
        return sorted(self._kinds.get(kind, ()))

    def has_group(self, group: str) -> bool:
        return group in self._groups

    def validator(self, definition: str) -> Any:
        """The compiled validator of one definition (compiled on first use)."""
        validator = self._validators.get(definition)
        if validator is None:
            validator = jsonschema_rs.Draft202012Validator(
                {"$ref": f"{DEFINITIONS_URI}#/$defs/{definition}"}, registry=self.registry, keywords=KEYWORDS
            )
            self._validators[definition] = validator
            self.compiled += 1
        return validator

    def errors(self, definition: str, data: Any) -> Iterator[Any]:
        yield from self.validator(definition).iter_errors(data)
