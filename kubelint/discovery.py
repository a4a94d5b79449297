"""Finding the files of a run and reading them as text.

Directories are walked recursively for `*.yaml` / `*.yml`; files named on the
command line are taken whatever their name; `-` is standard input.  Symbolic links
are followed, never in a loop.  The order is sorted by display path so that a run is
deterministic whatever the file system returns.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

YAML_SUFFIXES = (".yaml", ".yml")
DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
    }
)
DEFAULT_MAX_FILE_SIZE = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Candidate:
    """A path to read, or a problem found while walking."""

    display: str
    absolute: str | None  # None for stdin
    problem: str | None = None
    explicit: bool = False


@dataclass(frozen=True, slots=True)
class ReadResult:
    text: str | None
    problem: str | None


def display_path(path: str, cwd: str) -> str:
    absolute = os.path.abspath(os.path.join(cwd, path))
    try:
        rel = os.path.relpath(absolute, cwd)
    except ValueError:  # pragma: no cover - other drive on Windows
        rel = absolute
    shown = absolute if rel.startswith("..") else rel
    return shown.replace(os.sep, "/")


@lru_cache(maxsize=512)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Translate a gitignore-style glob (with `**`) to a regex on posix paths."""
    anchored = "/" in pattern.rstrip("/")
    p = pattern.strip("/")
    out = []
    i = 0
    while i < len(p):
        c = p[i]
        if p.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if p.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = p.find("]", i)
            if end < 0:
                out.append(re.escape(c))
            else:
                out.append(p[i : end + 1])
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    body = "".join(out)
    prefix = "^" if anchored else "^(?:.*/)?"
    return re.compile(prefix + body + "(?:/.*)?$")


def is_excluded(rel_path: str, patterns: Sequence[str]) -> bool:
    return any(_glob_regex(p).match(rel_path) for p in patterns if p)


def discover(
    paths: Sequence[str],
    *,
    cwd: str,
    exclude: Sequence[str] = (),
    exclude_root: str | None = None,
    stdin_name: str | None = None,
) -> list[Candidate]:
    """Every file of the run, sorted, with problems for paths that cannot be walked."""
    root = exclude_root or cwd
    found: dict[str, Candidate] = {}
    problems: list[Candidate] = []
    stdin_seen = False

    def excluded(absolute: str) -> bool:
        if not exclude:
            return False
        rel = os.path.relpath(absolute, root).replace(os.sep, "/")
        return not rel.startswith("..") and is_excluded(rel, exclude)

    for given in paths:
        if given == "-":
            if not stdin_seen:
                stdin_seen = True
                shown = display_path(stdin_name, cwd) if stdin_name else "<stdin>"
                found["\0stdin"] = Candidate(shown, None, explicit=True)
            continue
        absolute = os.path.abspath(os.path.join(cwd, given))
        shown = display_path(absolute, cwd)
        try:
            st = os.stat(absolute)
        except OSError as error:
            problems.append(Candidate(shown, absolute, _link_reason(absolute, error), explicit=True))
            continue
        if stat.S_ISDIR(st.st_mode):
            for cand in _walk(absolute, cwd, excluded):
                found.setdefault(cand.absolute or cand.display, cand)
        elif not excluded(absolute):
            found[absolute] = Candidate(shown, absolute, _special_file(st.st_mode), explicit=True)
    ordered = sorted(found.values(), key=lambda c: (c.absolute is None, c.display))
    return ordered + sorted(problems, key=lambda c: c.display)


def _walk(top: str, cwd: str, excluded: object) -> Iterable[Candidate]:
    seen_dirs: set[tuple[int, int]] = set()
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            st = os.stat(directory)
        except OSError as error:
            yield Candidate(display_path(directory, cwd), directory, _os_reason(error))
            continue
        ident = (st.st_dev, st.st_ino)
        if ident in seen_dirs:
            continue  # a symlink loop or a second link to the same directory
        seen_dirs.add(ident)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as error:
            yield Candidate(display_path(directory, cwd), directory, _os_reason(error))
            continue
        for entry in entries:
            path = entry.path
            if excluded(path):  # type: ignore[operator]
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name not in DEFAULT_EXCLUDED_DIRS:
                    stack.append(path)
                continue
            if not entry.name.endswith(YAML_SUFFIXES):
                continue
            shown = display_path(path, cwd)
            try:
                mode = os.stat(path).st_mode
            except OSError as error:
                yield Candidate(shown, path, _link_reason(path, error))
                continue
            yield Candidate(shown, path, _special_file(mode))


def _os_reason(error: OSError) -> str:
    return (error.strerror or str(error)).lower()


def _link_reason(path: str, error: OSError) -> str:
    if os.path.islink(path):
        return "symbolic link loop" if error.errno == errno.ELOOP else "broken symbolic link"
    return _os_reason(error)


def _special_file(mode: int) -> str | None:
    """Why a path that is not a regular file is not read (None for regular files).

    Opening a FIFO would block forever and reading a device may never end."""
    if stat.S_ISREG(mode):
        return None
    for test, what in (
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISDIR, "a directory"),
    ):
        if test(mode):
            return f"{what}, not a regular file; not read"
    return "not a regular file; not read"


def read_text(candidate: Candidate, *, max_size: int = DEFAULT_MAX_FILE_SIZE) -> ReadResult:
    """Read a file as text, or say why it cannot be read (never raises)."""
    if candidate.problem:
        return ReadResult(None, candidate.problem)
    try:
        if candidate.absolute is None:
            data = sys.stdin.buffer.read(max_size + 1)
        else:
            # O_NONBLOCK: a FIFO swapped in after discovery must not block the run.
            fd = os.open(candidate.absolute, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            with open(fd, "rb") as handle:
                st = os.fstat(handle.fileno())
                special = _special_file(st.st_mode)
                if special:
                    return ReadResult(None, special)
                if st.st_size > max_size:  # refuse without reading it
                    return ReadResult(None, _too_large(max_size))
                data = handle.read(max_size + 1)
    except IsADirectoryError:
        return ReadResult(None, "is a directory")
    except OSError as error:
        return ReadResult(None, _os_reason(error))
    if len(data) > max_size:
        return ReadResult(None, _too_large(max_size))
    return decode(data)


def _too_large(max_size: int) -> str:
    mib = max_size / (1024 * 1024)
    limit = f"{mib:g} MiB" if mib >= 1 else f"{max_size:,} bytes"
    return f"file is larger than {limit}; not read (raise max-file-size in the config to lint it)"


def decode(data: bytes) -> ReadResult:
    """Decode YAML bytes: UTF-8 (with or without BOM), UTF-16/32 with BOM."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return ReadResult(data[len(bom) :].decode(encoding), None)
            except UnicodeDecodeError as error:
                return ReadResult(None, f"not valid {encoding.upper()}: {error.reason}")
    if b"\0" in data[:8192]:
        return ReadResult(None, "binary file (contains NUL bytes), not YAML")
    try:
        return ReadResult(data.decode("utf-8"), None)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return ReadResult(None, f"not valid UTF-8: byte 0x{data[error.start]:02x} on line {line}")
