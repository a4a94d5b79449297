"""KL900-KL949: built-in rules that are simple predicates, written as policies in
rules/policies/*.yaml (the same format as custom policies; see docs/policies.md)."""

from __future__ import annotations

import os

from kubelint.policy.loader import load_policies
from kubelint.policy.rules import policy_rule
from kubelint.rule import Rule

POLICY_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "policies")


def _load() -> tuple[Rule, ...]:
    loaded = load_policies([POLICY_DIR], os.path.dirname(os.path.dirname(POLICY_DIR)), builtin=True)
    if loaded.errors:  # a bug in the shipped catalogue: the tests catch it
        raise RuntimeError("broken built-in policy: " + "; ".join(str(e) for e in loaded.errors))
    for p in loaded.policies:
        if not ("KL900" <= p.id <= "KL949"):
            raise RuntimeError(f"{p.file}:{p.line}: built-in policy ids are KL900-KL949, not {p.id}")
    return tuple(policy_rule(p) for p in loaded.policies)


RULES = _load()
