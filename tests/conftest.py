from __future__ import annotations

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# ../shared next to the repository; KUBELINT_SHARED points elsewhere (a git worktree).
SHARED = os.environ.get("KUBELINT_SHARED") or os.path.abspath(os.path.join(ROOT, "..", "shared"))
CORPUS = os.path.join(SHARED, "corpus")
REFERENCE = os.path.join(SHARED, "reference")

sys.path.insert(0, os.path.join(ROOT, "tests"))


def need_shared(path: str) -> str:
    """Skip (with the reason) when ../shared is not next to the repository."""
    if not os.path.exists(path):
        pytest.skip(f"{path} is absent: this test needs the shared corpus/reference data")
    return path
