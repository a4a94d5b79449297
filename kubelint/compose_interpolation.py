"""Compose variable interpolation, as `docker compose` does it, plus `.env` reading.

Supported: `$$` (a literal `$`), `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
`${VAR:?message}`, `${VAR?message}`, `${VAR:+replacement}`, `${VAR+replacement}`,
with defaults and replacements themselves interpolated.  A `$` followed by anything
else (`$1`, `cost $ 5`) stays as written, as in Compose; a malformed `${...}` is an
error.

Problems name the variable, never its value (a variable may hold a secret).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")


@dataclass(frozen=True, slots=True)
class InterpolationProblem:
    """What went wrong in one expression; `offset` is where it starts in the string."""

    kind: str  # "unset" | "required" | "malformed"
    variable: str
    offset: int
    message: str


class _Malformed(Exception):
    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


def _closing_brace(text: str, start: int) -> int:
    """Index of the `}` closing the `${` whose body starts at `start` (nesting aware)."""
    depth = 1
    i = start
    while i < len(text):
        if text.startswith("$$", i):
            i += 2
            continue
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def interpolate(
    text: str, env: Mapping[str, str], problems: list[InterpolationProblem], base: int = 0
) -> str:
    """The value of `text` with every expression substituted (unset -> empty string).

    Problems are appended to `problems` (offsets relative to the whole string)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        dollar = text.find("$", i)
        if dollar < 0:
            out.append(text[i:])
            break
        out.append(text[i:dollar])
        nxt = text[dollar + 1 : dollar + 2]
        if nxt == "$":
            out.append("$")
            i = dollar + 2
        elif nxt == "{":
            end = _closing_brace(text, dollar + 2)
            if end < 0:
                problems.append(
                    InterpolationProblem("malformed", "", base + dollar, "unclosed '${' (missing '}')")
                )
                return "".join(out) + text[dollar:]
            body = text[dollar + 2 : end]
            try:
                out.append(_braced(body, env, problems, base + dollar + 2))
            except _Malformed:
                problems.append(
                    InterpolationProblem(
                        "malformed",
                        "",
                        base + dollar,
                        "invalid interpolation format (escape a literal $ as $$)",
                    )
                )
                out.append(text[dollar : end + 1])
            i = end + 1
        else:
            match = _NAME_RE.match(text, dollar + 1)
            if match is None:
                out.append("$")
                i = dollar + 1
                continue
            name = match.group(0)
            if name in env:
                out.append(env[name])
            else:
                problems.append(
                    InterpolationProblem(
                        "unset",
                        name,
                        base + dollar,
                        f"variable {name} is not set (defaults to an empty string)",
                    )
                )
            i = match.end()
    return "".join(out)


def _braced(body: str, env: Mapping[str, str], problems: list[InterpolationProblem], base: int) -> str:
    match = _NAME_RE.match(body)
    if match is None:
        raise _Malformed(base)
    name = match.group(0)
    rest = body[match.end() :]
    if not rest:
        if name in env:
            return env[name]
        problems.append(
            InterpolationProblem(
                "unset", name, base - 2, f"variable {name} is not set (defaults to an empty string)"
            )
        )
        return ""
    operator = next((op for op in _OPERATORS if rest.startswith(op)), None)
    if operator is None:
        raise _Malformed(base)
    argument = rest[len(operator) :]
    value = env.get(name)
    empty_counts = operator.startswith(":")
    is_set = value is not None and (value != "" or not empty_counts)
    arg_base = base + match.end() + len(operator)
    if operator.endswith("-"):
        return value if is_set and value is not None else interpolate(argument, env, problems, arg_base)
    if operator.endswith("+"):
        return interpolate(argument, env, problems, arg_base) if is_set else ""
    # `?`: required
    if is_set and value is not None:
        return value
    detail = argument.strip() if "$" not in argument else ""  # never an environment value
    state = "unset or empty" if empty_counts else "unset"
    suffix = f": {detail}" if detail and not _looks_secret(detail) else ""
    problems.append(
        InterpolationProblem(
            "required", name, base - 2, f"required variable {name} is {state}; compose fails{suffix}"
        )
    )
    return ""


def _looks_secret(text: str) -> bool:
    from kubelint.secrets import secret_value_kind

    return secret_value_kind(text) is not None


# --------------------------------------------------------------------------- .env


@dataclass(frozen=True, slots=True)
class EnvLine:
    name: str
    value: str
    line: int  # 1-based
    value_column: int  # 1-based column where the value starts
    quote: str  # "", "'" or '"'


_ENV_LINE_RE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*(?:=\s*(.*))?$")


def parse_env_file(text: str) -> tuple[list[EnvLine], list[int]]:
    """The variables of a `.env` / `env_file` and the line numbers Compose cannot read.

    Supports `KEY=value`, `export KEY=value`, single/double quotes, `#` comments
    (a trailing comment after whitespace in an unquoted value), bare `KEY`."""
    out: list[EnvLine] = []
    bad: list[int] = []
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        raw = lines[number]
        number += 1
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("="):  # no key: Compose skips the line
            continue
        match = _ENV_LINE_RE.match(raw)
        if match is None:
            bad.append(number)
            continue
        name, value = match.group(1), match.group(2)
        if value is None:
            continue  # bare KEY: taken from the environment, nothing to read here
        column = match.start(2) + 1
        start_line = number
        quote = value[:1] if value[:1] in ("'", '"') else ""
        if quote:
            body = value[1:]
            while quote not in body and number < len(lines):  # multi-line quoted value
                body += "\n" + lines[number]
                number += 1
            end = body.find(quote)
            if end < 0:
                bad.append(start_line)
                continue
            value = body[:end]
            if quote == '"':
                value = value.replace("\\n", "\n").replace('\\"', '"')
        else:
            comment = re.search(r"\s#", value)
            if comment:
                value = value[: comment.start()]
            value = value.strip()
        out.append(EnvLine(name, value, start_line, column, quote))
    return out, bad


def env_values(lines: list[EnvLine], environment: Mapping[str, str]) -> dict[str, str]:
    """The variables a `.env` defines, each value interpolated with what came before
    (and the environment), as Compose reads it; the environment wins."""
    values: dict[str, str] = {}
    for entry in lines:
        if entry.quote == "'":
            values[entry.name] = entry.value
            continue
        scope = {**values, **environment}
        values[entry.name] = interpolate(entry.value, scope, []) if "$" in entry.value else entry.value
    return values
