"""Baselines: record today's findings, report only new ones from then on.

    kubelint check --write-baseline .kubelint-baseline.json k8s/
    kubelint check --baseline .kubelint-baseline.json k8s/

An entry matches a finding by its stable identity (rule, file, object, the rule's
content fingerprint and the message without line numbers; see
`kubelint.fingerprints`), never by line, so lines inserted or removed elsewhere do
not bring old findings back.  Entries are counted: if a file had two identical
findings and now has three, one is reported.  File names are stored relative to
the baseline file's directory, so the baseline works from any working directory.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter
from typing import Any

from kubelint.fingerprints import FINGERPRINT_VERSION, finding_hash
from kubelint.model import Finding

BASELINE_VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read or written (a usage error)."""


def _relative_to(finding: Finding, cwd: str, directory: str) -> Finding:
    if finding.file.startswith("<"):
        return finding
    absolute = os.path.abspath(os.path.join(cwd, finding.file))
    relative = os.path.relpath(absolute, directory).replace(os.sep, "/")
    # Compose and diagnostic fingerprints name the file as shown: rename it there too.
    parts = [relative if part == finding.file else part for part in finding.fingerprint.split("|")]
    return dataclasses.replace(finding, file=relative, fingerprint="|".join(parts))


def _key(finding: Finding, cwd: str, baseline_path: str) -> str:
    directory = os.path.dirname(os.path.abspath(os.path.join(cwd, baseline_path)))
    return finding_hash(_relative_to(finding, cwd, directory))


def _object(finding: Finding) -> str | None:
    o = finding.object
    if o is None:
        return None
    return "/".join(x for x in (o.namespace, o.kind, o.name) if x)


def baseline_document(findings: list[Finding], cwd: str, baseline_path: str) -> dict[str, Any]:
    directory = os.path.dirname(os.path.abspath(os.path.join(cwd, baseline_path)))
    entries = []
    for f in findings:
        shown = _relative_to(f, cwd, directory)
        entries.append(
            {
                "rule_id": f.rule_id,
                "file": shown.file,
                "object": _object(f),
                "message": f.message,
                "fingerprint": finding_hash(shown),
            }
        )
    entries.sort(key=lambda e: (e["file"], e["rule_id"], e["fingerprint"]))
    return {
        "kubelint_baseline": BASELINE_VERSION,
        "fingerprint_version": FINGERPRINT_VERSION,
        "findings": entries,
    }


def write_baseline(path: str, findings: list[Finding], cwd: str) -> None:
    document = baseline_document(findings, cwd, path)
    try:
        target = os.path.join(cwd, path)
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
        with open(target, "w", encoding="utf-8", newline="\n") as handle:
            json.dump(document, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
    except OSError as error:
        raise BaselineError(f"cannot write baseline {path}: {error.strerror or error}") from None


def read_baseline(path: str, cwd: str) -> Counter[str]:
    """The fingerprints of a baseline file, with how often each occurs."""
    try:
        with open(os.path.join(cwd, path), encoding="utf-8") as handle:
            document = json.load(handle)
    except OSError as error:
        raise BaselineError(f"cannot read baseline {path}: {error.strerror or error}") from None
    except ValueError as error:
        raise BaselineError(f"baseline {path} is not valid JSON: {error}") from None
    if not isinstance(document, dict) or document.get("kubelint_baseline") != BASELINE_VERSION:
        raise BaselineError(f"{path} is not a kubelint baseline (version {BASELINE_VERSION})")
    if document.get("fingerprint_version") != FINGERPRINT_VERSION:
        raise BaselineError(f"baseline {path} was written by another kubelint version; write it again")
    entries = document.get("findings")
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("fingerprint"), str) for e in entries
    ):
        raise BaselineError(f"baseline {path}: `findings` must be a list of entries with a fingerprint")
    return Counter(e["fingerprint"] for e in entries)


def new_findings(findings: list[Finding], known: Counter[str], cwd: str, baseline_path: str) -> list[Finding]:
    """The findings the baseline does not account for (order kept)."""
    left = Counter(known)
    out = []
    for f in findings:
        key = _key(f, cwd, baseline_path)
        if left[key] > 0:
            left[key] -= 1
        else:
            out.append(f)
    return out


def apply_baseline(
    findings: list[Finding], read_path: str | None, write_path: str | None, cwd: str
) -> list[Finding]:
    """Record every finding in `write_path` (then none is new), or keep those that the
    baseline `read_path` does not hold."""
    if write_path:
        write_baseline(write_path, findings, cwd)
        return []
    if read_path:
        return new_findings(findings, read_baseline(read_path, cwd), cwd, read_path)
    return findings
