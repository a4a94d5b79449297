"""The project checks itself: ruff (lint and format) and mypy on kubelint/ and rules/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


PYTHON_DIRS = [d for d in ("kubelint", "rules", "tests", "bench") if os.path.isdir(os.path.join(ROOT, d))]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def _tool(name: str) -> str:
    found = shutil.which(name, path=os.path.dirname(sys.executable)) or shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return found


def test_ruff_lint() -> None:
    done = _run(_tool("ruff"), "check", *PYTHON_DIRS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format() -> None:
    done = _run(_tool("ruff"), "format", "--check", *PYTHON_DIRS)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy() -> None:
    done = _run(_tool("mypy"), "kubelint", "rules")
    assert done.returncode == 0, done.stdout + done.stderr
