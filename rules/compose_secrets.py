"""KL410-KL411: plaintext secrets in the env files of a Compose project.

(Secrets written in a service's `environment` are KL401.)  Findings point at the
line of the env file; the value is never shown in any output.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from kubelint.compose_interpolation import EnvLine, parse_env_file
from kubelint.compose_project import Project, iter_project_services, project_of
from kubelint.model import ComposeFile, Format, Severity, SourceFile, Violation
from kubelint.positions import Span
from kubelint.rule import RuleContext, rule
from kubelint.secrets import is_literal_value, is_secret_name, secret_value_kind


def secret_verdict(name: str, value: str) -> str | None:
    """Why `name=value` is a plaintext secret, or None (never includes the value)."""
    kind = secret_value_kind(value)
    if kind:
        return kind
    if is_secret_name(name) and is_literal_value(value) and "$" not in value:
        return "a literal value"
    return None


def _secret_lines(source: SourceFile) -> Iterator[tuple[EnvLine, str, Span]]:
    lines, _bad = parse_env_file(source.text)
    for entry in lines:
        why = secret_verdict(entry.name, entry.value)
        if why:
            end = (
                len(source.lines[entry.line - 1]) + 1
                if entry.line <= len(source.lines)
                else entry.value_column
            )
            yield entry, why, Span(entry.line, entry.value_column, entry.line, max(end, entry.value_column))


def _env_files(project: Project, name: str, service: dict[str, Any]) -> Iterator[str]:
    spec = service.get("env_file")
    items = [spec] if isinstance(spec, (str, dict)) else spec if isinstance(spec, list) else []
    for i, item in enumerate(items):
        path = item.get("path") if isinstance(item, dict) else item
        if not isinstance(path, str) or not path:
            continue
        origin = project.origin(("services", name, "env_file") + ((i,) if isinstance(spec, list) else ()))
        directory = origin[0].directory if origin else project.directory
        yield os.path.normpath(os.path.join(directory, path))


@rule(
    id="KL410",
    name="compose-secret-in-env-file",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="security",
    security_severity=8.0,
)
def secret_in_env_file(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reads the `env_file:` targets of every service and reports variables whose name
    says they hold a secret (`DB_PASSWORD`, `API_KEY`, ...) and that have a literal
    value, and any value that is unmistakably a secret (a private key, a URL with a
    password, a known token format).  The value is never shown.

    ## Why is this bad?
    Env files referenced by `env_file:` are usually committed next to the Compose
    file; whoever reads the repository reads the secret.

    ## Example
    `app.env` (referenced by `env_file: app.env`):
    ```
    DB_PASSWORD=hunter2
    ```

    ## Use instead
    Use Compose `secrets:` (a file outside the repository), or keep the value in an
    untracked `.env` and write `DB_PASSWORD=${DB_PASSWORD}`.
    """
    project = project_of(compose, ctx)
    if project is None:
        return
    done: set[str] = set()
    for name, service in iter_project_services(project):
        for path in _env_files(project, name, service):
            if path in done:
                continue
            done.add(path)
            source = ctx.read_source(path) if os.path.isfile(path) else None
            if source is None or (not project.reports_at(source) and project.overlay_of is not None):
                continue
            for entry, why, span in _secret_lines(source):
                yield Violation(
                    ("services", name, "env_file"),
                    f"env file {source.path} sets secret {entry.name!r} to {why} in plain text",
                    location=(source, span),
                    fix="move it to Compose secrets or an untracked .env",
                    fingerprint=f"env_file/{entry.name}",
                    sensitive=True,
                )


def _git_ignored(directory: str, name: str = ".env") -> bool:
    """Whether a .gitignore from `directory` up to the repository root ignores `.env`."""
    patterns = {name, f"/{name}", f"{name}*", f"*{name}", f"**/{name}", f"{name}.*"}
    current = os.path.abspath(directory)
    for _ in range(32):
        ignore = os.path.join(current, ".gitignore")
        if os.path.isfile(ignore):
            try:
                with open(ignore, encoding="utf-8", errors="replace") as handle:
                    if any(line.strip() in patterns for line in handle):
                        return True
            except OSError:
                pass
        if os.path.exists(os.path.join(current, ".git")):
            return False
        parent = os.path.dirname(current)
        if parent == current:
            return False
        current = parent
    return False


@rule(
    id="KL411",
    name="compose-secret-in-dotenv",
    severity=Severity.WARNING,
    applies_to=(Format.COMPOSE,),
    category="security",
    security_severity=6.0,
)
def secret_in_dotenv(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports plaintext secrets in the `.env` file beside a Compose project when no
    `.gitignore` (in the project directory or above, up to the repository root)
    ignores `.env`.  The value is never shown.

    ## Why is this bad?
    A `.env` is the right place for local secrets only as long as it is not
    committed; a committed `.env` publishes them.

    ## Example
    `.env` beside `compose.yaml`, not git-ignored:
    ```
    POSTGRES_PASSWORD=s3cr3t-pw
    ```

    ## Use instead
    Add `.env` to `.gitignore` and commit a `.env.example` with placeholders.
    """
    project = project_of(compose, ctx)
    if project is None or project.dotenv is None or project.overlay_of is not None:
        return
    if _git_ignored(project.directory):
        return
    source = project.dotenv[0]
    for entry, why, span in _secret_lines(source):
        yield Violation(
            (),
            f".env sets secret {entry.name!r} to {why} in plain text and is not git-ignored",
            location=(source, span),
            fix="add .env to .gitignore (commit a .env.example instead)",
            fingerprint=f"dotenv/{entry.name}",
            sensitive=True,
        )


RULES = (secret_in_env_file, secret_in_dotenv)
