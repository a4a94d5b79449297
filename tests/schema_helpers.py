"""Loading manifests and calling the schema layer directly, for the schema tests."""

from __future__ import annotations

import os
from typing import Any

from kubelint.rules.schema import kubernetes_schema_violation

from kubelint.classify import classify
from kubelint.discovery import Candidate, discover, read_text
from kubelint.loader import load_stream
from kubelint.model import Manifest, SourceFile
from kubelint.rule import RuleContext, Settings
from kubelint.workspace import Workspace


def load_manifests(paths: list[str], cwd: str) -> list[Manifest]:
    out: list[Manifest] = []
    for cand in discover(paths, cwd=cwd, exclude=[], exclude_root=cwd, stdin_name=None):
        assert isinstance(cand, Candidate)
        read = read_text(cand)
        if read.text is None:
            continue
        source = SourceFile(cand.display, read.text, cand.absolute)
        out.extend(classify(source, load_stream(read.text), is_chart_template=False).manifests)
    return out


def context(
    manifests: list[Manifest], *, version: str | None = None, strict: bool = True, cwd: str | None = None
) -> RuleContext:
    settings = Settings(kubernetes_version=version, extra={"strict": strict, "cwd": cwd or os.getcwd()})
    cache: dict[str, Any] = {}
    return RuleContext(kubernetes_schema_violation, {}, Workspace(manifests), settings, cache)
