"""The Kubernetes versions whose schemas kubernetes-validate ships, and parsing of a
user's `--kubernetes-version` ("1.33", "v1.33", "1.33.2")."""

from __future__ import annotations

import re
from importlib import resources
from importlib.resources.abc import Traversable

_DIR_RE = re.compile(r"^v(\d+)\.(\d+)\.\d+-local$")
_VERSION_RE = re.compile(r"^v?(\d+)\.(\d+)(?:\.\d+)?$")


class UnsupportedVersion(ValueError):
    """A Kubernetes version we have no schemas for (a usage error)."""


def schema_root() -> Traversable:
    """kubernetes-validate's folder of schemas, found without importing the package:
    its __init__ imports jsonschema, which costs ~80 ms of start-up we do not use."""
    import importlib.util
    import pathlib

    spec = importlib.util.find_spec("kubernetes_validate")
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    if locations:
        return pathlib.Path(locations[0], "kubernetes-json-schema")
    return resources.files("kubernetes_validate").joinpath("kubernetes-json-schema")


def supported_versions() -> tuple[str, ...]:
    """Supported "MAJOR.MINOR" versions, oldest first."""
    root = schema_root()
    found: list[tuple[int, int]] = []
    for entry in root.iterdir():
        match = _DIR_RE.match(entry.name)
        if match:
            found.append((int(match.group(1)), int(match.group(2))))
    return tuple(f"{major}.{minor}" for major, minor in sorted(found))


def latest_version() -> str:
    return supported_versions()[-1]


def resolve_version(text: str | None) -> str:
    """The "MAJOR.MINOR" to validate against: the newest shipped for None/empty."""
    if text is None or not str(text).strip():
        return latest_version()
    value = str(text).strip()
    match = _VERSION_RE.match(value)
    supported = supported_versions()
    if match:
        version = f"{int(match.group(1))}.{int(match.group(2))}"
        if version in supported:
            return version
    hint = ""
    if re.fullmatch(r"\d+\.\d", value):
        hint = ' (in a config file, quote the version: "1.30" is read as the number 1.3)'
    raise UnsupportedVersion(
        f"unsupported Kubernetes version {value!r}{hint}; supported: {', '.join(supported)}"
    )


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of "v1.22.0" / "1.22" style versions (non-numeric parts are 0)."""
    parts = version.strip().lstrip("v").split(".")
    return tuple(int(p) if p.isdigit() else 0 for p in parts[:3])
