"""GitHub Actions workflow commands: one annotation per finding.

    ::error file=k8s/app.yaml,line=19,col=18,endLine=19,endColumn=30,title=KL501 latest-tag::image ...

Data is escaped as the runner expects (`%`, CR, LF); property values also escape
`:` and `,`.  A summary line without a command follows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubelint.model import Finding, Severity

if TYPE_CHECKING:
    from kubelint.engine import RunResult
    from kubelint.reporters import ReportContext

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding) -> str:
    props = [("file", f.file)]
    if f.span is not None:
        span = f.span
        props += [("line", str(span.line)), ("col", str(span.column))]
        if span.end_line == span.line and span.end_column > span.column:
            props += [("endLine", str(span.end_line)), ("endColumn", str(span.end_column))]
        elif span.end_line > span.line:  # columns apply to one line only; drop an end at column 1
            props.append(("endLine", str(span.end_line - (span.end_column <= 1))))
    props.append(("title", f"{f.rule_id} {f.rule_name}"))
    message = f.message if not f.fix else f"{f.message}\n{f.fix}"
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{COMMANDS[f.severity]} {joined}::{escape_data(message)}"


def render(result: RunResult, ctx: ReportContext) -> str:
    lines = [annotation(f) for f in result.findings]
    total = len(result.findings)
    errors, warnings = result.count(Severity.ERROR), result.count(Severity.WARNING)
    lines.append(
        f"kubelint: {total} problem{'' if total == 1 else 's'} "
        f"({errors} error{'' if errors == 1 else 's'}, {warnings} warning{'' if warnings == 1 else 's'}, "
        f"{result.count(Severity.INFO)} info) in {result.files} file{'' if result.files == 1 else 's'}"
    )
    return "\n".join(lines) + "\n"
