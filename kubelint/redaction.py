"""Keeping secret values out of every output.

Three layers, so that a value is hidden even when no rule flagged it (the secrets
rules may be turned off, the file may not even parse):

* `redact_text` masks what is unmistakably a secret in any text (a finding's
  message, fix or note): PEM private keys, passwords in URLs, well-known token
  formats.  The engine applies it to every finding it stamps.
* `value_spans` finds, in a parsed manifest, the spans of every value that may hold
  a secret: values under a secret-looking key (`DB_PASSWORD: x`), `env` entries
  named like a secret, Secret `data`/`stringData`, Compose `environment` entries,
  and strings that are secrets whatever their key.
* `mask_source_line` masks a source line as it is shown in a code frame: the spans
  above, plus, textually, whatever follows a secret-looking name on that line (for
  lines that did not parse: a syntax error, a duplicate key).

Masking keeps the length of the line, so carets still point at the right column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kubelint.secrets import (
    _PEM_PRIVATE,
    _TOKEN_FORMATS,
    _URL_CREDENTIALS,
    is_placeholder,
    is_secret_name,
    may_contain_secret_format,
    name_tokens,
    secret_value_kind,
)

if TYPE_CHECKING:
    from kubelint.model import Manifest
    from kubelint.positions import Path, Span

MASK = "*"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_ASSIGNMENT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*=")
_ENV_NAMES = frozenset({"env", "environment"})
# Everything a secret name or an unmistakable secret contains one of: a line without
# any is shown as it is, without the slower checks.
_HINT_WORDS = ("pass", "pwd", "secret", "token", "key", "cred", "auth", "bearer", "private")
_HINT_MARKS = ("://", "AKIA", "ASIA", "gh", "xox", "AIza", "_live_")


def _hint_end(text: str) -> int | None:
    """End of the first hint of a secret in `text` (None: nothing to mask).  Plain
    substring searches: fast on multi-megabyte lines."""
    lowered = text.lower()
    ends = [i + len(w) for w in _HINT_WORDS if (i := lowered.find(w)) >= 0]
    ends += [i + len(m) for m in _HINT_MARKS if (i := text.find(m)) >= 0]
    return min(ends) if ends else None


_NOT_BLANK = re.compile(r"[^ \t]")
LONG_LINE = 2000
"""Lines longer than this are masked crudely (everything after the first hint)."""
SECRET_PLAIN_FIELDS = frozenset({"apiVersion", "kind", "metadata", "type", "immutable"})
"""Fields of a Secret that hold no secret; every other value of a Secret may."""


def may_hold_secret(name: str) -> bool:
    """A key or variable name whose value a report must not show.  Broader than
    `secrets.is_secret_name` (which decides what to *report*): any `*_KEY` counts."""
    if is_secret_name(name):
        return True
    tokens = name_tokens(name)
    return len(tokens) >= 2 and tokens[-1] == "key"


def _mask(text: str, start: int, end: int) -> str:
    return text[:start] + MASK * (end - start) + text[end:]


def redact_text(text: str) -> str:
    """`text` with every unmistakable secret in it masked (same length)."""
    if len(text) < 8 or not may_contain_secret_format(text):
        return text  # nearly every finding's message: a few substring tests, no scans
    for match in _URL_CREDENTIALS.finditer(text):
        password = match.group(2)
        if "$" not in password and "{{" not in password and not is_placeholder(password):
            text = _mask(text, match.start(2), match.end(2))
    for _, pattern in _TOKEN_FORMATS:
        for match in pattern.finditer(text):
            text = _mask(text, match.start(), match.end())
    pem = _PEM_PRIVATE.search(text)
    if pem:  # everything from the key's header on
        text = text[: pem.start()] + MASK * (len(text) - pem.start())
    return text


def mentions_secret(text: object) -> bool:
    """True for a string that is a secret or names one (`DB_PASSWORD=x`, `--token`):
    a message must not quote it."""
    if not isinstance(text, str):
        return False
    text = text[:10_000]  # messages quote at most the first 40 characters
    if _hint_end(text) is None:
        return False
    if secret_value_kind(text) is not None or redact_text(text) != text:
        return True
    return any(may_hold_secret(word) for word in _IDENTIFIER.findall(text))


def mask_line_text(line: str) -> str:
    """Mask, textually, the values that follow secret-looking names on a line.

    * `password: hunter2`, `"api_key": "x"`: the rest of the line;
    * `DB_PASSWORD=hunter2`, `...;Password=x;...`: the value up to `;`, `&`, `,` or a space;
    * `- {name: API_TOKEN, value: x}`: everything after the name;
    * `args: [--token, abc]`: the next word.

    References (`${DB_PASSWORD}`) and placeholders stay readable, and lines that only
    name a secret (`kind: Secret`, `- name: DB_PASSWORD`, `image: wi-secret-store:1`)
    are unchanged."""
    hint = _hint_end(line)
    if hint is None:
        return line
    if len(line) > LONG_LINE:  # bounded time on minified or generated lines
        return line[:hint] + _NOT_BLANK.sub(MASK, line[hint:])
    line = redact_text(line)
    position = 0
    while True:
        match = _IDENTIFIER.search(line, position)
        if match is None:
            return line
        position = match.end()
        if not may_hold_secret(match.group()):
            continue
        before, after = line[: match.start()], line[match.end() :]
        if _NAME_VALUE.search(before):  # `name: API_TOKEN, value: x` (a flow env entry)
            return line[: match.end()] + _mask_value(after)
        separator = _SEPARATOR.match(after)
        if separator:
            start = match.end() + separator.end()
            end = len(line) if "=" not in separator.group() else _value_end(line, start)
        else:
            flag = before.endswith("-") and _FLAG_GAP.match(after)
            if not flag:
                continue
            start = match.end() + flag.end()
            end = _value_end(line, start)
        value = line[start:end].strip().strip("\"'")
        if value and not is_placeholder(value.split(" #")[0].strip().strip("\"'")):
            line = line[:start] + _mask_value(line[start:end]) + line[end:]
        position = max(end, position)


_NAME_VALUE = re.compile(r"\bname\s*:\s*[\"']?$")
_SEPARATOR = re.compile(r"[\"']?\s*(?::(?=\s|$)|=)\s*")
_FLAG_GAP = re.compile(r"[\"']?[\s,]+[\"']?")
_VALUE_END = re.compile(r"[\s;&,\"']")


def _value_end(line: str, start: int) -> int:
    found = _VALUE_END.search(line, start)
    return found.start() if found else len(line)


def _mask_value(text: str) -> str:
    return "".join(c if c in " \t\"':=,{}[]" else MASK for c in text)


def mask_spans(text: str, number: int, spans: list[Span]) -> str:
    """The source line `number` with every span on it replaced by asterisks."""
    for s in spans:
        if s.line <= number <= s.end_line:
            start = s.column - 1 if s.line == number else 0
            end = s.end_column - 1 if s.end_line == number else len(text)
            if end > start:
                text = text[:start] + MASK * (end - start) + text[end:]
    return text


def mask_source_line(text: str, number: int, spans: list[Span]) -> str:
    """A source line as a report may show it: secret spans and secret-looking
    assignments masked."""
    return mask_line_text(mask_spans(text, number, spans))


def value_spans(manifest: Manifest) -> Iterator[Span]:
    """Spans of every value in `manifest` that may hold a secret."""
    for path in _secret_paths(manifest.data, (), secret_context=_is_secret_object(manifest)):
        try:
            yield manifest.span(path)
        except Exception:
            continue


def _is_secret_object(manifest: Manifest) -> bool:
    return getattr(manifest, "kind", None) == "Secret"


def _secret_paths(data: Any, path: Path, *, secret_context: bool, depth: int = 0) -> Iterator[Path]:
    """Paths of values that may hold a secret (iterative enough for real manifests)."""
    if depth > 200:
        return
    if isinstance(data, dict):
        for key, value in data.items():
            child = (*path, key)
            secret_key = isinstance(key, str) and may_hold_secret(key)
            in_secret_data = secret_context and not path and key not in SECRET_PLAIN_FIELDS
            if in_secret_data:
                yield from _all_leaves(value, child, depth + 1)
                continue
            if secret_key and not isinstance(value, (dict, list)) and not _is_reference(value):
                yield child
                continue
            if key in _ENV_NAMES and isinstance(value, (dict, list, str)):
                yield from _environment(value, child, depth + 1)
                continue
            yield from _secret_paths(value, child, secret_context=False, depth=depth + 1)
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _secret_paths(item, (*path, i), secret_context=False, depth=depth + 1)
    elif isinstance(data, str) and secret_value_kind(data) is not None:
        yield path


def _environment(value: Any, path: Path, depth: int) -> Iterator[Path]:
    """Compose `environment` (map, list of NAME=value, or a stray string) and
    Kubernetes `env` lists."""
    if isinstance(value, str):
        if mentions_secret(value):
            yield path
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                match = _ASSIGNMENT.match(item)
                named = match is not None and may_hold_secret(match.group(1))
                if (named and not _is_reference(item.partition("=")[2])) or secret_value_kind(item):
                    yield (*path, i)
            elif (
                isinstance(item, dict) and isinstance(item.get("name"), str) and may_hold_secret(item["name"])
            ):
                # An env entry named like a secret: its literal value (references are fine).
                for key, value in item.items():
                    if key != "name" and not (key == "valueFrom" and isinstance(value, dict)):
                        yield from _all_leaves(value, (*path, i, key), depth + 1)
            else:
                yield from _secret_paths(item, (*path, i), secret_context=False, depth=depth + 1)
        return
    yield from _secret_paths(value, path, secret_context=False, depth=depth)


def _is_reference(value: Any) -> bool:
    """`${DB_PASSWORD}`, `<password>`, `changeme`: nothing to hide."""
    return isinstance(value, str) and is_placeholder(value)


def _all_leaves(value: Any, path: Path, depth: int) -> Iterator[Path]:
    if depth > 200:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _all_leaves(item, (*path, key), depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _all_leaves(item, (*path, i), depth + 1)
    else:
        yield path
