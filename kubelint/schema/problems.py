"""Turning jsonschema-rs errors into problems a person understands.

A `Problem` is one schema error at one node: a path into the checked data, a
one-line message (`spec.replicas: expected integer, got string "three"`), whether
it is an unknown field (reported on the key, with a "did you mean"), and whether
the node holds a secret (then its value is never shown).

The translation needs the schema documents the validator was built from, to find
the allowed property names of a mapping (for suggestions) and the name of the
definition behind a `oneOf` (int-or-string, quantity).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kubelint.positions import Path
from kubelint.redaction import mentions_secret

QUANTITY_KEYWORD = "x-kubelint-quantity"
BASE64_KEYWORD = "x-kubelint-base64"
_NO_DATA = object()

# A callback deciding whether the value at a path must not be shown.
IsSecret = Callable[[Path], bool]

_FRIENDLY_DEFS = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "an integer or a string (int-or-string)",
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "a quantity such as 500m, 0.5, 1Gi or 128974848",
}
_TYPE_WORDS = {
    "integer": "integer",
    "number": "number",
    "string": "string",
    "boolean": "boolean",
    "object": "mapping",
    "array": "list",
    "null": "null",
}


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path
    message: str
    unknown_field: bool = False  # an unknown key: positioned on the key itself
    sensitive: bool = False
    fix: str | None = None
    missing_field: str | None = None  # for a missing required field: its name

    @property
    def on_key(self) -> bool:
        """Position on the mapping key: an unknown field, or the parent of a missing
        one (`spec:` rather than the first field under it)."""
        return self.unknown_field or (
            self.missing_field is not None and bool(self.path) and isinstance(self.path[-1], str)
        )

    @property
    def fingerprint(self) -> str:
        return "/".join(str(p) for p in self.path)


def dotted(path: Path) -> str:
    """`spec.template.spec.containers[0].ports[1]` (or "top level")."""
    out = ""
    for element in path:
        if isinstance(element, int):
            out += f"[{element}]"
        else:
            text = str(element)
            plain = text and all(c.isalnum() or c in "-_/" for c in text)
            part = text if plain else json.dumps(text)
            out += f".{part}" if out else part
    return out or "top level"


def describe_value(value: Any, secret: bool) -> str:
    """A short description of a value: `string "three"`, `integer 3`, `a mapping`."""
    if isinstance(value, bool):
        return "a boolean" if secret else f"boolean {str(value).lower()}"
    if value is None:
        return "null"
    if isinstance(value, int):
        return "an integer" if secret else f"integer {value}"
    if isinstance(value, float):
        return "a number" if secret else f"number {value}"
    if isinstance(value, str):
        if secret:
            return "a string"
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"string {json.dumps(shown)}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _types_text(types: Iterable[str]) -> str:
    names = [_TYPE_WORDS.get(t, t) for t in types if t != "null"] or ["null"]
    unique = list(dict.fromkeys(names))
    if len(unique) == 1:
        return unique[0]
    return ", ".join(unique[:-1]) + " or " + unique[-1]


def _placeholder_fix(value: Any) -> str | None:
    """A hint for `${VAR}` left in a Kubernetes manifest (an envsubst template)."""
    if isinstance(value, str) and "${" in value:
        return "an unsubstituted ${...} variable: render the template (envsubst) before linting"
    return None


def suggest(name: str, allowed: Iterable[str]) -> str | None:
    """The allowed name closest to a misspelled one (None if nothing is close)."""
    candidates = [a for a in allowed if isinstance(a, str)]
    lowered = {a.lower(): a for a in candidates}
    if name.lower() in lowered:
        return lowered[name.lower()]
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


class SchemaDocuments:
    """The JSON documents a validator was built from, to look up schema nodes.

    `root` is the document whose errors carry no URI of their own; `by_uri` maps
    the `$id` of every other document in the registry.
    """

    def __init__(self, root: Any, by_uri: Mapping[str, Any] | None = None) -> None:
        self.root = root
        self.by_uri = dict(by_uri or {})

    def node(self, error: Any, drop_last: int = 1) -> Any:
        """The schema node holding the failing keyword (the keyword dropped)."""
        location = getattr(error, "absolute_keyword_location", None)
        document = self.root
        pointer: list[str | int] = list(error.schema_path)
        if location:
            uri, _, fragment = str(location).partition("#")
            if uri in self.by_uri:
                document = self.by_uri[uri]
                pointer = [p.replace("~1", "/").replace("~0", "~") for p in fragment.split("/") if p != ""]
        node = document
        for element in pointer[: len(pointer) - drop_last] if drop_last else pointer:
            if isinstance(node, dict):
                node = node.get(str(element)) if str(element) in node else node.get(element)  # type: ignore[call-overload]
            elif isinstance(node, list) and str(element).isdigit() and int(element) < len(node):
                node = node[int(element)]
            else:
                return None
        return node

    def definition_name(self, error: Any) -> str | None:
        """The `$defs` entry the failing keyword belongs to, if it is a whole one."""
        path = [str(p) for p in error.schema_path]
        if len(path) == 3 and path[0] in ("$defs", "definitions"):
            return path[1]
        return None


class Translator:
    """Translates the errors of one validation run into Problems."""

    def __init__(
        self,
        documents: SchemaDocuments,
        *,
        is_secret: IsSecret,
        skip_instance: Callable[[Any], bool] | None = None,
        field_word: str = "field",
        data: Any = _NO_DATA,
    ) -> None:
        self.documents = documents
        self.is_secret = is_secret
        self.skip_instance = skip_instance
        self.field_word = field_word  # "field" for Kubernetes, "key" for Compose
        self.data = data  # the validated data: values are described from it, not from the
        # validator's JSON copy (where NaN became null, say)

    def _value(self, error: Any, path: Path) -> Any:
        if self.data is _NO_DATA:
            return error.instance
        node = self.data
        for element in path:
            try:
                node = node[element]
            except (KeyError, IndexError, TypeError):
                return error.instance
        return node

    def problems(self, errors: Iterable[Any]) -> Iterator[Problem]:
        seen: set[tuple[Path, str]] = set()
        for error in errors:
            for problem in self._translate(error):
                mark = (problem.path, problem.message)
                if mark not in seen:
                    seen.add(mark)
                    yield problem

    def _translate(self, error: Any) -> Iterator[Problem]:
        path: Path = tuple(error.instance_path)
        kind = error.kind
        name = "oneOfMultipleValid" if type(kind).__name__ == "OneOfMultipleValid" else kind.name
        instance = self._value(error, path)
        if self.skip_instance is not None and self.skip_instance(instance):
            return
        where = dotted(path)
        if name in ("additionalProperties", "unevaluatedProperties"):
            node = self.documents.node(error)
            allowed = list(node.get("properties", {})) if isinstance(node, dict) else []
            unexpected = kind.as_dict().get("unexpected") or []
            for field in unexpected:
                key_path = (*path, field)
                guess = suggest(str(field), allowed)
                message = f'{where}: unknown {self.field_word} "{field}"'
                if guess:
                    message += f'; did you mean "{guess}"?'
                fix = f'rename it to "{guess}"' if guess else "remove it (or check the apiVersion and kind)"
                yield Problem(key_path, message, unknown_field=True, fix=fix)
            return
        secret = self.is_secret(path) or mentions_secret(instance)
        got = describe_value(instance, secret)
        if name == "required":
            missing = kind.as_dict().get("property")
            yield Problem(
                path,
                f'{where}: missing required field "{missing}"',
                fix=f'add "{missing}"',
                missing_field=str(missing),
            )
            return
        if name == "type":
            types = kind.as_dict().get("types") or []
            yield Problem(
                path,
                f"{where}: expected {_types_text(types)}, got {got}",
                sensitive=secret,
                fix=_placeholder_fix(instance),
            )
            return
        if name == QUANTITY_KEYWORD:
            yield Problem(
                path,
                f"{where}: {got} is not a quantity (such as 500m, 0.5, 1Gi or 128974848)",
                fix=_placeholder_fix(instance),
            )
            return
        if name == BASE64_KEYWORD:
            fix = "encode it with base64"
            if path and path[0] == "data":
                fix = "values under data are base64; put plain text under stringData"
            yield Problem(path, f"{where}: not valid base64", sensitive=True, fix=fix)
            return
        if name == "x-kubelint-boolean":
            yield Problem(path, f"{where}: expected boolean, got {got}", sensitive=secret)
            return
        if name == "enum":
            options = kind.as_dict().get("options") or []
            if isinstance(options, list) and options:
                shown = ", ".join(json.dumps(o) for o in options[:8]) + (", ..." if len(options) > 8 else "")
                expected = f"one of {shown}" if len(options) > 1 else shown
            else:
                expected = "an allowed value"
            yield Problem(path, f"{where}: expected {expected}, got {got}", sensitive=secret)
            return
        if name == "const":
            expected = json.dumps(kind.as_dict().get("expected_value"))
            yield Problem(path, f"{where}: expected {expected}, got {got}", sensitive=secret)
            return
        if name in ("oneOf", "anyOf"):
            yield from self._alternatives(error, path, got, secret)
            return
        if name == "oneOfMultipleValid":
            if instance is None:  # null where int-or-string/quantity: the API server treats it as unset
                return
            yield Problem(path, f"{where}: {got} matches more than one allowed form", sensitive=secret)
            return
        yield Problem(path, f"{where}: {self._constraint(error, name, secret)}", sensitive=secret)

    def _alternatives(self, error: Any, path: Path, got: str, secret: bool) -> Iterator[Problem]:
        where = dotted(path)
        definition = self.documents.definition_name(error)
        if definition in _FRIENDLY_DEFS:
            yield Problem(
                path, f"{where}: expected {_FRIENDLY_DEFS[definition]}, got {got}", sensitive=secret
            )
            return
        branches: list[list[Any]] = list(error.kind.as_dict().get("context") or [])
        fitting: list[list[Any]] = []
        types: list[str] = []
        for branch in branches:
            mismatch = [
                e
                for e in branch
                if tuple(e.instance_path) == path and e.kind.name in ("type", "enum", "const")
            ]
            for e in mismatch:
                if e.kind.name == "type":
                    types.extend(e.kind.as_dict().get("types") or [])
            if not mismatch and branch:
                fitting.append(branch)
        if fitting:  # the value has the right shape for one alternative: explain its errors
            best = min(fitting, key=len)
            yield from self.problems(best)
            return
        if types:
            yield Problem(path, f"{where}: expected {_types_text(types)}, got {got}", sensitive=secret)
        else:
            yield Problem(path, f"{where}: {got} is not one of the allowed forms", sensitive=secret)

    def _constraint(self, error: Any, name: str, secret: bool) -> str:
        details = error.kind.as_dict()
        limit = details.get("limit")
        words = {
            "minimum": f"must be at least {limit}",
            "maximum": f"must be at most {limit}",
            "exclusiveMinimum": f"must be greater than {limit}",
            "exclusiveMaximum": f"must be less than {limit}",
            "minLength": f"must be at least {limit} characters long",
            "maxLength": f"must be at most {limit} characters long",
            "minItems": f"must have at least {limit} items",
            "maxItems": f"must have at most {limit} items",
            "minProperties": f"must have at least {limit} entries",
            "maxProperties": f"must have at most {limit} entries",
            "uniqueItems": "must not contain duplicate items",
            "multipleOf": f"must be a multiple of {details.get('multiple_of')}",
            "format": f"is not a valid {details.get('format')}",
            "falseSchema": "is not allowed here",
            "not": "is not allowed here",
        }
        if name == "pattern":
            pattern = details.get("pattern")
            return "does not match the required pattern" + ("" if secret else f" {pattern}")
        return words.get(name, f"does not satisfy the schema ({name})")
