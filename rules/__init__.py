"""The built-in rule catalogue, listed explicitly (nothing registers by import).

Families (codes are never reused):
  KL0xx  input, parsing, suppressions (emitted by the engine, kubelint/diagnostics.py)
  KL1xx  schema and API validity
  KL2xx  resources (requests and limits)
  KL3xx  health: probes, healthchecks
  KL4xx  secrets
  KL5xx  images and ports
  KL6xx  security context and host access
  KL7xx  Kubernetes cross-resource references
  KL8xx  Compose project semantics
  KL90x-KL94x  built-in policies written as data (rules/policies/*.yaml)
  KL95x  admission: ValidatingAdmissionPolicies and CRD validation rules of the run
"""

from __future__ import annotations

from kubelint.rule import Rule

from . import (
    admission_policies,
    builtin_policies,
    compose_health,
    compose_ports,
    compose_resources,
    compose_secrets,
    compose_security,
    compose_semantics,
    compose_structure,
    compose_variables,
    cross_duplicates,
    cross_ingress,
    cross_ports,
    cross_references,
    cross_scaling,
    cross_services,
    host_access,
    image_policy,
    images,
    object_validity,
    ports,
    probes,
    probes_extra,
    resources,
    resources_extra,
    schema,
    secrets_env,
    secrets_plaintext,
    security_context,
)

MODULES = (
    compose_resources,
    compose_health,
    compose_secrets,
    compose_security,
    schema,
    resources,
    probes,
    secrets_env,
    images,
    compose_ports,
    compose_semantics,
    compose_structure,
    compose_variables,
    cross_services,
    cross_ingress,
    cross_scaling,
    cross_references,
    cross_ports,
    cross_duplicates,
    security_context,
    host_access,
    image_policy,
    ports,
    object_validity,
    resources_extra,
    probes_extra,
    secrets_plaintext,
    builtin_policies,
    admission_policies,
)


def all_rules() -> list[Rule]:
    return [r for module in MODULES for r in module.RULES]
