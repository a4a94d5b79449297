"""Human-readable report: one parseable line per finding, a code frame, a summary.

    k8s/app.yaml:19:18  warning  KL501 latest-tag  image "flask:latest" uses ...
       |
    19 |           image: flask:latest
       |                  ^^^^^^^^^^^^ pin a version or a digest

Colours are used only when the output is a terminal (and NO_COLOR is unset).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubelint.model import Finding, Severity

if TYPE_CHECKING:
    from kubelint.engine import RunResult
    from kubelint.reporters import ReportContext

_STYLES = {
    "error": "\x1b[1;31m",
    "warning": "\x1b[1;33m",
    "info": "\x1b[1;36m",
    "location": "\x1b[1m",
    "rule": "\x1b[35m",
    "dim": "\x1b[2m",
    "caret": "\x1b[1;31m",
    "fix": "\x1b[32m",
}
_RESET = "\x1b[0m"
MAX_FRAME_WIDTH = 160


class _Writer:
    def __init__(self, color: bool) -> None:
        self.color = color
        self.parts: list[str] = []

    def add(self, text: str, style: str | None = None) -> None:
        if self.color and style:
            self.parts.append(_STYLES[style] + text + _RESET)
        else:
            self.parts.append(text)

    def text(self) -> str:
        return "".join(self.parts)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _context_lines(out: _Writer, result: RunResult, file: str, numbers: range, width: int) -> None:
    for number in numbers:
        shown = result.shown_line(file, number)
        if shown is not None:
            out.add(f"{number:>{width}} | ", "dim")
            out.add(shown.replace("\t", " ")[:MAX_FRAME_WIDTH].rstrip() + "\n")


def _frame(out: _Writer, finding: Finding, result: RunResult, around: int = 0) -> None:
    span = finding.span
    shown = result.shown_line(finding.file, span.line) if span is not None else None
    if span is None or shown is None:
        return
    raw = shown.replace("\t", " ")
    start = max(span.column - 1, 0)
    if span.end_line == span.line and span.end_column > span.column:
        width = span.end_column - span.column
    else:
        width = max(len(raw.rstrip()) - start, 1)
    # Keep very long lines readable: show a window around the column.
    offset = 0
    if len(raw) > MAX_FRAME_WIDTH:
        offset = max(0, start - 40)
        raw = ("…" if offset else "") + raw[offset : offset + MAX_FRAME_WIDTH] + "…"
        start = start - offset + (1 if offset else 0)
        width = min(width, MAX_FRAME_WIDTH - start)
    last = span.line + around
    while last > span.line and result.shown_line(finding.file, last) is None:
        last -= 1
    gutter_width = len(str(last))
    gutter = f"{span.line:>{gutter_width}}"
    pad = " " * gutter_width
    out.add(f"{pad} |\n", "dim")
    _context_lines(out, result, finding.file, range(max(span.line - around, 1), span.line), gutter_width)
    out.add(f"{gutter} | ", "dim")
    out.add(raw.rstrip() + "\n")
    out.add(f"{pad} | ", "dim")
    out.add(" " * start)
    out.add("^" * max(width, 1), "caret")
    if finding.fix:
        out.add(" ")
        out.add(finding.fix, "fix")
    out.add("\n")
    _context_lines(out, result, finding.file, range(span.line + 1, last + 1), gutter_width)


def format_finding_line(finding: Finding) -> str:
    span = finding.span
    where = f"{finding.file}:{span.line}:{span.column}" if span else f"{finding.file}:1:1"
    return f"{where}  {finding.severity.label}  {finding.rule_id} {finding.rule_name}  {finding.message}"


def render(result: RunResult, ctx: ReportContext) -> str:
    out = _Writer(ctx.color)
    for f in result.findings:
        span = f.span
        where = f"{f.file}:{span.line}:{span.column}" if span else f"{f.file}:1:1"
        out.add(where, "location")
        out.add("  ")
        out.add(f.severity.label, f.severity.label)
        out.add("  ")
        out.add(f"{f.rule_id} {f.rule_name}", "rule")
        out.add(f"  {f.message}\n")
        source = result.sources.get(f.file)
        if ctx.show_frames and source is not None and source.text:
            _frame(out, f, result, ctx.frame_lines)
        elif f.fix:
            out.add("   = help: ", "dim")
            out.add(f.fix + "\n", "fix")
        for rel in f.related:
            where_rel = f"{rel.file}:{rel.span.line}:{rel.span.column}" if rel.span else rel.file
            out.add(f"   = note: {rel.message} ({where_rel})\n", "dim")
    out.add(_summary(result, timed=ctx.color))
    return out.text()


def _summary(result: RunResult, *, timed: bool) -> str:
    """The closing line; the duration only on a terminal, so reports stay reproducible."""
    counts = [
        (result.count(Severity.ERROR), "error"),
        (result.count(Severity.WARNING), "warning"),
        (result.count(Severity.INFO), "info"),
    ]
    scope = f"in {_plural(result.files, 'file')}, {_plural(result.manifests, 'object')}"
    scope += f", {result.duration:.2f} s." if timed else "."
    total = len(result.findings)
    if not total:
        return f"No problems found {scope}\n"
    detail = ", ".join(_plural(n, w) if w != "info" else f"{n} info" for n, w in counts if n)
    return f"\nFound {_plural(total, 'problem')} ({detail}) {scope}\n"
