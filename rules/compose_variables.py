"""KL810-KL813: Compose variable interpolation (`${VAR}`, `${VAR:?err}`, `.env`).

Variables come from the `.env` file beside the project and, unless `--no-environment`
(or `read-environment: false`) is given, from the environment of the run.  Messages
name variables, never their values.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubelint.compose_interpolation import parse_env_file
from kubelint.compose_project import Project, expression_span, located_violation, project_of
from kubelint.model import ComposeFile, Format, Severity, Violation
from kubelint.positions import Span
from kubelint.rule import RuleContext, rule


def _interpolation(project: Project, kind: str) -> Iterator[Violation]:
    seen: set[tuple[str, int, int]] = set()
    for item in project.interpolation:
        if item.problem.kind != kind:
            continue
        src, path = item.origin
        text = _original(src.data, path)
        where = expression_span(item.origin, text, item.problem.offset) if text else None
        if where is None:
            from kubelint.compose_project import locate_origin

            where = locate_origin(item.origin)
        marker = (where[0].path, where[1].line, where[1].column)
        if marker in seen:  # the same file read by two layers (extends)
            continue
        seen.add(marker)
        v = located_violation(
            project,
            path,
            where,
            item.problem.message,
            fix=_FIXES[kind],
            fingerprint=f"{kind}/{item.problem.variable}/{'/'.join(map(str, path))}",
        )
        if v:
            yield v


def _original(data: Any, path: tuple[Any, ...]) -> str | None:
    node = data
    for element in path:
        if (isinstance(node, dict) and element in node) or (
            isinstance(node, list) and isinstance(element, int) and 0 <= element < len(node)
        ):
            node = node[element]
        else:
            return None
    return node if isinstance(node, str) else None


_FIXES = {
    "required": "set the variable in .env beside the project or in the environment",
    "unset": "set it in .env, or give a default: ${VAR:-default}",
    "malformed": "write ${NAME}, ${NAME:-default} or ${NAME:?message}; escape a literal $ as $$",
}


@rule(
    id="KL810",
    name="compose-required-variable-unset",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="compose",
)
def required_variable_unset(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports `${VAR:?message}` / `${VAR?message}` where VAR is set neither in the `.env`
    file beside the project nor (unless `--no-environment`) in the environment.

    ## Why is this bad?
    `docker compose` stops: `required variable VAR is missing a value`.

    ## Example
    ```yaml
    services:
      db:
        image: postgres:16
        environment:
          POSTGRES_PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD}
    ```
    with no `DB_PASSWORD` in `.env`.

    ## Use instead
    Add `DB_PASSWORD=...` to the untracked `.env` file beside `compose.yaml` (or
    export it in CI).
    """
    project = project_of(compose, ctx)
    if project is not None:
        yield from _interpolation(project, "required")


@rule(
    id="KL811",
    name="compose-variable-unset",
    severity=Severity.WARNING,
    applies_to=(Format.COMPOSE,),
    category="compose",
)
def variable_unset(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports `$VAR` / `${VAR}` with no default where VAR is set neither in `.env` nor
    in the environment of the run.

    ## Why is this bad?
    Compose substitutes an empty string with only a warning: `image: web:${TAG}`
    becomes `web:` and the service runs something else than intended.

    ## Example
    ```yaml
    services:
      web:
        image: web:${TAG}
    ```

    ## Use instead
    ```yaml
    services:
      web:
        image: web:${TAG:-1.4.2}
    ```
    """
    project = project_of(compose, ctx)
    if project is not None:
        yield from _interpolation(project, "unset")


@rule(
    id="KL812",
    name="compose-invalid-interpolation",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="compose",
)
def invalid_interpolation(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports malformed `${...}` expressions: an unclosed `${VAR`, an empty `${}`, a
    name that does not start with a letter or underscore (`${1X}`), an unknown
    operator (`${VAR:x}`).  The value is not repeated in the message.

    ## Why is this bad?
    `docker compose` refuses the file: `invalid interpolation format for
    services.web.command`.

    ## Example
    ```yaml
    services:
      web:
        image: web:1.0
        command: echo ${HOME
    ```

    ## Use instead
    ```yaml
    services:
      web:
        image: web:1.0
        command: echo $${HOME}
    ```
    (`$$` passes a literal `$` to the container's shell.)
    """
    project = project_of(compose, ctx)
    if project is not None:
        yield from _interpolation(project, "malformed")


@rule(
    id="KL813",
    name="compose-invalid-env-file",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="compose",
)
def invalid_env_file(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports lines of the project's `.env` file that Compose cannot read (`bad line
    here`, a key with spaces, an unclosed quote).  The line's content is not shown.

    ## Why is this bad?
    `docker compose` stops before doing anything: `failed to read .env: line 2: key
    cannot contain a space`.

    ## Example
    ```
    TAG=1.4
    DB PASSWORD=x
    ```

    ## Use instead
    ```
    TAG=1.4
    DB_PASSWORD=x
    ```
    """
    project = project_of(compose, ctx)
    if project is None or project.dotenv is None or project.overlay_of is not None:
        return
    source = project.dotenv[0]
    _lines, bad = parse_env_file(source.text)
    for line in bad:
        width = len(source.lines[line - 1]) if line <= len(source.lines) else 0
        yield Violation(
            (),
            f"line {line} of {source.path} is not KEY=value",
            location=(source, Span(line, 1, line, width + 1)),
            fix="write KEY=value (no spaces in the key); quote values with spaces",
            fingerprint=f"dotenv/{line}",
            sensitive=True,
        )


RULES = (required_variable_unset, variable_unset, invalid_interpolation, invalid_env_file)
