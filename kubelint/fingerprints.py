"""Stable identities of findings, for baselines and SARIF `partialFingerprints`.

A finding is identified by its rule, its file, the object it is about (kind,
namespace, name), the rule's own content fingerprint (by default the path of the
node inside the object) and its message with line numbers taken out.  Line and
column numbers never enter it, so inserting or deleting lines elsewhere in a file
does not change it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from kubelint.model import Finding
from kubelint.positions import Path

FINGERPRINT_VERSION = 1

# Places where messages mention positions: "(line 5)", "lines 3-9", "file.yaml:12:3".
_LINE_MENTIONS = re.compile(
    r"\b(lines?|line:|col(?:umn)?s?)\s*\d+(?:\s*[-–]\s*\d+)?|(?<=\.yaml|\.json)(?::\d+){1,2}\b|(?<=\.yml|\.env)(?::\d+){1,2}\b"
)


def normalise_message(message: str) -> str:
    """The message with line and column numbers replaced, so they do not count."""
    return _LINE_MENTIONS.sub(lambda m: (m.group(1) + " #") if m.group(1) else ":#", message)


def finding_identity(finding: Finding) -> str:
    """The readable identity of a finding (what the hash is taken of)."""
    return "\x1f".join(
        (finding.rule_id, finding.file, finding.fingerprint, normalise_message(finding.message))
    )


def finding_hash(finding: Finding) -> str:
    """A short, stable hash of `finding_identity` (hex, 32 characters)."""
    return hashlib.sha256(finding_identity(finding).encode("utf-8")).hexdigest()[:32]


def stable_path(data: Any, path: Path) -> str:
    """The path as a fingerprint: list items that have a `name` (containers, env
    variables, ports, volumes) are named rather than numbered, so inserting an item
    above them does not change the fingerprint."""
    parts: list[str] = []
    node = data
    for element in path:
        child = None
        if isinstance(element, int) and isinstance(node, list) and 0 <= element < len(node):
            child = node[element]
            name = child.get("name") if isinstance(child, dict) else None
            parts.append(f"name={name}" if isinstance(name, str) and name else str(element))
        else:
            if isinstance(node, dict):
                child = node.get(element)
            parts.append(str(element))
        node = child
    return "/".join(parts)
