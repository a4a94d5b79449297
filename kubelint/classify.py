"""Deciding what each document is: Kubernetes object(s), a Compose file, a template,
or not a manifest at all."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kubelint import diagnostics as diag
from kubelint.loader import LoadResult
from kubelint.model import ComposeFile, Document, K8sObject, Manifest, SourceFile
from kubelint.positions import Span
from kubelint.rule import Rule

COMPOSE_NAME_RE = re.compile(r"^(?:docker-)?compose(?:[.-][^/]*)?\.ya?ml$|[.-]compose\.ya?ml$")
COMPOSE_TOP_KEYS = frozenset(
    {"services", "volumes", "networks", "secrets", "configs", "include", "version", "name"}
)
TEMPLATE_MARKERS = ("{{", "{%")
KUSTOMIZE_FILE_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})
HELM_FILE_NAMES = frozenset({"Chart.yaml", "Chart.lock", "requirements.yaml"})


@dataclass(slots=True)
class Diagnostic:
    """An engine finding before selection: rule, file, position, message."""

    rule: Rule
    source: SourceFile
    span: Span | None
    message: str
    document: Document | None = None


@dataclass(slots=True)
class Classified:
    manifests: list[Manifest] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    documents: int = 0
    template: bool = False


def is_compose_name(path: str) -> bool:
    return bool(COMPOSE_NAME_RE.search(os.path.basename(path)))


def looks_templated(text: str) -> bool:
    return any(marker in text for marker in TEMPLATE_MARKERS)


def classify(
    source: SourceFile,
    loaded: LoadResult,
    *,
    is_chart_template: bool = False,
) -> Classified:
    out = Classified(documents=len(loaded.documents))
    problems = list(loaded.problems) + [p for d in loaded.documents for p in d.problems]
    templated = looks_templated(source.text)
    if is_chart_template or (templated and any(p.code in ("syntax", "complex-key") for p in problems)):
        why = "a Helm chart template" if is_chart_template else "a template ({{ ... }})"
        out.template = True
        out.diagnostics.append(
            Diagnostic(
                diag.TEMPLATE_NOT_LINTED,
                source,
                Span.point(1, 1),
                f"{why}: not linted as plain YAML; render it and lint the output",
            )
        )
        return out

    for problem in loaded.problems:
        out.diagnostics.append(
            Diagnostic(diag.LOAD_PROBLEM_RULES[problem.code], source, problem.span, problem.message)
        )

    if not problems and source.group is None and all(d.data is None for d in loaded.documents):
        out.diagnostics.append(
            Diagnostic(diag.EMPTY_FILE, source, Span.point(1, 1), "the file holds no YAML content")
        )
        return out
    if os.path.basename(source.path) in KUSTOMIZE_FILE_NAMES | HELM_FILE_NAMES:
        return out  # Kustomize's and Helm's own configuration: rendered, not linted
    compose_named = is_compose_name(source.path)
    stray: list[tuple[Document, str]] = []
    for loaded_doc in loaded.documents:
        doc = Document(source, loaded_doc.index, loaded_doc.data, loaded_doc.positions)
        # Numeric keys are fine in other YAML (OpenAPI status codes): only manifests'.
        key_problems = [p for p in loaded_doc.problems if p.code == "non-string-key"]
        for problem in loaded_doc.problems:
            if problem.code != "non-string-key":
                out.diagnostics.append(
                    Diagnostic(
                        diag.LOAD_PROBLEM_RULES[problem.code], source, problem.span, problem.message, doc
                    )
                )
        data = doc.data
        if data is None:
            continue  # an empty document (`---` alone, comments only) is fine
        if not isinstance(data, dict):
            stray.append((doc, "a list" if isinstance(data, list) else f"a {_scalar_name(data)}"))
            continue
        before = len(out.manifests)
        _classify_mapping(doc, data, compose_named, out)
        if len(out.manifests) > before:
            for problem in key_problems:
                out.diagnostics.append(
                    Diagnostic(diag.NON_STRING_KEY, source, problem.span, problem.message, doc)
                )
    if stray and (out.manifests or _has_type_meta_diagnostic(out)):
        for doc, what in stray:
            out.diagnostics.append(
                Diagnostic(
                    diag.NOT_AN_OBJECT,
                    source,
                    doc.positions.root_span,
                    f"document {doc.index + 1} is {what}, not a Kubernetes object or Compose file",
                    doc,
                )
            )
    elif stray or (not out.manifests and not out.diagnostics and loaded.documents):
        out.diagnostics.append(
            Diagnostic(
                diag.NOT_A_MANIFEST,
                source,
                Span.point(1, 1),
                "neither a Kubernetes manifest nor a Compose file; skipped",
            )
        )
    return out


def _has_type_meta_diagnostic(out: Classified) -> bool:
    return any(d.rule in (diag.MISSING_TYPE_META, diag.INVALID_TYPE_META) for d in out.diagnostics)


def _scalar_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "string"


def _classify_mapping(doc: Document, data: dict[str, Any], compose_named: bool, out: Classified) -> None:
    source = doc.source
    has_api, has_kind = "apiVersion" in data, "kind" in data
    if has_api or has_kind:
        api, kind = data.get("apiVersion"), data.get("kind")
        bad = [
            (name, value)
            for name, value in (("apiVersion", api), ("kind", kind))
            if name in data and (not isinstance(value, str) or not value.strip())
        ]
        for name, value in bad:
            out.diagnostics.append(
                Diagnostic(
                    diag.INVALID_TYPE_META,
                    source,
                    doc.span((name,)),
                    f"{name} must be a non-empty string, got {_describe(value)}",
                    doc,
                )
            )
        if bad:
            return
        if not (has_api and has_kind):
            missing = "kind" if has_api else "apiVersion"
            out.diagnostics.append(
                Diagnostic(
                    diag.MISSING_TYPE_META,
                    source,
                    doc.positions.root_span,
                    f"object has no {missing}",
                    doc,
                )
            )
            return
        assert isinstance(api, str) and isinstance(kind, str)
        _add_k8s(doc, data, api, kind, out.manifests.append)
        return
    services = data.get("services")
    if isinstance(services, dict) or (
        compose_named and (not data or any(k in COMPOSE_TOP_KEYS or k.startswith("x-") for k in data))
    ):
        out.manifests.append(ComposeFile(doc, (), data))
        return
    if "metadata" in data and "spec" in data:
        out.diagnostics.append(
            Diagnostic(
                diag.MISSING_TYPE_META,
                source,
                doc.positions.root_span,
                "object has no apiVersion and no kind",
                doc,
            )
        )


def _add_k8s(
    doc: Document, data: dict[str, Any], api: str, kind: str, add: Callable[[Manifest], None]
) -> None:
    items = data.get("items")
    if kind.endswith("List") and isinstance(items, list):
        for i, item in enumerate(items):
            if (
                isinstance(item, dict)
                and isinstance(item.get("apiVersion"), str)
                and isinstance(item.get("kind"), str)
            ):
                add(K8sObject(doc, ("items", i), item, item["apiVersion"], item["kind"]))
        return
    add(K8sObject(doc, (), data, api, kind))


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return "an empty string"
    return (
        type(value).__name__
        if not isinstance(value, (dict, list))
        else ("a mapping" if isinstance(value, dict) else "a list")
    )
