"""Label selectors, with exactly Kubernetes' semantics.

* `LabelSelector` (Deployments, StatefulSets, PDBs, NetworkPolicies, ...):
  `matchLabels` and `matchExpressions` (In, NotIn, Exists, DoesNotExist), ANDed.
  An empty selector `{}` matches everything; a missing (null) one matches nothing
  (`parse_label_selector` returns None for it and callers decide what that means for
  their kind).
* Service selectors are plain equality maps; an empty or missing map means "no
  selector" (the Service's endpoints are managed by hand), see `parse_service_selector`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


class SelectorError(ValueError):
    """A selector the API server would reject (with the reason)."""


@dataclass(frozen=True, slots=True)
class Requirement:
    key: str
    operator: str
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, Any]) -> bool:
        present = self.key in labels
        if self.operator == "Exists":
            return present
        if self.operator == "DoesNotExist":
            return not present
        value = labels.get(self.key)
        text = str(value) if present and value is not None else None
        if self.operator == "In":
            return text is not None and text in self.values
        # NotIn matches when the label is absent or has another value
        return text is None or text not in self.values

    def describe(self) -> str:
        if self.operator == "Exists":
            return self.key
        if self.operator == "DoesNotExist":
            return f"!{self.key}"
        values = ",".join(sorted(self.values))
        op = "in" if self.operator == "In" else "notin"
        return f"{self.key} {op} ({values})"


@dataclass(frozen=True, slots=True)
class Selector:
    """A conjunction of requirements; `equals` keeps the matchLabels part."""

    equals: tuple[tuple[str, str], ...] = ()
    requirements: tuple[Requirement, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.equals and not self.requirements

    def matches(self, labels: Mapping[str, Any]) -> bool:
        for key, value in self.equals:
            if key not in labels or str(labels[key]) != value:
                return False
        return all(r.matches(labels) for r in self.requirements)

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in self.equals] + [r.describe() for r in self.requirements]
        return ",".join(parts) if parts else "(everything)"


def _label_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def parse_label_selector(data: Any) -> Selector | None:
    """Parse a LabelSelector; None for a missing/null selector.

    Raises SelectorError for shapes the API server rejects (an In with no values,
    an unknown operator, values given to Exists)."""
    if data is None:
        return None
    if not isinstance(data, dict):
        raise SelectorError("a label selector must be a mapping")
    equals: list[tuple[str, str]] = []
    match_labels = data.get("matchLabels")
    if match_labels is not None:
        if not isinstance(match_labels, dict):
            raise SelectorError("matchLabels must be a mapping")
        equals = [(str(k), _label_value(v)) for k, v in match_labels.items()]
    requirements: list[Requirement] = []
    expressions = data.get("matchExpressions")
    if expressions is not None:
        if not isinstance(expressions, list):
            raise SelectorError("matchExpressions must be a list")
        for i, expr in enumerate(expressions):
            if not isinstance(expr, dict):
                raise SelectorError(f"matchExpressions[{i}] must be a mapping")
            key, op, values = expr.get("key"), expr.get("operator"), expr.get("values")
            if not isinstance(key, str) or not key:
                raise SelectorError(f"matchExpressions[{i}] has no key")
            if op not in OPERATORS:
                raise SelectorError(
                    f"matchExpressions[{i}] has operator {op!r}; use In, NotIn, Exists or DoesNotExist"
                )
            vals = values if isinstance(values, list) else []
            if op in ("In", "NotIn") and not vals:
                raise SelectorError(f"matchExpressions[{i}] ({op}) needs at least one value")
            if op in ("Exists", "DoesNotExist") and vals:
                raise SelectorError(f"matchExpressions[{i}] ({op}) must not have values")
            requirements.append(Requirement(key, op, frozenset(_label_value(v) for v in vals)))
    return Selector(tuple(equals), tuple(requirements))


def parse_service_selector(data: Any) -> Selector | None:
    """A Service's equality selector; None when it has none (manual endpoints)."""
    if not isinstance(data, dict) or not data:
        return None
    return Selector(tuple((str(k), _label_value(v)) for k, v in data.items()))
