"""Kubernetes resource quantities (`500m`, `0.5`, `1Gi`, `1e3`), as the API server
parses them (k8s.io/apimachinery/pkg/api/resource)."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from functools import lru_cache
from typing import Any

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 1000),
    "": Fraction(1),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
}
MAX_QUANTITY_LENGTH = 64
"""Longer strings are not read as quantities (no real one comes close; the limit keeps
exact arithmetic on absurd input such as `1e999999999` bounded)."""
MAX_EXPONENT = 100
_QUANTITY_RE = re.compile(
    r"^(?P<sign>[+-]?)(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    r"(?:(?P<binary>Ki|Mi|Gi|Ti|Pi|Ei)|(?P<exp>[eE][+-]?[0-9]+)|(?P<decimal>[numkMGTPE]?))$"
)


def parse_quantity(value: Any) -> Fraction | None:
    """The exact value of a quantity, or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(value).limit_denominator(10**9) if math.isfinite(value) else None
    if not isinstance(value, str) or len(value) > MAX_QUANTITY_LENGTH:
        return None
    return _parse_text(value)


@lru_cache(maxsize=4096)
def _parse_text(value: str) -> Fraction | None:
    """A quantity written as text (memoised: a run repeats `100m` and `128Mi` thousands
    of times, and exact arithmetic is slow; a Fraction is immutable)."""
    match = _QUANTITY_RE.match(value.strip())
    if not match:
        return None
    if match.group("exp") and abs(int(match.group("exp")[1:])) > MAX_EXPONENT:
        return None
    number = Fraction(match.group("number"))
    if match.group("sign") == "-":
        number = -number
    if match.group("binary"):
        return number * _BINARY[match.group("binary")]
    if match.group("exp"):
        return number * Fraction(10) ** int(match.group("exp")[1:])
    return number * _DECIMAL[match.group("decimal") or ""]


def format_quantity(value: Fraction, resource: str) -> str:
    """A readable rendering for messages (CPU in cores/millicores, memory in bytes units)."""
    if resource == "cpu":
        milli = value * 1000
        return f"{float(milli):g}m" if milli.denominator == 1 and value < 1 else f"{float(value):g}"
    for suffix, size in reversed(list(_BINARY.items())):
        if value >= size and (value / size).denominator == 1:
            return f"{int(value / size)}{suffix}"
    return f"{float(value):g}"
