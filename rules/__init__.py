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
"""

from __future__ import annotations

from kubelint.rule import Rule

from . import (
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
    images,
    probes,
    resources,
    schema,
    secrets_env,
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
)


def all_rules() -> list[Rule]:
    return [r for module in MODULES for r in module.RULES]
