"""Kubernetes name syntax: DNS-1123 labels and subdomains, label keys and values,
IANA service names (named ports), and which kinds need which name.

Each check returns None when the text is valid, else a short reason.  The rules are
those of the API server's validation (k8s.io/apimachinery/pkg/util/validation).
The checks are pure and memoised: a run asks about the same few label keys, values
and names tens of thousands of times.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

DNS1123_LABEL_MAX = 63
DNS1123_SUBDOMAIN_MAX = 253
QUALIFIED_NAME_MAX = 63
LABEL_VALUE_MAX = 63
IANA_SVC_NAME_MAX = 15

_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_IANA_SVC_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")

NameCheck = Callable[[str], "str | None"]

_UPPER_SNAKE = re.compile(r"(?<![A-Za-z0-9])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?![A-Za-z0-9])")
_ALL_CAPS = re.compile(r"[A-Z][A-Z0-9_]+")
_BRACED = re.compile(r"\{[A-Za-z_][A-Za-z0-9_.-]*\}")


def is_placeholder_text(text: str) -> bool:
    """Text meant to be substituted before applying: `${VAR}`, `$(VAR)`, `{{ }}`,
    `{IMAGE}`, `<PROJECT_ID>`, `PV_NAME`, `REGION-docker.pkg.dev/PROJECT_ID/...`, `PORT`."""
    if "$" in text or "{{" in text:
        return True
    if ("<" in text and ">" in text) or _BRACED.search(text):
        return True
    return bool(_UPPER_SNAKE.search(text) or _ALL_CAPS.fullmatch(text))


@lru_cache(maxsize=8192)
def dns1123_label(text: str) -> str | None:
    """A lowercase RFC 1123 label: a-z, 0-9 and '-', alphanumeric at both ends, ≤ 63."""
    if len(text) > DNS1123_LABEL_MAX:
        return f"is longer than {DNS1123_LABEL_MAX} characters"
    if not _DNS1123_LABEL.fullmatch(text):
        return "must consist of lowercase letters, digits and '-', and start and end with a letter or digit"
    return None


@lru_cache(maxsize=8192)
def dns1035_label(text: str) -> str | None:
    """A DNS-1035 label (Service names): like a DNS-1123 label but starting with a letter."""
    if len(text) > DNS1123_LABEL_MAX:
        return f"is longer than {DNS1123_LABEL_MAX} characters"
    if not _DNS1035_LABEL.fullmatch(text):
        return (
            "must consist of lowercase letters, digits and '-', start with a letter "
            "and end with a letter or digit"
        )
    return None


@lru_cache(maxsize=8192)
def dns1123_subdomain(text: str) -> str | None:
    """Dot-separated DNS-1123 labels, ≤ 253 characters in all."""
    if len(text) > DNS1123_SUBDOMAIN_MAX:
        return f"is longer than {DNS1123_SUBDOMAIN_MAX} characters"
    for part in text.split("."):
        if not _DNS1123_LABEL.fullmatch(part):
            return (
                "must consist of lowercase letters, digits, '-' and '.', and start and end "
                "with a letter or digit"
            )
    return None


@lru_cache(maxsize=8192)
def path_segment_name(text: str) -> str | None:
    """Names that only need to be a URL path segment (RBAC objects)."""
    if text in (".", ".."):
        return f"may not be {text!r}"
    for bad in ("/", "%"):
        if bad in text:
            return f"may not contain {bad!r}"
    return None


@lru_cache(maxsize=8192)
def qualified_name(text: str) -> str | None:
    """`[prefix/]name`: the syntax of label and annotation keys."""
    prefix, slash, name = text.rpartition("/")
    if slash:
        if not prefix:
            return "has an empty prefix before '/'"
        if "/" in prefix:
            return "may contain at most one '/'"
        reason = dns1123_subdomain(prefix)
        if reason:
            return f"prefix {prefix!r} {reason}"
    if not name:
        return "has an empty name"
    if len(name) > QUALIFIED_NAME_MAX:
        return f"name part is longer than {QUALIFIED_NAME_MAX} characters"
    if not _QUALIFIED_NAME.fullmatch(name):
        return (
            "name part must consist of letters, digits, '-', '_' and '.', and start and end "
            "with a letter or digit"
        )
    return None


@lru_cache(maxsize=8192)
def label_value(text: str) -> str | None:
    """Empty, or ≤ 63 characters of letters, digits, '-', '_', '.', alphanumeric at both ends."""
    if not text:
        return None
    if len(text) > LABEL_VALUE_MAX:
        return f"is longer than {LABEL_VALUE_MAX} characters"
    if not _QUALIFIED_NAME.fullmatch(text):
        return "must consist of letters, digits, '-', '_' and '.', and start and end with a letter or digit"
    return None


@lru_cache(maxsize=8192)
def iana_svc_name(text: str) -> str | None:
    """A port name: ≤ 15 lowercase letters, digits and '-', at least one letter,
    no leading, trailing or doubled '-'."""
    if len(text) > IANA_SVC_NAME_MAX:
        return f"is longer than {IANA_SVC_NAME_MAX} characters"
    if not _IANA_SVC_NAME.fullmatch(text):
        return "must consist of lowercase letters, digits and '-', and start and end with a letter or digit"
    if "--" in text:
        return "may not contain '--'"
    if not any(ch.isalpha() for ch in text):
        return "must contain at least one letter"
    return None


# Which name syntax each built-in kind needs.  Kinds not listed (custom resources,
# rare kinds) are not judged.
_LABEL_KINDS = ("Namespace",)
_DNS1035_KINDS = ("Service",)
_PATH_SEGMENT_KINDS = ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")
_SUBDOMAIN_KINDS = (
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "PodTemplate",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Ingress",
    "IngressClass",
    "NetworkPolicy",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "StorageClass",
    "PriorityClass",
    "LimitRange",
    "ResourceQuota",
    "Endpoints",
    "EndpointSlice",
    "Node",
    "CustomResourceDefinition",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "Lease",
    "DeploymentConfig",
)

NAME_CHECKS: dict[str, NameCheck] = {
    **dict.fromkeys(_LABEL_KINDS, dns1123_label),
    **dict.fromkeys(_DNS1035_KINDS, dns1035_label),
    **dict.fromkeys(_PATH_SEGMENT_KINDS, path_segment_name),
    **dict.fromkeys(_SUBDOMAIN_KINDS, dns1123_subdomain),
}

# Kinds whose name becomes a label value or a hostname of their pods, so it must
# be shorter than the general limit (the API server rejects longer names).
MAX_NAME_LENGTH = {"CronJob": 52, "Job": 63}


def name_problem(kind: str, name: str) -> str | None:
    """Why `name` is not a valid name for an object of `kind`, or None."""
    check = NAME_CHECKS.get(kind)
    if check is None:
        return None
    reason = check(name)
    if reason:
        return reason
    limit = MAX_NAME_LENGTH.get(kind)
    if limit is not None and len(name) > limit:
        return f"is longer than {limit} characters (the limit for a {kind})"
    return None
