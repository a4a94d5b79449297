"""Custom policies as data: rules written in YAML (path checks, JSON Schema, CEL or
cross-resource references), loaded beside the built-in catalogue.  See
docs/policies.md for the format and schemas/policy.schema.json for its schema."""

from kubelint.policy.loader import LoadedPolicies, PolicyError, load_policies, load_policy_text
from kubelint.policy.rules import policy_rule

__all__ = ["LoadedPolicies", "PolicyError", "load_policies", "load_policy_text", "policy_rule"]
