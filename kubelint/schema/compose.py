"""Compose files against the compose-spec JSON schema shipped in kubelint.schemas.

Compose interpolates `${VAR}`, `${VAR:-default}` and `$VAR` before it validates, so
a value such as `${PORT:-8080}` where the schema wants a number is not an error
here: any string containing `$` is accepted wherever the schema would reject it
(its interpolated value is checked by nobody statically).  The schema accepts partial
files (overrides), so nothing like a missing `image` is reported here.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

import jsonschema_rs

from kubelint.positions import Path
from kubelint.redaction import may_hold_secret
from kubelint.schema.problems import Problem, SchemaDocuments, Translator


def is_interpolated(value: Any) -> bool:
    """A string Compose interpolates (`${PORT:-8080}`, `$HOME`): valid for any type."""
    return isinstance(value, str) and "$" in value


def _is_secret(path: Path) -> bool:
    names = [p for p in path if isinstance(p, str)]
    if any(may_hold_secret(n) for n in names[-1:]):
        return True
    if "environment" in names or ("build" in names and "args" in names):
        return True  # values (or a stray `environment: DB_PASSWORD=x` string) may be secrets
    return len(path) >= 2 and path[-2] == "environment" and isinstance(path[-1], int)


# Values Compose reads as booleans when a boolean field holds a string (generous: the
# YAML 1.1 words too, whatever their case).
BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "y", "n", "t", "f", "1", "0"})
BOOLEAN_KEYWORD = "x-kubelint-boolean"
# Fields typed boolean-or-string that really take other strings (`sbom: "generator=..."`).
_FREE_STRING_FIELDS = frozenset({"provenance", "sbom"})


class _BooleanString:
    """A jsonschema-rs keyword: a string in a boolean field must read as a boolean
    (the schema allows strings only for interpolation)."""

    def __init__(self, parent_schema: Any, value: Any, schema_path: Any) -> None:
        pass

    def validate(self, instance: Any) -> None:
        readable = not isinstance(instance, str) or is_interpolated(instance)
        if not readable and instance.strip().lower() not in BOOLEAN_WORDS:
            raise ValueError("expected a boolean")


def with_boolean_strings(schema: Any, key: str = "") -> Any:
    """A copy of the schema where boolean-or-string fields check their strings."""
    if isinstance(schema, list):
        return [with_boolean_strings(item, key) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: with_boolean_strings(v, k) for k, v in schema.items()}
    types = schema.get("type")
    if isinstance(types, list) and set(types) == {"boolean", "string"} and key not in _FREE_STRING_FIELDS:
        out[BOOLEAN_KEYWORD] = True
    return out


class ComposeSchema:
    """The compose-spec schema, compiled once per run."""

    def __init__(self) -> None:
        ref = resources.files("kubelint.schemas").joinpath("compose-spec", "compose-spec.json")
        with ref.open("rb") as handle:
            self.schema: dict[str, Any] = json.load(handle)
        self.validator = jsonschema_rs.Draft202012Validator(
            with_boolean_strings(copy.deepcopy(self.schema)), keywords={BOOLEAN_KEYWORD: _BooleanString}
        )
        self.translator = Translator(
            SchemaDocuments(self.schema),
            is_secret=_is_secret,
            skip_instance=is_interpolated,
            field_word="key",
        )

    def problems(self, data: Any) -> Iterator[Problem]:
        yield from self.translator.problems(self.validator.iter_errors(data))
