from __future__ import annotations

from fractions import Fraction

import pytest

from kubelint.quantity import format_quantity, parse_quantity
from kubelint.selectors import SelectorError, parse_label_selector, parse_service_selector


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500m", Fraction(1, 2)),
        ("0.5", Fraction(1, 2)),
        (0.5, Fraction(1, 2)),
        (2, Fraction(2)),
        ("1Gi", Fraction(2**30)),
        ("512Mi", Fraction(512 * 2**20)),
        ("1e3", Fraction(1000)),
        ("1k", Fraction(1000)),
        ("1M", Fraction(10**6)),
        ("100n", Fraction(1, 10**7)),
        (".5", Fraction(1, 2)),
    ],
)
def test_parse_quantity(text: object, value: Fraction) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["abc", "1GB", "", "1.2.3", None, True, "5 Mi"])
def test_not_a_quantity(text: object) -> None:
    assert parse_quantity(text) is None


def test_format_quantity() -> None:
    assert format_quantity(Fraction(1, 2), "cpu") == "500m"
    assert format_quantity(Fraction(2), "cpu") == "2"
    assert format_quantity(Fraction(2**30), "memory") == "1Gi"


def test_label_selector_semantics() -> None:
    sel = parse_label_selector(
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["fe", "be"]},
                {"key": "canary", "operator": "DoesNotExist"},
                {"key": "env", "operator": "NotIn", "values": ["dev"]},
            ],
        }
    )
    assert sel is not None
    assert sel.matches({"app": "web", "tier": "fe"})
    assert sel.matches({"app": "web", "tier": "be", "env": "prod"})
    assert not sel.matches({"app": "web", "tier": "fe", "env": "dev"})
    assert not sel.matches({"app": "web", "tier": "fe", "canary": "1"})
    assert not sel.matches({"app": "api", "tier": "fe"})
    assert sel.describe() == "app=web,tier in (be,fe),!canary,env notin (dev)"


def test_empty_and_null_selectors() -> None:
    empty = parse_label_selector({})
    assert empty is not None and empty.empty and empty.matches({"anything": "x"})
    assert parse_label_selector(None) is None
    assert parse_service_selector({}) is None
    assert parse_service_selector(None) is None
    svc = parse_service_selector({"app": "web", "on": True})
    assert svc is not None and svc.matches({"app": "web", "on": "true", "x": "y"})


@pytest.mark.parametrize(
    "bad",
    [
        {"matchExpressions": [{"key": "a", "operator": "In", "values": []}]},
        {"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["x"]}]},
        {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]},
        {"matchLabels": ["a"]},
        "app=web",
    ],
)
def test_invalid_selectors(bad: object) -> None:
    with pytest.raises(SelectorError):
        parse_label_selector(bad)
