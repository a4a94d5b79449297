"""`kubelint check` without the command-line framework.

The typer CLI (cli.py) and the fast entry point (fastpath.py) both call check_main(),
so a check behaves the same whichever parsed its arguments.  Nothing here imports
typer: pre-commit starts kubelint on every commit, and typer alone costs more to
import than linting a small file.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kubelint import __version__

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from kubelint.config import Config
    from kubelint.registry import Registry
    from kubelint.rule import Rule, Settings

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True)
class Integration:
    """Options for CI and hooks: baseline files, context paths, code frame size."""

    baseline: str | None = None
    write_baseline: str | None = None
    context_paths: list[str] = field(default_factory=list)
    frame_lines: int = 0


class CheckFailed(Exception):
    """A usage or input problem: reported as `kubelint: <message>`, exit code 2."""


def build_registry(extra: Sequence[Rule] = ()) -> Registry:
    """The built-in rules, plus `extra` ones (custom policies)."""
    from importlib import import_module

    from kubelint.diagnostics import DIAGNOSTICS
    from kubelint.registry import Registry

    catalogue = import_module("kubelint.rules")  # the built-in rules (rules/ in the repo)
    return Registry([*DIAGNOSTICS, *catalogue.all_rules(), *extra])


def _split(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or ():
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def check_main(
    paths: list[str],
    fmt: str | None,
    output: str | None,
    reports: list[str],
    config_path: str | None,
    no_config: bool,
    select: list[str] | None,
    extend_select: list[str] | None,
    ignore: list[str] | None,
    exclude: list[str] | None,
    fail_on: str | None,
    kubernetes_version: str | None,
    namespace: str | None,
    color: str,
    no_frames: bool,
    stdin_filename: str | None,
    render: tuple[list[str], list[str], bool] = ([], [], False),
    policy_paths: Sequence[str] = (),
    integration: Integration | None = None,
    no_environment: bool = False,
    jobs: str = "auto",
    finish: Callable[[int], None] | None = None,
) -> int:
    """Run a check and return its exit code; never a traceback for the user.

    `finish`, if given, is called with the exit code while the run's data is still
    alive: the console entry point exits there, without freeing it (fastpath.leave)."""
    try:
        return run_check(
            paths,
            fmt,
            output,
            reports,
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
            render,
            policy_paths,
            integration,
            no_environment,
            jobs,
            finish,
        )
    except CheckFailed as failed:
        sys.stderr.write(f"kubelint: {failed}\n")
    except KeyboardInterrupt:
        sys.stderr.write("kubelint: interrupted\n")
    except Exception as error:  # never a traceback for the user
        if os.environ.get("KUBELINT_DEBUG"):
            raise
        # The exception's text may quote input (a secret value): name only its type and
        # where it happened (an ImportError's text names a module, never input).
        detail = f": {error}" if isinstance(error, ImportError) else ""
        sys.stderr.write(
            f"kubelint: internal error: {type(error).__name__}{detail}{_where(error)}; please report this\n"
        )
    return EXIT_ERROR


def _where(error: BaseException) -> str:
    """` at module.py:123`: the innermost kubelint frame of a traceback."""
    import traceback

    frames = [f for f in traceback.extract_tb(error.__traceback__) if "kubelint" in f.filename]
    if not frames:
        return ""
    return f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}"


def run_check(
    paths: list[str],
    fmt: str | None,
    output: str | None,
    reports: list[str],
    config_path: str | None,
    no_config: bool,
    select: list[str] | None,
    extend_select: list[str] | None,
    ignore: list[str] | None,
    exclude: list[str] | None,
    fail_on: str | None,
    kubernetes_version: str | None,
    namespace: str | None,
    color: str,
    no_frames: bool,
    stdin_filename: str | None,
    render: tuple[list[str], list[str], bool] = ([], [], False),
    policy_paths: Sequence[str] = (),
    integration: Integration | None = None,
    no_environment: bool = False,
    jobs: str = "auto",
    finish: Callable[[int], None] | None = None,
) -> int:
    from kubelint.config import FAIL_ON_CHOICES, ConfigError
    from kubelint.engine import Engine
    from kubelint.policy.setup import PolicyLoadError, prepare_run
    from kubelint.registry import Selection
    from kubelint.reporters import FORMATS, ReportContext, renderer

    cwd = os.getcwd()
    try:
        registry, config = prepare_run(config_path, cwd, no_config=no_config, policy_paths=policy_paths)
    except ConfigError as error:
        raise CheckFailed(str(error)) from None
    except PolicyLoadError as error:
        raise CheckFailed("invalid policy:\n" + str(error)) from None

    for option, values in (("--select", select), ("--extend-select", extend_select), ("--ignore", ignore)):
        for v in _split(values):
            if not registry.is_selector(v):
                raise CheckFailed(f"{option}: {registry.unknown_selector_message(v)}")
    if select is not None:
        config.select = _split(select)
    config.extend_select += _split(extend_select)
    config.ignore += _split(ignore)
    config.exclude += list(exclude or ())
    if fail_on is not None:
        if fail_on not in FAIL_ON_CHOICES:
            raise CheckFailed(f"--fail-on: expected one of {', '.join(FAIL_ON_CHOICES)}")
        config.fail_on = fail_on
    if namespace:
        config.namespace = namespace
    if kubernetes_version:
        config.kubernetes_version = kubernetes_version
    from kubelint.schema.versions import UnsupportedVersion, resolve_version

    try:
        config.kubernetes_version = resolve_version(config.kubernetes_version)
    except UnsupportedVersion as error:
        where = "--kubernetes-version" if kubernetes_version else "config: kubernetes-version"
        raise CheckFailed(f"{where}: {error}") from None
    helm_values, helm_set, no_render = render
    config.helm.values += [os.path.relpath(os.path.abspath(v), config.root) for v in helm_values]
    config.helm.set += helm_set
    if no_render:
        config.render = "never"

    if fmt is None:
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" and not output else "text"
    outputs: list[tuple[str, str | None]] = [(fmt or "text", output)]
    for spec in reports:
        report_kind, sep, report_file = spec.partition("=")
        if not sep or not report_file:
            raise CheckFailed(f"--report: expected FORMAT=FILE, got {spec!r}")
        outputs.append((report_kind, report_file))
    for kind, _ in outputs:
        if kind not in FORMATS:
            raise CheckFailed(f"unknown format {kind!r} (choose from {', '.join(FORMATS)})")
    if color not in ("auto", "always", "never"):
        raise CheckFailed("--color: expected auto, always or never")

    from kubelint.parallel import JobsError, parse_jobs

    try:
        processes = parse_jobs(jobs)
    except JobsError as error:
        raise CheckFailed(str(error)) from None

    settings = settings_from_config(config, cwd, read_environment=False if no_environment else None)
    engine = Engine(
        registry=registry,
        config=config,
        selection=Selection(config.select, config.extend_select, config.ignore),
        cwd=cwd,
        settings=settings,
        jobs=processes,
    )
    from kubelint.heap import few_collections
    from kubelint.progress import progress_bar

    integration = integration or Integration()
    if integration.frame_lines < 0:
        raise CheckFailed("--context: expected a number of lines >= 0")
    # The heap stays frozen until the reports are written: rendering them allocates
    # enough to set off a full collection, which would walk the whole loaded run.
    with few_collections() as heap:
        with progress_bar(sys.stderr) as progress:
            engine.progress = progress
            engine.loaded = heap.settle
            if integration.context_paths:
                from kubelint.discovery import discover

                targets = {
                    c.display
                    for c in discover(paths, cwd=cwd, exclude=config.exclude, stdin_name=stdin_filename)
                }
                # A changed Compose .env file is no YAML: it counts only as a place for findings.
                linted = [p for p in paths if not os.path.basename(p).endswith(".env")]
                result = engine.run([*integration.context_paths, *linted], stdin_name=stdin_filename)
                result.findings = [f for f in result.findings if f.file in targets]
            else:
                result = engine.run(paths, stdin_name=stdin_filename)
        if integration.baseline or integration.write_baseline:
            from kubelint.baseline import BaselineError, apply_baseline

            found = len(result.findings)
            try:
                result.findings = apply_baseline(
                    result.findings, integration.baseline, integration.write_baseline, cwd
                )
            except BaselineError as error:
                raise CheckFailed(str(error)) from None
            if integration.write_baseline:
                sys.stderr.write(f"kubelint: recorded {found} finding(s) in {integration.write_baseline}\n")

        for kind, target in outputs:
            to_terminal = target is None and sys.stdout.isatty()
            use_color = color == "always" or (
                color == "auto" and to_terminal and not os.environ.get("NO_COLOR")
            )
            ctx = ReportContext(
                registry=registry,
                color=use_color,
                cwd=cwd,
                show_frames=not no_frames,
                tool_version=__version__,
                frame_lines=integration.frame_lines,
            )
            text = renderer(kind)(result, ctx)
            if target is None:
                sys.stdout.write(text)
                sys.stdout.flush()
            else:
                try:
                    os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
                    with open(target, "w", encoding="utf-8") as handle:
                        handle.write(text)
                except OSError as error:
                    raise CheckFailed(f"cannot write {target}: {error.strerror or error}") from None
        code = EXIT_FINDINGS if result.fails(config.fail_on) else EXIT_CLEAN
        if finish is not None:
            finish(code)
        return code


def settings_from_config(config: Config, cwd: str, *, read_environment: bool | None = None) -> Settings:
    from kubelint.rule import Settings

    return Settings(
        kubernetes_version=config.kubernetes_version,
        default_namespace=config.namespace,
        external=tuple(config.external),
        read_environment=config.read_environment if read_environment is None else read_environment,
        extra={
            "strict": config.strict,
            "policies": tuple(config.policies),
            "cwd": cwd,
            "schema_dirs": tuple(config.schema_dirs),
        },
    )
