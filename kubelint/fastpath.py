"""The `kubelint` entry point: common invocations without importing typer.

pre-commit runs `kubelint check FILE...` on every commit; importing typer (and
click, and what they pull in) takes longer than linting a small file.  This module
reads the arguments of the common cases itself — `kubelint --version` and
`kubelint check` with its documented options written out in full (`--format json`,
`--format=json`, `-f json`, paths anywhere) — and hands everything else (help, other
commands, a misspelled option, `-fjson`, a missing value) to the typer CLI, which
parses and reports exactly as before.  Both end in check_command.check_main(), so a
check behaves the same whichever read its arguments (tests/test_fastpath.py
compares them).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from collections.abc import Callable

# option -> (parameter, kind): "value" (last wins), "list" (repeatable), "flag"
_CHECK_OPTIONS: dict[str, tuple[str, str]] = {
    "--format": ("fmt", "value"),
    "-f": ("fmt", "value"),
    "--output": ("output", "value"),
    "-o": ("output", "value"),
    "--report": ("report", "list"),
    "--config": ("config_path", "value"),
    "-c": ("config_path", "value"),
    "--no-config": ("no_config", "flag"),
    "--select": ("select", "list"),
    "--extend-select": ("extend_select", "list"),
    "--ignore": ("ignore", "list"),
    "--exclude": ("exclude", "list"),
    "--fail-on": ("fail_on", "value"),
    "--kubernetes-version": ("kubernetes_version", "value"),
    "--namespace": ("namespace", "value"),
    "--color": ("color", "value"),
    "--no-frames": ("no_frames", "flag"),
    "--stdin-filename": ("stdin_filename", "value"),
    "--helm-values": ("helm_values", "list"),
    "--helm-set": ("helm_set", "list"),
    "--no-render": ("no_render", "flag"),
    "--policy": ("policy", "list"),
    "--baseline": ("baseline", "value"),
    "--write-baseline": ("write_baseline", "value"),
    "--context-path": ("context_paths", "list"),
    "--no-environment": ("no_environment", "flag"),
    "--jobs": ("jobs", "value"),
    "-j": ("jobs", "value"),
    "--context": ("frame_lines", "value"),
}


@dataclass
class CheckArguments:
    """The parameters of `kubelint check`, as the typer command receives them."""

    paths: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


def parse_check(args: list[str]) -> CheckArguments | None:
    """The arguments after `check`, or None when the typer CLI should handle them."""
    parsed = CheckArguments()
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "-" or not arg.startswith("-"):
            parsed.paths.append(arg)
            continue
        name, sep, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        spec = _CHECK_OPTIONS.get(name)
        if spec is None:
            return None  # --help, --, -fjson, a typo: typer says what is wrong
        parameter, kind = spec
        if kind == "flag":
            if sep:
                return None
            parsed.flags.add(parameter)
            continue
        if sep:
            value = inline
        else:
            if i >= len(args) or (args[i].startswith("-") and args[i] != "-"):
                return None  # a missing value (or one that looks like an option)
            value = args[i]
            i += 1
        if parameter == "frame_lines" and not value.isdigit():
            return None  # typer explains a bad number
        if kind == "list":
            parsed.lists.setdefault(parameter, []).append(value)
        else:
            parsed.values[parameter] = value
    frame_lines = parsed.values.get("frame_lines", "0")
    if not frame_lines.removeprefix("-").isdigit():
        return None  # typer says that --context takes a number
    return parsed


def run_parsed(parsed: CheckArguments, finish: Callable[[int], None] | None = None) -> int:
    from kubelint.check_command import Integration, check_main

    v, lists = parsed.values, parsed.lists
    frame_lines = int(v["frame_lines"]) if "frame_lines" in v else 0
    return check_main(
        parsed.paths or ["."],
        v.get("fmt"),
        v.get("output"),
        lists.get("report", []),
        v.get("config_path"),
        "no_config" in parsed.flags,
        lists.get("select"),
        lists.get("extend_select"),
        lists.get("ignore"),
        lists.get("exclude"),
        v.get("fail_on"),
        v.get("kubernetes_version"),
        v.get("namespace"),
        v.get("color", "auto"),
        "no_frames" in parsed.flags,
        v.get("stdin_filename"),
        (lists.get("helm_values", []), lists.get("helm_set", []), "no_render" in parsed.flags),
        lists.get("policy", []),
        Integration(v.get("baseline"), v.get("write_baseline"), lists.get("context_paths", []), frame_lines),
        "no_environment" in parsed.flags,
        v.get("jobs", "auto"),
        finish,
    )


def leave(code: int) -> NoReturn:
    """Exit at once with `code`, without freeing the run's objects one by one.

    A large run ends holding millions of small objects (the loaded YAML, its
    positions, the findings); letting the interpreter free them all costs 0.1-0.2 s
    on the benchmark workload for nothing.  The output streams are flushed first.
    """
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: nothing more can be said anyway
        pass
    os._exit(code)


def main() -> None:
    args = sys.argv[1:]
    if args == ["--version"]:
        from kubelint import __version__

        sys.stdout.write(f"kubelint {__version__}\n")
        raise SystemExit(0)
    if args and args[0] == "check":
        parsed = parse_check(args[1:])
        if parsed is not None:
            leave(run_parsed(parsed, leave))
    from kubelint.cli import main as typer_main

    typer_main()
