"""Compose files against the compose-spec JSON schema shipped in kubelint.schemas.

Compose interpolates `${VAR}`, `${VAR:-default}` and `$VAR` before it validates, so
a value such as `${PORT:-8080}` where the schema wants a number is not an error
here: any string containing `$` is accepted wherever the schema would reject it
(its interpolated value is checked by nobody statically).  The schema accepts partial
files (overrides), so nothing like a missing `image` is reported here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

import jsonschema_rs

from kubelint.positions import Path
from kubelint.schema.problems import Problem, SchemaDocuments, Translator
from kubelint.secrets import is_secret_name


def is_interpolated(value: Any) -> bool:
    """A string Compose interpolates (`${PORT:-8080}`, `$HOME`): valid for any type."""
    return isinstance(value, str) and "$" in value


def _is_secret(path: Path) -> bool:
    names = [p for p in path if isinstance(p, str)]
    if any(is_secret_name(n) for n in names[-1:]):
        return True
    return len(path) >= 2 and path[-2] == "environment" and isinstance(path[-1], int)


class ComposeSchema:
    """The compose-spec schema, compiled once per run."""

    def __init__(self) -> None:
        ref = resources.files("kubelint.schemas").joinpath("compose-spec", "compose-spec.json")
        with ref.open("rb") as handle:
            self.schema: dict[str, Any] = json.load(handle)
        self.validator = jsonschema_rs.Draft202012Validator(self.schema)
        self.translator = Translator(
            SchemaDocuments(self.schema), is_secret=_is_secret, skip_instance=is_interpolated
        )

    def problems(self, data: Any) -> Iterator[Problem]:
        yield from self.translator.problems(self.validator.iter_errors(data))
