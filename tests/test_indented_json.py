"""The fast indented JSON writer gives exactly json.dumps(indent=2, ensure_ascii=False)."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from kubelint.reporters.indented_json import dumps_indented

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text()
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=6), children, max_size=4)
        | st.tuples(children, children)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_same_text_as_json_dumps(value: object) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_edge_values() -> None:
    for value in (
        {},
        [],
        {"a": []},
        {"a": {}},
        [math.inf, -math.inf, math.nan, -0.0, 1e300, 10**40],
        {'quote"and\\ünicode\u2028\x00': "\U0001f600"},
        {"nested": [{"x": [1, [2, [3]]]}]},
    ):
        assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_what_it_does_not_know_goes_to_json_dumps() -> None:
    class Number(int):
        pass

    for value in ({1: "a", "b": 2}, {"n": Number(3)}, [True, Number(1)]):
        assert dumps_indented(value) == json.dumps(value, indent=2, ensure_ascii=False)
