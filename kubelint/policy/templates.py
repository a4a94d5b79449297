"""Message templates: `container {{ item.name }} uses {{ value }}`.

A placeholder is `{{ PATH }}` where PATH starts with one of the variables below and
goes on in the path syntax (`{{ object.metadata.labels["app"] }}`).  A path that
reaches nothing renders as an empty string; strings render bare, other values as
compact JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from kubelint.policy.paths import Key, PathSyntaxError, parse_path, resolve

VARIABLES = {
    "object": "the whole object checked (for Compose policies: the service)",
    "kind": "the object's kind (ComposeService for Compose services)",
    "name": "the object's name (the service name for Compose)",
    "namespace": "the object's namespace (the run's default when it sets none)",
    "path": "where the finding is, e.g. spec.template.spec.containers[0].image",
    "value": "the value found at that path (empty when missing)",
    "item": "what the last wildcard of the path matched (a container for $containers)",
    "expected": "the operand of the failed check (the regex, the list, the limit)",
    "error": "what went wrong, as kubelint would say it without a template",
}

_PLACEHOLDER_RE = re.compile(r"\{\{\s*(.*?)\s*\}\}")


class TemplateError(ValueError):
    pass


def check_template(template: str) -> None:
    """Raise TemplateError if a placeholder is malformed or names an unknown variable."""
    for match in _PLACEHOLDER_RE.finditer(template):
        expression = match.group(1)
        try:
            segments = parse_path(expression)
        except PathSyntaxError as error:
            raise TemplateError(f"placeholder {match.group(0)!r}: {error}") from None
        first = segments[0]
        if not isinstance(first, Key) or first.name not in VARIABLES:
            raise TemplateError(
                f"placeholder {match.group(0)!r}: unknown variable (use one of {', '.join(VARIABLES)})"
            )


def render_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    try:
        return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)
    except (TypeError, ValueError):
        return str(value)


def render(template: str, variables: Mapping[str, Any]) -> str:
    def substitute(match: re.Match[str]) -> str:
        try:
            segments = parse_path(match.group(1))
        except PathSyntaxError:
            return match.group(0)
        reached = [r for r in resolve(dict(variables), segments) if r.found]
        if not reached:
            return ""
        return ", ".join(render_value(r.value) for r in reached)

    return " ".join(_PLACEHOLDER_RE.sub(substitute, template).split())
