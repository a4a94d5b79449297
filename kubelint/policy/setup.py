"""The rules of a run: the built-in catalogue plus the policies the configuration
(`policy-rules:`, `policies:`) and `--policy` name.

Policies must be loaded before the configuration is checked, since `select:`,
`ignore:` and `severity:` may name them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kubelint.policy.loader import PolicyError, _Invalid, _validator, load_policies, parse_policy
from kubelint.policy.model import Policy
from kubelint.policy.rules import policy_rule

if TYPE_CHECKING:
    from kubelint.config import Config
    from kubelint.registry import Registry


class PolicyLoadError(Exception):
    """One or more policies are broken; `errors` says where and why."""

    def __init__(self, errors: Sequence[PolicyError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = list(errors)


def _inline_policies(path: str, raw: dict[str, Any], cwd: str) -> tuple[list[Policy], list[PolicyError]]:
    """Policies written as mappings under `policies:` in a YAML config file."""
    items = raw.get("policies")
    if not isinstance(items, list) or not any(isinstance(i, dict) for i in items):
        return [], []
    from kubelint.loader import load_stream
    from kubelint.policy.loader import _display

    display = _display(path, cwd)
    if path.endswith(".toml"):
        return [], [
            PolicyError(
                display, 0, 0, "inline policies need a YAML config; use policy-rules: in pyproject.toml"
            )
        ]
    with open(path, encoding="utf-8") as handle:
        document = load_stream(handle.read()).documents[0]
    policies, errors = [], []
    validator = _validator()
    for i, item in enumerate(document.data["policies"]):
        if not isinstance(item, dict):
            continue
        try:
            policies.append(
                parse_policy(item, document.positions, ("policies", i), display, False, validator)
            )
        except _Invalid as invalid:
            span = document.positions.span(("policies", i, *invalid.path), key=invalid.key)
            errors.append(PolicyError(display, span.line, span.column, invalid.message))
    return policies, errors


def prepare_run(
    config_path: str | None,
    cwd: str,
    *,
    no_config: bool = False,
    policy_paths: Sequence[str] = (),
) -> tuple[Registry, Config]:
    """(registry, config) for a run; raises ConfigError or PolicyLoadError."""
    from kubelint.check_command import build_registry
    from kubelint.config import Config, ConfigError, find_config, parse_config, read_config_file

    path = None if no_config else config_path or find_config(cwd)
    if path is not None and not os.path.isfile(path):
        raise ConfigError(f"{path}: config file not found")
    raw = read_config_file(path) if path else {}
    root = os.path.dirname(os.path.abspath(path)) if path else cwd
    paths = [os.path.join(root, p) for p in _as_list(raw.get("policy-rules"))]
    paths += [os.path.join(root, p) for p in _as_list(raw.get("policies")) if isinstance(p, str)]
    paths += [os.path.join(cwd, p) for p in policy_paths]
    loaded = load_policies(paths, cwd)
    policies, errors = loaded.policies, loaded.errors
    if path is not None:
        inline, inline_errors = _inline_policies(path, raw, cwd)
        policies += inline
        errors += inline_errors
    base = build_registry()
    for p in policies:
        clash = base.get(p.id) or base.get(p.name)
        if clash is not None:
            what = p.id if base.get(p.id) else p.name
            errors.append(
                PolicyError(p.file, p.line, 1, f"{what} is already the built-in rule {clash.id} {clash.name}")
            )
    if errors:
        raise PolicyLoadError(errors)
    registry = build_registry([policy_rule(p) for p in policies]) if policies else base
    config = parse_config(raw, registry, path=path) if path else Config(root=cwd)
    return registry, config


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
