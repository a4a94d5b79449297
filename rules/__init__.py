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
    compose_ports,
    cross_duplicates,
    cross_ingress,
    cross_ports,
    cross_references,
    cross_scaling,
    cross_services,
    images,
    probes,
    resources,
    schema,
    secrets_env,
)

MODULES = (
    schema,
    resources,
    probes,
    secrets_env,
    images,
    compose_ports,
    cross_services,
    cross_ingress,
    cross_scaling,
    cross_references,
    cross_ports,
    cross_duplicates,
    builtin_policies,
    admission_policies,
)


def all_rules() -> list[Rule]:
    return [r for module in MODULES for r in module.RULES]
