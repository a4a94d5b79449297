"""Extra JSON schemas from the directories of the `schema-dirs` setting.

For a custom resource with no CRD in the run, kubelint looks in each directory, in
order, for (kubeconform and CRDs-catalog naming; kind in lower case):

    <dir>/<group>/<kind>_<version>.json
    <dir>/<kind>_<version>.json
    <dir>/<kind>-<first label of group>-<version>.json   (core: <kind>-<version>.json)

Each schema file is read and compiled once per run; `$ref`s to other files are
resolved from the local disk only (inside the configured directories), never the
network.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import jsonschema_rs

from kubelint.schema.kubernetes import KEYWORDS, split_api_version
from kubelint.schema.problems import SchemaDocuments


class ExtraSchema:
    def __init__(self, path: str, schema: Any, validator: Any) -> None:
        self.path = path
        self.documents = SchemaDocuments(schema)
        self.validator = validator


class ExtraSchemas:
    """Lookups in the configured directories, cached per apiVersion/kind."""

    def __init__(self, directories: tuple[str, ...]) -> None:
        self.directories = tuple(os.path.abspath(d) for d in directories)
        self._found: dict[tuple[str, str], ExtraSchema | None] = {}
        self.problems: dict[str, str] = {}  # file -> why it cannot be used

    def candidates(self, api_version: str, kind: str) -> list[str]:
        group, version = split_api_version(api_version)
        lower = kind.lower()
        first = group.split(".")[0]
        names = []
        for directory in self.directories:
            if group:
                names.append(os.path.join(directory, group, f"{lower}_{version}.json"))
            names.append(os.path.join(directory, f"{lower}_{version}.json"))
            names.append(
                os.path.join(
                    directory, f"{lower}-{first}-{version}.json" if group else f"{lower}-{version}.json"
                )
            )
        return names

    def find(self, api_version: str, kind: str) -> ExtraSchema | None:
        key = (api_version, kind)
        if key not in self._found:
            self._found[key] = None
            for candidate in self.candidates(api_version, kind):
                if os.path.isfile(candidate):
                    self._found[key] = self._compile(candidate)
                    break
        return self._found[key]

    def _retrieve(self, uri: str) -> Any:
        parsed = urlparse(uri)
        path = os.path.abspath(unquote(parsed.path))
        if parsed.scheme != "file" or not any(path.startswith(d + os.sep) for d in self.directories):
            raise ValueError(f"{uri}: only local files inside schema-dirs are read")
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)

    def _compile(self, path: str) -> ExtraSchema | None:
        try:
            with open(path, encoding="utf-8") as handle:
                schema = json.load(handle)
            validator = jsonschema_rs.validator_for(
                schema, base_uri=Path(path).as_uri(), retriever=self._retrieve, keywords=KEYWORDS
            )
        except Exception as error:  # unreadable, not JSON, not a schema, unresolvable $ref
            self.problems[path] = str(error).splitlines()[0] if str(error) else type(error).__name__
            return None
        return ExtraSchema(path, schema, validator)
