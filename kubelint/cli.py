"""The `kubelint` command line.

Imports are kept inside the commands: pre-commit runs kubelint on every commit, so
start-up time matters.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from kubelint import __version__
from kubelint.check_command import (  # noqa: F401 - re-exported for tests and tools
    EXIT_CLEAN,
    EXIT_ERROR,
    EXIT_FINDINGS,
    Integration,
    build_registry,
    settings_from_config,
)

if TYPE_CHECKING:
    from kubelint.registry import Registry

app = typer.Typer(
    name="kubelint",
    help="Lint Kubernetes manifests and Docker Compose files: schemas, cross-resource "
    "references, resources, probes, secrets and port clashes, with exact positions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _fail(message: str) -> typer.Exit:
    sys.stderr.write(f"kubelint: {message}\n")
    return typer.Exit(EXIT_ERROR)


def _version_callback(value: bool) -> None:
    if value:
        sys.stdout.write(f"kubelint {__version__}\n")
        raise typer.Exit(EXIT_CLEAN)


@app.callback()
def main_callback(
    version: Annotated[
        Optional[bool],  # noqa: UP045 - typer needs Optional here
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Show the version."),
    ] = None,
) -> None:
    """kubelint command line."""


@app.command()
def check(
    paths: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Argument(help="Files or directories to lint; - reads standard input."),
    ] = None,
    fmt: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--format", "-f", help="Output format: text, json, sarif or github."),
    ] = None,
    output: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--output", "-o", help="Write the report to this file instead of stdout."),
    ] = None,
    report: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--report",
            help="Extra report as FORMAT=FILE (repeatable), e.g. --report sarif=kubelint.sarif.",
        ),
    ] = None,
    config_path: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--config",
            "-c",
            help="Configuration file (default: .kubelint.yaml "
            "or pyproject.toml found from the working directory upwards).",
        ),
    ] = None,
    no_config: Annotated[bool, typer.Option("--no-config", help="Ignore configuration files.")] = False,
    select: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--select", help="Rules to run (ids, id prefixes, names, or ALL); replaces the config's."
        ),
    ] = None,
    extend_select: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--extend-select", help="Rules to run in addition to the selected ones."),
    ] = None,
    ignore: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--ignore", help="Rules not to run (added to the config's)."),
    ] = None,
    exclude: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--exclude", help="Gitignore-style glob of paths to skip (repeatable)."),
    ] = None,
    fail_on: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--fail-on",
            help="Lowest severity that makes the exit code 1: error, warning (default), info or never.",
        ),
    ] = None,
    kubernetes_version: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--kubernetes-version", help="Kubernetes version to validate against (default: newest shipped)."
        ),
    ] = None,
    namespace: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--namespace", help="Namespace of objects that set none (default: default)."),
    ] = None,
    color: Annotated[
        str, typer.Option("--color", help="Colour the text report: auto, always or never.")
    ] = "auto",
    no_frames: Annotated[
        bool, typer.Option("--no-frames", help="Text report without source code frames.")
    ] = False,
    stdin_filename: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--stdin-filename", help="Name to show for standard input (and to classify it by)."),
    ] = None,
    helm_values: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--helm-values", help="Values file for every Helm chart of the run (repeatable, like helm -f)."
        ),
    ] = None,
    helm_set: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--helm-set", help="Value for every Helm chart, like helm --set a.b=c (repeatable)."),
    ] = None,
    no_render: Annotated[
        bool, typer.Option("--no-render", help="Do not render Helm charts or build kustomizations.")
    ] = False,
    policy: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--policy", help="Custom policy file or directory (repeatable; adds to policy-rules)."),
    ] = None,
    baseline: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--baseline", help="Report only findings that are not in this baseline file."),
    ] = None,
    write_baseline: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--write-baseline", help="Record the current findings in this baseline file."),
    ] = None,
    context_paths: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--context-path",
            help="Also load PATH (repeatable) for cross-resource checks, but report only "
            "findings in the PATH arguments (used by the pre-commit hook).",
        ),
    ] = None,
    frame_lines: Annotated[
        int, typer.Option("--context", help="Lines of source shown around each finding in text output.")
    ] = 0,
    no_environment: Annotated[
        bool,
        typer.Option(
            "--no-environment",
            help="Compose interpolation ignores the process environment (only .env files): reproducible CI.",
        ),
    ] = False,
    jobs: Annotated[
        str,
        typer.Option(
            "--jobs",
            "-j",
            help="Processes for the rules: a number, or auto (all cores for large runs; the default).",
        ),
    ] = "auto",
) -> None:
    """Lint files and directories; exit 0 when clean, 1 with findings, 2 on errors."""
    from kubelint.check_command import check_main

    raise typer.Exit(
        check_main(
            paths or ["."],
            fmt,
            output,
            report or [],
            config_path,
            no_config,
            select,
            extend_select,
            ignore,
            exclude,
            fail_on,
            kubernetes_version,
            namespace,
            color,
            no_frames,
            stdin_filename,
            (helm_values or [], helm_set or [], no_render),
            policy or [],
            Integration(baseline, write_baseline, context_paths or [], frame_lines),
            no_environment,
            jobs,
        )
    )


def _registry_with_policies(policy_paths: list[str]) -> Registry:
    """The registry with the policies of the configuration and of --policy."""
    from kubelint.config import ConfigError
    from kubelint.policy.setup import PolicyLoadError, prepare_run

    try:
        return prepare_run(None, os.getcwd(), policy_paths=policy_paths)[0]
    except ConfigError as error:
        raise _fail(str(error)) from None
    except PolicyLoadError as error:
        raise _fail("invalid policy:\n" + str(error)) from None


@app.command("rules")
def list_rules(
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
    policy: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--policy", help="Also list the policies of this file or directory (repeatable)."),
    ] = None,
) -> None:
    """List every rule: id, name, default on/off, severity and summary."""
    registry = _registry_with_policies(policy or [])
    if fmt == "json":
        import json

        data = [
            {
                "id": r.id,
                "name": r.name,
                "severity": r.severity.label,
                "default": r.default_enabled,
                "summary": r.summary,
                "options": {k: {"default": o.default, "help": o.help} for k, o in r.options.items()},
            }
            for r in registry
        ]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    if fmt != "text":
        raise _fail("--format: expected text or json")
    width = max(len(r.name) for r in registry)
    for r in registry:
        state = "on " if r.default_enabled else "off"
        sys.stdout.write(f"{r.id}  {r.name:<{width}}  {state}  {r.severity.label:<7}  {r.summary}\n")


@app.command()
def explain(
    rule_id: Annotated[str, typer.Argument(help="Rule id or name, e.g. KL501 or latest-tag.")],
    policy: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--policy", help="Policy file or directory to look in too (repeatable)."),
    ] = None,
) -> None:
    """Show a rule's documentation."""
    registry = _registry_with_policies(policy or [])
    r = registry.get(rule_id)
    if r is None:
        raise _fail(registry.unknown_selector_message(rule_id))
    default = "on by default" if r.default_enabled else "off by default (opt-in)"
    sys.stdout.write(f"# {r.id} {r.name}\n\nSeverity: {r.severity.label}; {default}.\n\n{r.docs}\n")
    if r.options:
        sys.stdout.write("\n## Options\n")
        for name, opt in r.options.items():
            sys.stdout.write(f"- `{name}` (default `{opt.default!r}`): {opt.help}\n")


def _register_policy_commands() -> None:
    from kubelint.policy_cli import policy_app

    app.add_typer(policy_app, name="policy")


_register_policy_commands()


def main() -> None:
    try:
        app(prog_name="kubelint")
    except SystemExit as done:
        code = done.code
        # click reports usage errors with exit code 2 already.
        raise SystemExit(code if isinstance(code, int) else (0 if code is None else EXIT_ERROR)) from None
