"""Mapping lines of rendered output back to the template that produced them.

Lines that a template writes literally (no `{{ }}` on them) are found exactly by a
diff of the two texts; a templated line that renders to exactly one line is mapped to
its template line as well (the key is usually written literally there).  Lines of a
block a template expression produced (`toYaml`, `range`, `include`) map to that
expression's line, which is where the user changes them.  Every rendered line maps
somewhere; `exact` says whether the template line is the rendered one.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LineTarget:
    line: int  # 1-based template line
    exact: bool  # the template line is the rendered line, character for character


def map_lines(template: list[str], rendered: list[str]) -> dict[int, LineTarget]:
    """1-based rendered line -> template line, for the lines that can be traced."""
    norm_t = [t.rstrip() for t in template]
    norm_r = [r.rstrip() for r in rendered]
    matcher = difflib.SequenceMatcher(None, norm_t, norm_r, autojunk=False)
    out: dict[int, LineTarget] = {}
    last = LineTarget(1, False)
    for tag, t1, t2, r1, r2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(r2 - r1):
                last = out[r1 + k + 1] = LineTarget(t1 + k + 1, True)
        elif tag == "replace" and t2 - t1 == r2 - r1:
            for k in range(r2 - r1):
                last = out[r1 + k + 1] = LineTarget(t1 + k + 1, False)
        elif r2 > r1:
            templated = [i for i in range(t1, t2) if "{{" in norm_t[i]]
            anchor = LineTarget(templated[0] + 1, False) if templated else LineTarget(last.line, False)
            for k in range(r2 - r1):
                out[r1 + k + 1] = anchor
            last = anchor
    return out


def column_in_template(template_line: str, rendered_line: str, column: int) -> int:
    """The template column for a rendered column, when the text before it is the
    same in both lines (the key, say); otherwise the first non-blank column."""
    prefix = rendered_line[: column - 1]
    if template_line.startswith(prefix):
        return column
    return len(template_line) - len(template_line.lstrip()) + 1
