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

if TYPE_CHECKING:
    from kubelint.config import Config
    from kubelint.registry import Registry
    from kubelint.rule import Settings

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

app = typer.Typer(
    name="kubelint",
    help="Lint Kubernetes manifests and Docker Compose files: schemas, cross-resource "
    "references, resources, probes, secrets and port clashes, with exact positions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def build_registry() -> Registry:
    from importlib import import_module

    from kubelint.diagnostics import DIAGNOSTICS
    from kubelint.registry import Registry

    catalogue = import_module("kubelint.rules")  # the built-in rules (rules/ in the repo)
    return Registry([*DIAGNOSTICS, *catalogue.all_rules()])


def _fail(message: str) -> typer.Exit:
    sys.stderr.write(f"kubelint: {message}\n")
    return typer.Exit(EXIT_ERROR)


def _split(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or ():
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


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
) -> None:
    """Lint files and directories; exit 0 when clean, 1 with findings, 2 on errors."""
    try:
        code = _check(
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
        )
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        raise _fail("interrupted") from None
    except Exception as error:  # never a traceback for the user
        if os.environ.get("KUBELINT_DEBUG"):
            raise
        # The exception's text may quote input (a secret value): name only its type and
        # where it happened.
        raise _fail(f"internal error: {type(error).__name__}{_where(error)}; please report this") from None
    raise typer.Exit(code)


def _where(error: BaseException) -> str:
    """` at module.py:123`: the innermost kubelint frame of a traceback."""
    import traceback

    frames = [f for f in traceback.extract_tb(error.__traceback__) if "kubelint" in f.filename]
    if not frames:
        return ""
    return f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}"


def _check(
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
) -> int:
    from kubelint.config import FAIL_ON_CHOICES, Config, ConfigError, load_config
    from kubelint.engine import Engine
    from kubelint.registry import Selection
    from kubelint.reporters import FORMATS, ReportContext, renderer

    cwd = os.getcwd()
    registry = build_registry()
    try:
        config = Config(root=cwd) if no_config else load_config(config_path, cwd, registry)
    except ConfigError as error:
        raise _fail(str(error)) from None

    for option, values in (("--select", select), ("--extend-select", extend_select), ("--ignore", ignore)):
        for v in _split(values):
            if not registry.is_selector(v):
                raise _fail(f"{option}: {registry.unknown_selector_message(v)}")
    if select is not None:
        config.select = _split(select)
    config.extend_select += _split(extend_select)
    config.ignore += _split(ignore)
    config.exclude += list(exclude or ())
    if fail_on is not None:
        if fail_on not in FAIL_ON_CHOICES:
            raise _fail(f"--fail-on: expected one of {', '.join(FAIL_ON_CHOICES)}")
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
        raise _fail(f"{where}: {error}") from None
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
            raise _fail(f"--report: expected FORMAT=FILE, got {spec!r}")
        outputs.append((report_kind, report_file))
    for kind, _ in outputs:
        if kind not in FORMATS:
            raise _fail(f"unknown format {kind!r} (choose from {', '.join(FORMATS)})")
    if color not in ("auto", "always", "never"):
        raise _fail("--color: expected auto, always or never")

    settings = settings_from_config(config, cwd)
    engine = Engine(
        registry=registry,
        config=config,
        selection=Selection(config.select, config.extend_select, config.ignore),
        cwd=cwd,
        settings=settings,
    )
    result = engine.run(paths, stdin_name=stdin_filename)

    for kind, target in outputs:
        to_terminal = target is None and sys.stdout.isatty()
        use_color = color == "always" or (color == "auto" and to_terminal and not os.environ.get("NO_COLOR"))
        ctx = ReportContext(
            registry=registry,
            color=use_color,
            cwd=cwd,
            show_frames=not no_frames,
            tool_version=__version__,
        )
        text = renderer(kind)(result, ctx)
        if target is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            try:
                with open(target, "w", encoding="utf-8") as handle:
                    handle.write(text)
            except OSError as error:
                raise _fail(f"cannot write {target}: {error.strerror or error}") from None
    return EXIT_FINDINGS if result.fails(config.fail_on) else EXIT_CLEAN


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


@app.command("rules")
def list_rules(
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
) -> None:
    """List every rule: id, name, default on/off, severity and summary."""
    registry = build_registry()
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
) -> None:
    """Show a rule's documentation."""
    registry = build_registry()
    r = registry.get(rule_id)
    if r is None:
        raise _fail(registry.unknown_selector_message(rule_id))
    default = "on by default" if r.default_enabled else "off by default (opt-in)"
    sys.stdout.write(f"# {r.id} {r.name}\n\nSeverity: {r.severity.label}; {default}.\n\n{r.docs}\n")
    if r.options:
        sys.stdout.write("\n## Options\n")
        for name, opt in r.options.items():
            sys.stdout.write(f"- `{name}` (default `{opt.default!r}`): {opt.help}\n")


def main() -> None:
    try:
        app(prog_name="kubelint")
    except SystemExit as done:
        code = done.code
        # click reports usage errors with exit code 2 already.
        raise SystemExit(code if isinstance(code, int) else (0 if code is None else EXIT_ERROR)) from None
