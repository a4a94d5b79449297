"""`kubelint policy test [PATH]` and `kubelint policy schema`."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Optional

import typer

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2

policy_app = typer.Typer(
    help="Custom policies: run their examples, print their JSON Schema.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@policy_app.command("test")
def test_policies(
    paths: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Argument(
            help="Policy files or directories (default: the policy-rules of the configuration, "
            "else ./policies)."
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List passing examples too.")] = False,
) -> None:
    """Run every policy on its own `examples:` (pass ones must give no finding, fail
    ones at least one).  Exit 0 when all behave, 1 when one does not, 2 when a policy
    is broken or none is found."""
    from kubelint.policy.examples import run_examples
    from kubelint.policy.loader import load_policies

    cwd = os.getcwd()
    targets = list(paths or []) or _configured_paths(cwd)
    loaded = load_policies(targets, cwd)
    if loaded.errors:
        for error in loaded.errors:
            sys.stderr.write(f"{error}\n")
        sys.stderr.write(
            f"kubelint: {len(loaded.errors)} broken polic{'y' if len(loaded.errors) == 1 else 'ies'}\n"
        )
        raise typer.Exit(EXIT_ERROR)
    if not loaded.policies:
        sys.stderr.write(f"kubelint: no policy found in {', '.join(targets)}\n")
        raise typer.Exit(EXIT_ERROR)
    failed = 0
    examples = 0
    untested = []
    for policy in loaded.policies:
        results = run_examples(policy)
        if not results:
            untested.append(policy)
        for result in results:
            examples += 1
            if not result.ok:
                failed += 1
            if verbose or not result.ok:
                sys.stdout.write(f"{result}\n")
    for policy in untested:
        sys.stdout.write(f"warn {policy.id} {policy.name} ({policy.file}:{policy.line}): no examples\n")
    count = len(loaded.policies)
    summary = (
        f"{count} polic{'y' if count == 1 else 'ies'}, {examples} example{'' if examples == 1 else 's'}: "
        f"{examples - failed} behaved, {failed} did not"
    )
    sys.stdout.write(summary + "\n")
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)


def _configured_paths(cwd: str) -> list[str]:
    from kubelint.config import ConfigError, find_config, read_config_file

    try:
        path = find_config(cwd)
        raw = read_config_file(path) if path else {}
    except ConfigError as error:
        sys.stderr.write(f"kubelint: {error}\n")
        raise typer.Exit(EXIT_ERROR) from None
    root = os.path.dirname(path) if path else cwd
    configured: list[object] = []
    for key in ("policy-rules", "policies"):  # policies: may also hold inline policies
        value = raw.get(key) or []
        configured += value if isinstance(value, list) else [value]
    found = [os.path.join(root, p) for p in configured if isinstance(p, str)]
    return found or ["policies"]


@policy_app.command("schema")
def print_schema() -> None:
    """Print the JSON Schema of the policy format (for editors: yaml-language-server)."""
    import json

    from kubelint.policy.loader import policy_schema

    sys.stdout.write(json.dumps(policy_schema(), indent=2) + "\n")
