"""Report writers.  Each module has `render(result, context) -> str`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kubelint.engine import RunResult
    from kubelint.registry import Registry

FORMATS = ("text", "json", "sarif", "github")


@dataclass(frozen=True)
class ReportContext:
    registry: Registry
    color: bool = False
    cwd: str = "."
    show_frames: bool = True
    tool_version: str = "0"
    frame_lines: int = 0  # lines of source shown before and after the finding's line


def renderer(fmt: str) -> Callable[[RunResult, ReportContext], str]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    module = import_module(f"kubelint.reporters.{fmt}_report")
    return module.render  # type: ignore[no-any-return]
