"""Configuration: `.kubelint.yaml` (found from the working directory upwards, or
`--config`) or `[tool.kubelint]` in `pyproject.toml`.

Every key is checked: an unknown key, an unknown rule or option, or a value of the
wrong type is an error that names the closest valid choice.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubelint.model import Severity
from kubelint.registry import Registry

CONFIG_NAMES = (".kubelint.yaml", ".kubelint.yml", "kubelint.yaml")
FAIL_ON_CHOICES = ("error", "warning", "info", "never")

KNOWN_KEYS: dict[str, str] = {
    "select": "rule ids, id prefixes or names to turn on (replaces the default set; ALL for every rule)",
    "extend-select": "rules to turn on in addition to the default set",
    "ignore": "rules to turn off",
    "severity": "mapping of rule id or name to error, warning or info",
    "rules": "per-rule options: mapping of rule id or name to a mapping of options",
    "exclude": "gitignore-style globs of paths not to lint (relative to the config file)",
    "per-file-ignores": "mapping of glob to a list of rules not reported for matching files",
    "kubernetes-version": "Kubernetes version to validate against, e.g. 1.33",
    "namespace": "namespace of objects that set none (default: default)",
    "fail-on": "lowest severity that makes the exit code 1: error, warning, info or never",
    "max-file-size": "largest file to read, in bytes (default 32 MiB)",
    "external": "objects that exist outside the repository (list of kind/namespace/name patterns)",
    "read-environment": "whether Compose interpolation reads the process environment (default true)",
    "policies": "custom policies: paths of policy files or directories, or inline policy mappings",
    "policy-rules": "paths of custom policy files or directories (relative to the config file)",
    "strict": "report unknown fields in Kubernetes schema validation (default true)",
    "schema-dirs": "directories of extra JSON schemas for custom resources (kubeconform-style names)",
    "render": "render Helm charts and Kustomize overlays before linting: auto (default) or never",
    "helm": "Helm rendering: release, namespace, values, set, and per-chart charts: {dir: {values, set, profiles}}",
}


class ConfigError(Exception):
    """A configuration problem; the message names the file and the key."""


@dataclass
class HelmProfileSettings:
    values: list[str] = field(default_factory=list)
    set: list[str] = field(default_factory=list)
    release: str | None = None
    namespace: str | None = None


@dataclass
class HelmChartSettings(HelmProfileSettings):
    profiles: dict[str, HelmProfileSettings] = field(default_factory=dict)


@dataclass
class HelmSettings(HelmProfileSettings):
    charts: dict[str, HelmChartSettings] = field(default_factory=dict)


@dataclass
class Config:
    path: str | None = None  # the file it came from
    root: str = "."  # directory globs are relative to
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)  # rule id -> severity
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)  # rule id -> options
    exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    kubernetes_version: str | None = None
    namespace: str = "default"
    fail_on: str = "warning"
    max_file_size: int = 32 * 1024 * 1024
    external: list[dict[str, str]] = field(default_factory=list)
    read_environment: bool = True
    policies: list[str] = field(default_factory=list)  # paths given under `policies:`
    policy_rules: list[str] = field(default_factory=list)  # absolute paths of policy files/dirs
    schema_dirs: list[str] = field(default_factory=list)  # absolute paths
    strict: bool = True
    render: str = "auto"
    helm: HelmSettings = field(default_factory=HelmSettings)
    raw: dict[str, Any] = field(default_factory=dict)


def find_config(start: str) -> str | None:
    """The nearest config file from `start` upwards (a pyproject.toml counts only
    if it has a [tool.kubelint] table)."""
    directory = os.path.abspath(start)
    while True:
        for name in CONFIG_NAMES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                return candidate
        pyproject = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(pyproject) and _pyproject_table(pyproject) is not None:
            return pyproject
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _pyproject_table(path: str) -> dict[str, Any] | None:
    import tomllib

    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    table = data.get("tool", {}).get("kubelint")
    return table if isinstance(table, dict) else None


def read_config_file(path: str) -> dict[str, Any]:
    if os.path.basename(path) == "pyproject.toml":
        return _pyproject_table(path) or {}
    from kubelint.loader import load_stream

    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    result = load_stream(text)
    problems = result.problems + [p for d in result.documents for p in d.problems]
    if problems:
        p = problems[0]
        raise ConfigError(f"{path}:{p.span.line}:{p.span.column}: {p.message}")
    if not result.documents or result.documents[0].data is None:
        return {}
    data = result.documents[0].data
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping")
    return data


def _closest(word: str, choices: Sequence[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _string_list(where: str, value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(f"{where}: expected a list of strings")


def parse_config(raw: Mapping[str, Any], registry: Registry, *, path: str | None = None) -> Config:
    where = path or "configuration"
    config = Config(path=path, root=os.path.dirname(os.path.abspath(path)) if path else os.getcwd())
    config.raw = dict(raw)
    for key in raw:
        if key not in KNOWN_KEYS:
            raise ConfigError(f"{where}: unknown key {key!r}{_closest(key, list(KNOWN_KEYS))}")

    def check_rules(key: str, values: list[str]) -> list[str]:
        for v in values:
            if not registry.is_selector(v):
                raise ConfigError(f"{where}: {key}: {registry.unknown_selector_message(v)}")
        return values

    if "select" in raw:
        config.select = check_rules("select", _string_list(f"{where}: select", raw["select"]))
    if "extend-select" in raw:
        config.extend_select = check_rules(
            "extend-select", _string_list(f"{where}: extend-select", raw["extend-select"])
        )
    if "ignore" in raw:
        config.ignore = check_rules("ignore", _string_list(f"{where}: ignore", raw["ignore"]))

    severities = raw.get("severity", {}) or {}
    if not isinstance(severities, dict):
        raise ConfigError(f"{where}: severity: expected a mapping of rule to level")
    for name, level in severities.items():
        r = registry.get(str(name))
        if r is None:
            raise ConfigError(f"{where}: severity: {registry.unknown_selector_message(str(name))}")
        try:
            config.severity[r.id] = Severity.parse(str(level))
        except ValueError as error:
            raise ConfigError(f"{where}: severity: {name}: {error}") from None

    rules = raw.get("rules", {}) or {}
    if not isinstance(rules, dict):
        raise ConfigError(f"{where}: rules: expected a mapping of rule to options")
    for name, options in rules.items():
        r = registry.get(str(name))
        if r is None:
            raise ConfigError(f"{where}: rules: {registry.unknown_selector_message(str(name))}")
        if not isinstance(options, dict):
            raise ConfigError(f"{where}: rules: {name}: expected a mapping of options")
        for option, value in options.items():
            spec = r.options.get(option)
            if spec is None:
                known = list(r.options) or ["(this rule has no options)"]
                raise ConfigError(
                    f"{where}: rules: {name}: unknown option {option!r}{_closest(option, known)}"
                    + ("" if r.options else f"; {r.id} has no options")
                )
            problem = spec.check(value)
            if problem:
                raise ConfigError(f"{where}: rules: {name}: {option}: {problem}")
        config.rule_options.setdefault(r.id, {}).update(options)

    if "exclude" in raw:
        config.exclude = _string_list(f"{where}: exclude", raw["exclude"])
    pfi = raw.get("per-file-ignores", {}) or {}
    if not isinstance(pfi, dict):
        raise ConfigError(f"{where}: per-file-ignores: expected a mapping of glob to rules")
    for glob, ids in pfi.items():
        config.per_file_ignores[str(glob)] = check_rules(
            "per-file-ignores", _string_list(f"{where}: per-file-ignores: {glob}", ids)
        )
    if "kubernetes-version" in raw:
        config.kubernetes_version = str(raw["kubernetes-version"]).strip()
    if "namespace" in raw:
        if not isinstance(raw["namespace"], str) or not raw["namespace"]:
            raise ConfigError(f"{where}: namespace: expected a non-empty string")
        config.namespace = raw["namespace"]
    if "fail-on" in raw:
        value = str(raw["fail-on"]).lower()
        if value not in FAIL_ON_CHOICES:
            raise ConfigError(
                f"{where}: fail-on: expected one of {', '.join(FAIL_ON_CHOICES)}"
                + _closest(value, FAIL_ON_CHOICES)
            )
        config.fail_on = value
    if "max-file-size" in raw:
        size = raw["max-file-size"]
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise ConfigError(f"{where}: max-file-size: expected a positive number of bytes")
        config.max_file_size = size
    if "external" in raw:
        ext = raw["external"]
        if not isinstance(ext, list) or not all(isinstance(e, dict) for e in ext):
            raise ConfigError(f"{where}: external: expected a list of kind/namespace/name mappings")
        for entry in ext:
            for k in entry:
                if k not in ("kind", "namespace", "name", "apiVersion"):
                    raise ConfigError(
                        f"{where}: external: unknown key {k!r}"
                        + _closest(str(k), ["kind", "namespace", "name", "apiVersion"])
                    )
        config.external = [{str(k): str(v) for k, v in e.items()} for e in ext]
    for flag, attr in (("read-environment", "read_environment"), ("strict", "strict")):
        if flag in raw:
            if not isinstance(raw[flag], bool):
                raise ConfigError(f"{where}: {flag}: expected true or false")
            setattr(config, attr, raw[flag])
    if "policies" in raw:
        items = raw["policies"] if isinstance(raw["policies"], list) else [raw["policies"]]
        if not all(isinstance(i, (str, dict)) for i in items):
            raise ConfigError(f"{where}: policies: expected a list of paths or policy mappings")
        config.policies = [i for i in items if isinstance(i, str)]
    if "policy-rules" in raw:
        paths = _string_list(f"{where}: policy-rules", raw["policy-rules"])
        config.policy_rules = [os.path.normpath(os.path.join(config.root, p)) for p in paths]
    if "schema-dirs" in raw:
        dirs = _string_list(f"{where}: schema-dirs", raw["schema-dirs"])
        config.schema_dirs = [os.path.normpath(os.path.join(config.root, d)) for d in dirs]
    if "render" in raw:
        if raw["render"] not in ("auto", "never"):
            raise ConfigError(f"{where}: render: expected auto or never")
        config.render = raw["render"]
    if "helm" in raw:
        config.helm = _parse_helm(f"{where}: helm", raw["helm"])
    return config


_PROFILE_KEYS = ("values", "set", "release", "namespace")


def _parse_profile(where: str, raw: Any, target: HelmProfileSettings, extra: tuple[str, ...]) -> None:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping")
    allowed = _PROFILE_KEYS + extra
    for key in raw:
        if key not in allowed:
            raise ConfigError(f"{where}: unknown key {key!r}{_closest(str(key), allowed)}")
    if "values" in raw:
        target.values = _string_list(f"{where}: values", raw["values"])
    if "set" in raw:
        target.set = (
            _string_list(f"{where}: set", raw["set"]) if isinstance(raw["set"], list) else [str(raw["set"])]
        )
    for key in ("release", "namespace"):
        if key in raw:
            if not isinstance(raw[key], str) or not raw[key]:
                raise ConfigError(f"{where}: {key}: expected a non-empty string")
            setattr(target, key, raw[key])


def _parse_helm(where: str, raw: Any) -> HelmSettings:
    settings = HelmSettings()
    _parse_profile(where, raw, settings, ("charts",))
    charts = raw.get("charts", {}) or {}
    if not isinstance(charts, dict):
        raise ConfigError(f"{where}: charts: expected a mapping of chart directory to settings")
    for directory, chart_raw in charts.items():
        chart = HelmChartSettings()
        _parse_profile(f"{where}: charts: {directory}", chart_raw or {}, chart, ("profiles",))
        profiles = (chart_raw or {}).get("profiles", {}) or {}
        if not isinstance(profiles, dict):
            raise ConfigError(f"{where}: charts: {directory}: profiles: expected a mapping of name to values")
        for name, profile_raw in profiles.items():
            profile = HelmProfileSettings()
            _parse_profile(f"{where}: charts: {directory}: profiles: {name}", profile_raw or {}, profile, ())
            chart.profiles[str(name)] = profile
        settings.charts[str(directory)] = chart
    return settings


def load_config(explicit: str | None, cwd: str, registry: Registry) -> Config:
    path = explicit
    if path is None:
        path = find_config(cwd)
    elif not os.path.isfile(path):
        raise ConfigError(f"{path}: config file not found")
    if path is None:
        config = Config(root=cwd)
        return config
    return parse_config(read_config_file(path), registry, path=path)
