"""CEL through the `common-expression-language` package (Rust `cel` crate bindings).

Compiling parses the expression; kubelint then also checks that every function it
calls exists, so that a misspelt function is a load error, not a finding per object.

Functions available besides the CEL standard ones: cel-go's extension libraries as
`cel.stdlib` provides them (strings, lists, sets, math, encoders), Kubernetes'
quantity library (`quantity("500m")`, `isQuantity`, `compareTo`, `isGreaterThan`,
`isLessThan`, `asApproximateFloat`, `asInteger`, `add`, `sub`), and for
policies that look at other objects of the run `lookup(kind, name)` (the object of
that kind and name in the checked object's namespace, or null) and
`objectsOf(kind)` (every object of that kind in that namespace).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from kubelint.quantity import parse_quantity

# Functions the Rust engine implements natively (the CEL standard definitions).
_NATIVE = frozenset(
    {
        "size", "int", "uint", "double", "string", "bytes", "bool", "timestamp", "duration", "type",
        "dyn", "matches", "startsWith", "endsWith", "contains", "max", "min", "has", "all", "exists",
        "exists_one", "map", "filter", "getFullYear", "getMonth", "getDayOfYear", "getDayOfMonth",
        "getDate", "getDayOfWeek", "getHours", "getMinutes", "getSeconds", "getMilliseconds",
        "optional.of", "optional.none", "optional.ofNonZeroValue", "hasValue", "value", "orValue", "or",
    }
)  # fmt: skip


class CelError(ValueError):
    """An expression that does not compile (parse error or unknown function)."""


def _quantity(text: Any) -> float:
    value = parse_quantity(text)
    if value is None:
        raise ValueError(f"{text!r} is not a quantity")
    return float(value)


def _is_quantity(text: Any) -> bool:
    return isinstance(text, str) and parse_quantity(text) is not None


def _compare(a: Any, b: Any) -> int:
    return int(a > b) - int(a < b)


QUANTITY_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "quantity": _quantity,
    "isQuantity": _is_quantity,
    "compareTo": _compare,
    "isGreaterThan": lambda a, b: a > b,
    "isLessThan": lambda a, b: a < b,
    "asApproximateFloat": float,
    "asInteger": lambda a: math.trunc(a),
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
}
WORKSPACE_FUNCTIONS = ("lookup", "objectsOf")


@cache
def _python_functions() -> dict[str, Callable[..., Any]]:
    """cel-go's extension functions and Kubernetes' quantity library.  The `cel`
    package is imported on first use: it imports its command line (and typer) when
    loaded, which a run without CEL should not pay."""
    from cel.stdlib import STDLIB_FUNCTIONS

    return {**STDLIB_FUNCTIONS, **QUANTITY_FUNCTIONS}


@cache
def known_functions() -> frozenset[str]:
    return _NATIVE | set(_python_functions()) | set(WORKSPACE_FUNCTIONS)


@dataclass(frozen=True)
class Compiled:
    """A compiled expression and the Python-provided functions it calls."""

    source: str
    program: Any
    functions: tuple[str, ...]
    variables: frozenset[str]


def compile_expression(source: str) -> Compiled:
    """A compiled program, or CelError with the parser's message."""
    import cel

    try:
        program = cel.compile(source)
    except Exception as error:  # the bindings raise ValueError, but be safe
        raise CelError(_first_line(str(error))) from None
    called = program.functions()
    unknown = [f for f in called if not f.startswith(("_", "!_", "@")) and f not in known_functions()]
    if unknown:
        raise CelError(f"unknown function {unknown[0]!r} in {source!r}")
    provided = tuple(f for f in called if f in _python_functions() or f in WORKSPACE_FUNCTIONS)
    return Compiled(source, program, provided, frozenset(program.variables()))


def _first_line(message: str) -> str:
    import re

    syntax = re.search(r"<input>:(\d+):(\d+): (.*)", message)
    if syntax:
        reason = syntax.group(3).split(" expecting ")[0].strip().removeprefix("Syntax error: ")
        return f"syntax error at line {syntax.group(1)}, column {syntax.group(2)} of the expression: {reason}"
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return lines[0] if lines else ""


def plain(value: Any) -> Any:
    """JSON-like data CEL can take (YAML timestamps and other odd scalars become strings)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return str(value)


def evaluate(
    compiled: Compiled, variables: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]
) -> Any:
    """Run an expression; raises the engine's exceptions (KeyError for a missing field, ...).

    Only the functions the expression calls are registered (building a context with
    every extension function costs more than evaluating most expressions)."""
    import cel

    wanted = {name: functions.get(name) or _python_functions()[name] for name in compiled.functions}
    try:
        return compiled.program.execute(cel.Context(dict(variables), wanted))
    except ValueError as error:
        if "Conversion Error" not in str(error):
            raise
    # a value CEL cannot take (a YAML timestamp, say): retry with plain data
    return compiled.program.execute(cel.Context({k: plain(v) for k, v in variables.items()}, wanted))


def describe_error(error: Exception) -> str:
    """A one-line explanation of an evaluation error."""
    if isinstance(error, KeyError):
        return f"no such key: {error.args[0] if error.args else ''}"
    text = str(error).split(". Check that")[0]
    return _first_line(text) or type(error).__name__
