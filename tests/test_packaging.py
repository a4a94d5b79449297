"""The wheel lists its packages explicitly: every package of kubelint/ must be listed."""

from __future__ import annotations

import os
import tomllib

from conftest import ROOT


def test_every_kubelint_package_is_in_the_wheel() -> None:
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as handle:
        listed = set(tomllib.load(handle)["tool"]["setuptools"]["packages"])
    found = {
        "kubelint." + os.path.relpath(root, os.path.join(ROOT, "kubelint")).replace(os.sep, ".")
        for root, _dirs, files in os.walk(os.path.join(ROOT, "kubelint"))
        if "__init__.py" in files and "__pycache__" not in root
    }
    found = {"kubelint" if name == "kubelint.." else name for name in found}
    assert found - listed == set(), f"packages missing from pyproject.toml: {sorted(found - listed)}"
