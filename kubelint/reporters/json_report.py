"""JSON report, shape version 1 (documented in docs/json-output.md).

{
  "version": 1,
  "tool": {"name": "kubelint", "version": "0.1.0"},
  "summary": {"files": 3, "objects": 7, "findings": 2,
              "errors": 1, "warnings": 1, "infos": 0},
  "findings": [
    {"file": "k8s/app.yaml", "line": 19, "column": 18, "end_line": 19, "end_column": 30,
     "rule_id": "KL501", "rule_name": "latest-tag", "severity": "warning",
     "message": "...", "fix": "...",
     "object": {"apiVersion": "apps/v1", "kind": "Deployment",
                "namespace": null, "name": "web"},
     "path": "spec.template.spec.containers[0].image",
     "related": [{"message": "...", "file": "...", "line": 3, "column": 5}],
     "fingerprint": "..."}
  ]
}
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from kubelint.model import Finding, Severity
from kubelint.positions import Path
from kubelint.reporters.indented_json import dumps_indented

if TYPE_CHECKING:
    from kubelint.engine import RunResult
    from kubelint.reporters import ReportContext

SHAPE_VERSION = 1


def dotted(path: Path) -> str:
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        elif out:
            out += f".{p}" if p.replace("-", "_").replace("_", "a").isalnum() else f"[{json.dumps(p)}]"
        else:
            out = str(p)
    return out


def finding_dict(f: Finding) -> dict[str, Any]:
    span = f.span
    return {
        "file": f.file,
        "line": span.line if span else None,
        "column": span.column if span else None,
        "end_line": span.end_line if span else None,
        "end_column": span.end_column if span else None,
        "rule_id": f.rule_id,
        "rule_name": f.rule_name,
        "severity": f.severity.label,
        "message": f.message,
        "fix": f.fix,
        "object": f.object.as_dict() if f.object else None,
        "path": dotted(f.path),
        "related": [
            {
                "message": r.message,
                "file": r.file,
                "line": r.span.line if r.span else None,
                "column": r.span.column if r.span else None,
            }
            for r in f.related
        ],
        "fingerprint": f.fingerprint,
    }


def render(result: RunResult, ctx: ReportContext) -> str:
    document = {
        "version": SHAPE_VERSION,
        "tool": {"name": "kubelint", "version": ctx.tool_version},
        "summary": {
            "files": result.files,
            "objects": result.manifests,
            "findings": len(result.findings),
            "errors": result.count(Severity.ERROR),
            "warnings": result.count(Severity.WARNING),
            "infos": result.count(Severity.INFO),
        },
        "findings": [finding_dict(f) for f in result.findings],
    }
    return dumps_indented(document) + "\n"
