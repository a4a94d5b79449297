"""Source positions kept beside the data, never inside it.

A document's data is plain JSON-like Python (dict, list, str, int, float, bool,
None).  Its positions live in a side table keyed by the identity of each container
(the data of a document is immutable for the whole run, so identities are stable).
For a mapping the table holds the span of every key and every value; for a sequence
the span of every item.  Scalars are positioned through their parent.

Spans are packed into a single int to keep the table small: 24 bits each for start
line, start column, end line and end column (all 1-based; the end column is
exclusive).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PathElement = str | int
Path = tuple[PathElement, ...]

_BITS = 24
_MASK = (1 << _BITS) - 1


def pack(line: int, column: int, end_line: int, end_column: int) -> int:
    """Pack a 1-based span into one int."""
    return (
        (min(line, _MASK) << 72)
        | (min(column, _MASK) << 48)
        | (min(end_line, _MASK) << 24)
        | min(end_column, _MASK)
    )


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file: 1-based lines and columns, end column exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def unpack(cls, packed: int) -> Span:
        return cls(
            (packed >> 72) & _MASK,
            (packed >> 48) & _MASK,
            (packed >> 24) & _MASK,
            packed & _MASK,
        )

    @classmethod
    def point(cls, line: int, column: int) -> Span:
        return cls(line, column, line, column)

    def shifted(self, lines: int) -> Span:
        return Span(self.line + lines, self.column, self.end_line + lines, self.end_column)


class PositionMap:
    """Positions of every node of one document, looked up by path."""

    __slots__ = ("_owners", "_root", "_root_span", "_table")

    def __init__(
        self,
        root: Any,
        root_span: int,
        table: dict[int, tuple[Any, Any]],
        owners: list[Any],
    ) -> None:
        self._root = root
        self._root_span = root_span
        # id(container) -> (keys, values); for a mapping both are dicts key -> packed
        # span; for a sequence keys is None and values is a list of packed spans.
        self._table = table
        # The containers of the table, in the order they were entered (for pickling).
        self._owners = owners

    # Pickling (a document loaded in another process, kubelint/file_loading.py): ids
    # mean nothing in another process, so the table travels as its containers and
    # their entries, and is keyed again by the containers' new ids on arrival.

    def __getstate__(self) -> tuple[Any, int, list[Any], list[tuple[Any, Any]]]:
        table = self._table
        return self._root, self._root_span, self._owners, [table[id(c)] for c in self._owners]

    def __setstate__(self, state: tuple[Any, int, list[Any], list[tuple[Any, Any]]]) -> None:
        self._root, self._root_span, owners, entries = state
        self._table = dict(zip(map(id, owners), entries, strict=True))
        self._owners = owners

    @property
    def root_span(self) -> Span:
        return Span.unpack(self._root_span)

    def find(self, path: Path, *, key: bool = False) -> tuple[Span, bool]:
        """Span of the node at `path`, or of its nearest existing parent.

        With `key=True` the span of the mapping key of the last path element is
        returned (for findings about the key itself, such as an unknown field).
        The boolean is True when the exact node was found.
        """
        node = self._root
        span = self._root_span
        table = self._table
        for depth, element in enumerate(path):
            entry = table.get(id(node))
            if entry is None:
                return Span.unpack(span), False
            keys, values = entry
            last = depth == len(path) - 1
            if keys is not None:
                if not isinstance(node, dict) or element not in values:
                    return Span.unpack(span), False
                if last and key:
                    return Span.unpack(keys[element]), True
                span = values[element]
                node = node[element]
            else:
                if (
                    not isinstance(node, list)
                    or not isinstance(element, int)
                    or not -len(values) <= element < len(values)
                ):
                    return Span.unpack(span), False
                span = values[element]
                node = node[element]
        return Span.unpack(span), True

    def span(self, path: Path, *, key: bool = False) -> Span:
        return self.find(path, key=key)[0]

    def key_spans(self, path: Path) -> dict[str, Span]:
        """Spans of the keys of the mapping at `path` (empty if it is not a mapping)."""
        node: Any = self._root
        for element in path:
            try:
                node = node[element]
            except (KeyError, IndexError, TypeError):
                return {}
        entry = self._table.get(id(node))
        if entry is None or entry[0] is None:
            return {}
        return {k: Span.unpack(v) for k, v in entry[0].items()}
