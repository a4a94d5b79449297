"""SARIF 2.1.0 report, for GitHub code scanning and other SARIF viewers.

One run.  `tool.driver.rules` lists every rule of the catalogue (so `ruleIndex`
is stable whatever was selected) with its documentation; each result points at
a repository-relative file (`uriBaseId` `%SRCROOT%`) and a region, carries the
finding's stable fingerprint in `partialFingerprints` (so alerts survive lines
moving), and the other side of a cross-resource finding as `relatedLocations`.
Problems of the run itself (unreadable files, render errors, internal errors) are
also listed as `toolExecutionNotifications` of the invocation.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from kubelint.fingerprints import FINGERPRINT_VERSION, finding_hash
from kubelint.model import Finding, Severity
from kubelint.positions import Span
from kubelint.reporters.indented_json import dumps_indented
from kubelint.rule import Rule
from kubelint.rule_docs import REPOSITORY_URL, rule_doc_url, section

if TYPE_CHECKING:
    from kubelint.engine import RunResult
    from kubelint.reporters import ReportContext

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = f"kubelintFingerprint/v{FINGERPRINT_VERSION}"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub shows `problem.severity` for rules without `security-severity`.
PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}
# Findings about the run itself rather than about a manifest: also tool notifications.
RUN_PROBLEM_RULES = frozenset({"KL003", "KL030", "KL031", "KL099"})
INTERNAL_ERROR_RULE = "KL099"
BUILT_IN_PREFIX = "KL"  # custom policies (ACME001) have no page under docs/rules
MAX_TEXT = 1000  # GitHub truncates descriptions beyond 1024 characters


def repository_root(cwd: str) -> str:
    """The nearest directory at or above `cwd` holding `.git` (else `cwd`)."""
    here = os.path.abspath(cwd)
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return os.path.abspath(cwd)
        here = parent


def artifact_location(file: str, cwd: str, root: str) -> dict[str, Any]:
    """A repository-relative `uri` with `%SRCROOT%`, or an absolute file URI outside it."""
    if file.startswith("<"):  # standard input without --stdin-filename
        return {"uri": quote(file, safe="")}
    absolute = os.path.abspath(os.path.join(cwd, file))
    relative = os.path.relpath(absolute, root)
    if relative.startswith(".."):
        return {"uri": "file://" + quote(absolute.replace(os.sep, "/"), safe="/:")}
    return {"uri": quote(relative.replace(os.sep, "/"), safe="/"), "uriBaseId": SRCROOT}


def region(span: Span | None) -> dict[str, int]:
    if span is None:
        return {"startLine": 1}
    out = {"startLine": max(span.line, 1), "startColumn": max(span.column, 1)}
    if (span.end_line, span.end_column) > (span.line, span.column):
        out["endLine"] = span.end_line
        out["endColumn"] = max(span.end_column, 1)
    return out


def _short(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def rule_descriptor(r: Rule) -> dict[str, Any]:
    tags = [r.category]
    properties: dict[str, Any] = {"problem.severity": PROBLEM_SEVERITY[r.severity]}
    if r.security_severity is not None and "security" not in tags:
        tags.append("security")
    if r.security_severity is not None:
        properties["security-severity"] = f"{r.security_severity:.1f}"
    properties["tags"] = tags
    full = " ".join(section(r.docs, "What it does").split())
    return {
        "id": r.id,
        "name": r.name,
        "shortDescription": {"text": _short(r.summary or r.name)},
        "fullDescription": {"text": _short(full or r.summary or r.name)},
        "help": {"text": r.docs or r.summary, "markdown": r.docs or r.summary},
        **({"helpUri": rule_doc_url(r.id)} if r.id.startswith(BUILT_IN_PREFIX) else {}),
        "defaultConfiguration": {
            "enabled": r.default_enabled,
            "level": LEVELS[r.severity],
        },
        "properties": properties,
    }


class _Locations:
    def __init__(self, cwd: str) -> None:
        self.cwd = cwd
        self.root = repository_root(cwd)

    def physical(self, file: str, span: Span | None) -> dict[str, Any]:
        return {
            "physicalLocation": {
                "artifactLocation": artifact_location(file, self.cwd, self.root),
                "region": region(span),
            }
        }


def result(f: Finding, index: int | None, places: _Locations, occurrence: int = 1) -> dict[str, Any]:
    text = f.message if not f.fix else f"{f.message}. Fix: {f.fix}"
    location = places.physical(f.file, f.span)
    if f.object is not None and f.object.name:
        kind = f.object.kind
        location["logicalLocations"] = [
            {
                "name": f.object.name,
                "fullyQualifiedName": "/".join(x for x in (f.object.namespace, kind, f.object.name) if x),
                "kind": "object",
            }
        ]
    out: dict[str, Any] = {"ruleId": f.rule_id}
    if index is not None:
        out["ruleIndex"] = index
    out.update(
        {
            "level": LEVELS[f.severity],
            "message": {"text": text},
            "locations": [location],
            # ":n" tells apart findings that are otherwise identical (GitHub's own style).
            "partialFingerprints": {FINGERPRINT_KEY: f"{finding_hash(f)}:{occurrence}"},
        }
    )
    if f.related:
        out["relatedLocations"] = [
            {**places.physical(rel.file, rel.span), "id": number, "message": {"text": rel.message}}
            for number, rel in enumerate(f.related, start=1)
        ]
    return out


def _occurrences(findings: list[Finding]) -> list[int]:
    """1 for the first finding with a given identity, 2 for the second, ..."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        key = finding_hash(f)
        seen[key] = seen.get(key, 0) + 1
        out.append(seen[key])
    return out


def render(result_: RunResult, ctx: ReportContext) -> str:
    rules = list(ctx.registry)
    index = {r.id: i for i, r in enumerate(rules)}
    places = _Locations(ctx.cwd)
    notifications = [
        {
            "level": LEVELS[f.severity] if f.severity is not Severity.INFO else "note",
            "message": {"text": f.message},
            "locations": [places.physical(f.file, f.span)],
            "associatedRule": {"id": f.rule_id, "index": index[f.rule_id]}
            if f.rule_id in index
            else {"id": f.rule_id},
        }
        for f in result_.findings
        if f.rule_id in RUN_PROBLEM_RULES
    ]
    invocation: dict[str, Any] = {
        "executionSuccessful": not any(f.rule_id == INTERNAL_ERROR_RULE for f in result_.findings),
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run = {
        "tool": {
            "driver": {
                "name": "kubelint",
                "version": ctx.tool_version,
                "semanticVersion": ctx.tool_version,
                "informationUri": REPOSITORY_URL,
                "rules": [rule_descriptor(r) for r in rules],
            }
        },
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",
        "results": [
            result(f, index.get(f.rule_id), places, n)
            for f, n in zip(result_.findings, _occurrences(result_.findings), strict=True)
        ],
    }
    document = {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}
    return dumps_indented(document) + "\n"
