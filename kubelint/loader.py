"""YAML loading with exact positions.

Parsing is done by libyaml through PyYAML's C parser (the fastest parser with
positions available from PyPI; see README "Performance").  Nodes are turned into
plain data by a small constructor of our own that

* applies the YAML 1.2 core schema (what Compose's and Kubernetes' Go parsers read:
  `80:80` and `yes` stay strings, `0x1F` is an int),
* never constructs language-specific tags (`!!python/...`): every node becomes a
  dict, list or scalar, unknown tags are reported,
* handles anchors, aliases and merge keys (`<<`), with a guard against alias bombs,
* reports duplicate keys and complex (non-scalar) keys,
* records the span of every key and value in a side table (see positions.py).

A syntax error in one document of a stream does not lose the others: parsing
resumes at the next `---` line after the error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kubelint.positions import PositionMap, Span, pack

try:  # pragma: no branch - PyYAML wheels ship libyaml
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - pure-Python fallback, slower but correct
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


_PACK_LIMIT = 1 << 24  # spans at or above this are clamped by pack()

MAX_DEPTH = 200
"""Deepest nesting we construct; real manifests stay far below 60 levels."""

MAX_EXPANDED_NODES = 500_000
"""Largest document, counted with every alias expanded (bounds alias bombs)."""

MAX_SYNTAX_ERRORS = 50
"""Syntax errors reported per file; the rest of a file that broken is not read."""

MAX_NUMBER_LENGTH = 310
"""Longest plain scalar read as a number.  Longer digit strings do not fit a float64,
so Go's YAML parsers (Kubernetes, Compose) read them as strings, and so do we; it
also keeps Python's slow huge-integer conversion out of reach."""

_TAG_PREFIX = "tag:yaml.org,2002:"
_STR = _TAG_PREFIX + "str"
_MAP = _TAG_PREFIX + "map"
_SEQ = _TAG_PREFIX + "seq"
_PLAIN = "!kubelint/plain"  # an untagged plain scalar, typed by _plain_scalar()
_CORE_SCALAR_TAGS = frozenset(
    _TAG_PREFIX + t for t in ("str", "int", "float", "bool", "null", "binary", "timestamp")
)
_KNOWN_TAGS = _CORE_SCALAR_TAGS | {_MAP, _SEQ, _PLAIN, _TAG_PREFIX + "omap", _TAG_PREFIX + "set"}

_INT_RE = re.compile(r"[-+]?[0-9]+")
_FLOAT_RE = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_TYPED_START = frozenset("0123456789+-.~nNtTfF")
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_TRUE = frozenset(("true", "True", "TRUE"))
_FALSE = frozenset(("false", "False", "FALSE"))
_DOC_START_RE = re.compile(r"^---(?:[ \t]|$)", re.MULTILINE)


def _plain_scalar(value: str) -> Any:
    """Type a plain scalar by the YAML 1.2 core schema."""
    if (value and value[0] not in _TYPED_START) or len(value) > MAX_NUMBER_LENGTH:
        return value
    if value in _NULLS:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT_RE.fullmatch(value):
        return int(value)
    if value.startswith(("0o", "0x")) and len(value) > 2:
        try:
            return int(value[2:], 8 if value[1] == "o" else 16)
        except ValueError:
            return value
    if _FLOAT_RE.fullmatch(value):
        return float(value)
    lowered = value.lower()
    if lowered in (".inf", "+.inf"):
        return float("inf")
    if lowered == "-.inf":
        return float("-inf")
    if lowered == ".nan":
        return float("nan")
    return value


class _Loader(_Parser):  # type: ignore[misc, valid-type]
    """libyaml's parser and composer with a resolver that defers typing to us."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.yaml_version = None

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        if kind is SequenceNode:
            return _SEQ
        return _MAP

    # The pure-Python composer also asks for these.
    def descend_resolver(self, *args: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


@dataclass(slots=True)
class LoadProblem:
    """Something wrong in the YAML itself, with where it is."""

    code: str  # syntax | duplicate-key | complex-key | non-string-key | unknown-tag | too-large | too-deep
    message: str
    span: Span


@dataclass(slots=True)
class LoadedDocument:
    index: int  # 0-based position in the stream
    data: Any
    positions: PositionMap
    problems: list[LoadProblem] = field(default_factory=list)
    uses_aliases: bool = False


@dataclass(slots=True)
class LoadResult:
    documents: list[LoadedDocument]
    problems: list[LoadProblem]  # stream-level problems (syntax errors)


class _TooDeep(Exception):
    def __init__(self, node: Node) -> None:
        self.node = node


class _Constructor:
    """Turns one composed node graph into data plus a position table."""

    __slots__ = ("aliased", "memo", "offset", "owners", "problems", "table")

    def __init__(self, line_offset: int) -> None:
        self.offset = line_offset + 1  # libyaml lines are 0-based
        self.table: dict[int, tuple[Any, Any]] = {}
        self.owners: list[Any] = []  # the table's containers, in order (for pickling)
        self.memo: dict[int, Any] = {}
        self.problems: list[LoadProblem] = []
        self.aliased = False

    def span(self, node: Node) -> int:
        s, e = node.start_mark, node.end_mark
        off = self.offset
        line, column, end_line, end_column = s.line + off, s.column + 1, e.line + off, e.column + 1
        if (
            line < _PACK_LIMIT
            and column < _PACK_LIMIT
            and end_line < _PACK_LIMIT
            and end_column < _PACK_LIMIT
        ):
            # pack() inlined: this runs for every node of every file.
            return (line << 72) | (column << 48) | (end_line << 24) | end_column
        return pack(line, column, end_line, end_column)

    def problem(self, code: str, message: str, node: Node) -> None:
        self.problems.append(LoadProblem(code, message, Span.unpack(self.span(node))))

    def construct(self, node: Node, depth: int = 0) -> Any:
        key = id(node)
        if key in self.memo:
            self.aliased = True
            return self.memo[key]
        if depth > MAX_DEPTH:
            raise _TooDeep(node)
        cls = node.__class__
        if cls is ScalarNode:
            tag = node.tag
            if tag == _PLAIN:
                value = _plain_scalar(node.value)
            elif tag == _STR:
                value = node.value
            else:
                value = self.tagged_scalar(node)  # type: ignore[arg-type]
            # Scalars are not memoised: equal scalars need no identity.
            return value
        if cls is MappingNode:
            return self.mapping(node, depth)  # type: ignore[arg-type]
        return self.sequence(node, depth)  # type: ignore[arg-type]

    def tagged_scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        raw = node.value
        if tag == _TAG_PREFIX + "null":
            return None
        if tag == _TAG_PREFIX + "bool":
            typed = _plain_scalar(raw)
            return typed if isinstance(typed, bool) else raw
        if tag in (_TAG_PREFIX + "int", _TAG_PREFIX + "float"):
            typed = _plain_scalar(raw)
            if isinstance(typed, (int, float)) and not isinstance(typed, bool):
                return typed
            return raw
        if tag not in _KNOWN_TAGS:
            self.problem("unknown-tag", f"unknown tag {tag!r} is read as a plain string", node)
        return raw

    def non_string_key(self, node: Node, typed: Any) -> None:
        what = "null" if typed is None else "a boolean" if isinstance(typed, bool) else "a number"
        shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."  # type: ignore[attr-defined]
        self.problem(
            "non-string-key", f'key {shown} is read as {what}, not a string; quote it: "{shown}"', node
        )

    def mapping(self, node: MappingNode, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        self.memo[id(node)] = result
        if node.tag not in _KNOWN_TAGS:
            self.problem("unknown-tag", f"unknown tag {node.tag!r} is read as a mapping", node)
        keys: dict[str, int] = {}
        values: dict[str, int] = {}
        merges: list[Node] = []
        span = self.span
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode:
                self.problem("complex-key", "a mapping or sequence used as a key is not supported", key_node)
                continue
            if key_node.tag == _PLAIN and key_node.value == "<<":
                merges.append(value_node)
                continue
            key = key_node.value
            if key_node.tag == _PLAIN and (not key or key[0] in _TYPED_START):
                typed = _plain_scalar(key)
                if not isinstance(typed, str):
                    self.non_string_key(key_node, typed)
                    if typed is None:
                        key = "null"
            if key in values:
                self.problem("duplicate-key", f"duplicate key {key!r}", key_node)
            # Untagged scalars inlined (construct() memoises no scalar, so this is the same).
            if value_node.__class__ is ScalarNode and value_node.tag == _PLAIN:
                result[key] = _plain_scalar(value_node.value)
            elif value_node.__class__ is ScalarNode and value_node.tag == _STR:
                result[key] = value_node.value
            else:
                result[key] = self.construct(value_node, depth + 1)
            keys[key] = span(key_node)
            values[key] = span(value_node)
        if merges:
            self.merge(result, keys, values, merges, depth)
        self.table[id(result)] = (keys, values)
        self.owners.append(result)
        return result

    def merge(
        self,
        result: dict[str, Any],
        keys: dict[str, int],
        values: dict[str, int],
        merges: list[Node],
        depth: int,
    ) -> None:
        """Apply `<<` merge keys: explicit keys win, earlier sources win over later."""
        sources: list[Node] = []
        for merge in merges:
            if merge.__class__ is SequenceNode:
                sources.extend(merge.value)
            else:
                sources.append(merge)
        for source in sources:
            if source.__class__ is not MappingNode:
                self.problem("merge", "a merge key (<<) must refer to a mapping", source)
                continue
            merged = self.construct(source, depth + 1)
            self.aliased = True
            entry = self.table.get(id(merged))
            for k, v in merged.items():
                if k in result:
                    continue
                result[k] = v
                if entry is not None:
                    keys[k] = entry[0][k]
                    values[k] = entry[1][k]

    def sequence(self, node: SequenceNode, depth: int) -> list[Any]:
        result: list[Any] = []
        self.memo[id(node)] = result
        if node.tag not in _KNOWN_TAGS:
            self.problem("unknown-tag", f"unknown tag {node.tag!r} is read as a sequence", node)
        spans: list[int] = []
        for item in node.value:
            result.append(self.construct(item, depth + 1))
            spans.append(self.span(item))
        self.table[id(result)] = (None, spans)
        self.owners.append(result)
        return result


def _expanded_size(node: Node, sizes: dict[int, int]) -> int:
    """Node count with every alias expanded, memoised per node (iterative)."""
    stack: list[tuple[Node, bool]] = [(node, False)]
    while stack:
        current, done = stack.pop()
        key = id(current)
        if key in sizes:
            continue
        if current.__class__ is ScalarNode:
            sizes[key] = 1
            continue
        children: list[Node]
        if current.__class__ is MappingNode:
            children = [n for pair in current.value for n in pair]
        else:
            children = list(current.value)
        if done:
            total = 1
            for child in children:
                total += sizes.get(id(child), 1)
                if total > MAX_EXPANDED_NODES:
                    break
            sizes[key] = total
        else:
            stack.append((current, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(node)]


def _syntax_problem(error: Exception, line_offset: int, text: str = "") -> LoadProblem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or (str(error).splitlines() or [type(error).__name__])[0]
    context = getattr(error, "context", None)
    message = f"{context}: {problem}" if context and problem else str(problem)
    code = "syntax"
    if "maximum nesting depth" in message or isinstance(error, RecursionError):
        code, message = "too-deep", "nesting too deep for the YAML parser; document not linted"
    if isinstance(error, yaml.reader.ReaderError):  # a character YAML forbids: find it
        bad = chr(error.character) if isinstance(error.character, int) else str(error.character)
        message = f"character {bad!r} is not allowed in YAML ({error.reason})"
        at = text.find(bad) if bad else -1
        if at >= 0:
            line = text.count("\n", 0, at)
            column = at - (text.rfind("\n", 0, at) + 1)
            return LoadProblem(code, message, Span.point(line + 1 + line_offset, column + 1))
    if mark is None:
        return LoadProblem(code, message, Span.point(1 + line_offset, 1))
    if "cannot start any token" in message and _char_at(text, mark.line, mark.column) == "\t":
        message = "a tab character where YAML expects indentation or a value; indent with spaces"
    return LoadProblem(code, message, Span.point(mark.line + 1 + line_offset, mark.column + 1))


def _char_at(text: str, line: int, column: int) -> str:
    """The character at a 0-based line and column of `text` ("" if there is none)."""
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    return text[start + column : start + column + 1]


def _compose_stream(text: str, line_offset: int) -> Iterator[Node | Exception]:
    """Yield root nodes of each document; an exception ends the stream."""
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                yield node
    except (yaml.YAMLError, ValueError, RecursionError, MemoryError) as error:
        yield error
    finally:
        loader.dispose()


def load_stream(text: str) -> LoadResult:
    """Load every document of a YAML stream, resuming after syntax errors."""
    documents: list[LoadedDocument] = []
    problems: list[LoadProblem] = []
    offset = 0
    remaining = text
    index = 0
    while True:
        failed: LoadProblem | None = None
        for item in _compose_stream(remaining, offset):
            if isinstance(item, Exception):
                failed = _syntax_problem(item, offset, remaining)
                break
            documents.append(_construct_document(item, index, offset))
            index += 1
        if failed is None:
            break
        problems.append(failed)
        if len(problems) >= MAX_SYNTAX_ERRORS:
            problems.append(
                LoadProblem(
                    "syntax",
                    f"more than {MAX_SYNTAX_ERRORS} syntax errors; the rest of the file is not read",
                    failed.span,
                )
            )
            break
        # Resume at the next document marker after the error line.
        error_line = failed.span.line - offset  # 1-based within `remaining`
        resume_at = _next_document_start(remaining, error_line - 1)
        if resume_at == 0:  # the error is on the first line's marker: skip past it
            resume_at = _next_document_start(remaining, 1)
        if resume_at is None:
            break
        skipped_lines = remaining.count("\n", 0, resume_at)
        offset += skipped_lines
        remaining = remaining[resume_at:]
        index += 1  # the broken document keeps its number
    return LoadResult(documents, problems)


def _next_document_start(text: str, after_line: int) -> int | None:
    """Offset of the first `---` line after the first `after_line` lines."""
    pos = 0
    for _ in range(after_line):
        nl = text.find("\n", pos)
        if nl < 0:
            return None
        pos = nl + 1
    match = _DOC_START_RE.search(text, pos)
    return match.start() if match else None


def _construct_document(root: Node, index: int, offset: int) -> LoadedDocument:
    constructor = _Constructor(offset)
    try:
        data = constructor.construct(root)
    except _TooDeep as deep:
        span = Span.unpack(constructor.span(deep.node))
        problem = LoadProblem(
            "too-deep", f"nesting deeper than {MAX_DEPTH} levels; document not linted", span
        )
        return _empty_document(index, constructor, root, [problem])
    if constructor.aliased and _expanded_size(root, {}) > MAX_EXPANDED_NODES:
        problem = LoadProblem(
            "too-large",
            f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes (an alias bomb?); document not linted",
            Span.unpack(constructor.span(root)),
        )
        return _empty_document(index, constructor, root, [problem])
    positions = PositionMap(data, constructor.span(root), constructor.table, constructor.owners)
    return LoadedDocument(index, data, positions, constructor.problems, constructor.aliased)


def _empty_document(
    index: int, constructor: _Constructor, root: Node, problems: list[LoadProblem]
) -> LoadedDocument:
    return LoadedDocument(index, None, PositionMap(None, constructor.span(root), {}, []), problems)
