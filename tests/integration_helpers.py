"""Shared helpers for the integration tests (SARIF, GitHub, baseline, hook, action)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "flask")


def kubelint(
    *args: str, cwd: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "kubelint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        timeout=120,
        check=False,
    )


def example_repository(tmp_path: Path) -> Path:
    """A copy of examples/flask in a directory that looks like a Git checkout."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    (repo / ".git").mkdir()
    return repo


def github_code_scanning_problems(sarif: dict[str, Any], root: Path) -> list[str]:
    """What GitHub code scanning would reject or mis-read in a SARIF upload.

    From GitHub's "SARIF support for code scanning": at most 20 runs and 25,000
    results per run; every result needs a ruleId and message text; locations
    (at most 1,000) carry a physical location whose uri is relative to the
    repository root and a region with startLine >= 1; `security-severity` is a
    number from 0.0 to 10.0 written as a string; at most 20 tags per rule.
    """
    problems: list[str] = []
    if sarif.get("version") != "2.1.0":
        problems.append("version must be 2.1.0")
    runs = sarif.get("runs") or []
    if not 1 <= len(runs) <= 20:
        problems.append("1 to 20 runs")
    for run in runs:
        driver = run["tool"]["driver"]
        rules = driver.get("rules", [])
        if not driver.get("name"):
            problems.append("tool.driver.name is required")
        ids = [r["id"] for r in rules]
        if len(ids) != len(set(ids)):
            problems.append("rule ids must be unique")
        for r in rules:
            if len(r["id"]) > 255:
                problems.append(f"{r['id']}: rule id too long")
            props = r.get("properties", {})
            if len(props.get("tags", [])) > 20:
                problems.append(f"{r['id']}: more than 20 tags")
            if "security-severity" in props:
                value = props["security-severity"]
                if not isinstance(value, str) or not 0.0 <= float(value) <= 10.0:
                    problems.append(f"{r['id']}: security-severity must be a string 0.0-10.0")
                if "security" not in props.get("tags", []):
                    problems.append(f"{r['id']}: security rules need the security tag")
            if not r.get("help", {}).get("text") or not str(r.get("helpUri", "")).startswith("https://"):
                problems.append(f"{r['id']}: help text and an https helpUri expected")
            if len(r["shortDescription"]["text"]) > 1024 or len(r["fullDescription"]["text"]) > 1024:
                problems.append(f"{r['id']}: description longer than 1024 characters")
        results = run.get("results", [])
        if len(results) > 25000:
            problems.append("more than 25,000 results")
        seen_fingerprints: set[tuple[str, str]] = set()
        for res in results:
            rid = res.get("ruleId")
            where = f"result {rid}"
            if not rid:
                problems.append("result without ruleId")
            if "ruleIndex" in res and rules[res["ruleIndex"]]["id"] != rid:
                problems.append(f"{where}: ruleIndex points at another rule")
            if res.get("level") not in ("error", "warning", "note", "none"):
                problems.append(f"{where}: bad level")
            if not res.get("message", {}).get("text"):
                problems.append(f"{where}: message.text required")
            locations = res.get("locations", [])
            if not 1 <= len(locations) <= 1000:
                problems.append(f"{where}: 1 to 1000 locations")
            for loc in locations + res.get("relatedLocations", []):
                physical = loc["physicalLocation"]
                uri = physical["artifactLocation"]["uri"]
                if "://" in uri or uri.startswith("/"):
                    problems.append(f"{where}: uri {uri} is not repository-relative")
                elif not (root / unquote(uri)).is_file():
                    problems.append(f"{where}: {uri} is no file of the repository")
                region = physical.get("region", {})
                if region.get("startLine", 0) < 1:
                    problems.append(f"{where}: region.startLine >= 1 required")
                if region.get("endLine", region.get("startLine")) < region.get("startLine", 0):
                    problems.append(f"{where}: endLine before startLine")
            fingerprint = (rid or "", str(sorted(res.get("partialFingerprints", {}).items())))
            if not res.get("partialFingerprints"):
                problems.append(f"{where}: no partialFingerprints")
            elif fingerprint in seen_fingerprints:
                problems.append(f"{where}: two results share a fingerprint (GitHub would merge them)")
            seen_fingerprints.add(fingerprint)
    return problems
