"""Golden outputs: every format for examples/flask, compared byte for byte.

After a deliberate change (messages, rules, formats) regenerate them with

    KUBELINT_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from integration_helpers import ROOT, example_repository, kubelint

from kubelint import __version__

GOLDEN = Path(ROOT, "tests", "golden")
UPDATE = os.environ.get("KUBELINT_UPDATE_GOLDEN") == "1"
FORMATS = {"text": "txt", "json": "json", "sarif": "sarif", "github": "github"}


def normalise(text: str, repo: Path, fmt: str) -> str:
    """Remove what depends on the machine (the checkout's path) and on the version; in
    SARIF keep only the rule descriptors the results use (the catalogue grows)."""
    uri = "file://" + repo.as_posix() + "/"
    text = text.replace(uri, "file:///REPOSITORY/").replace(f'"{__version__}"', '"VERSION"')
    if fmt == "sarif":
        document = json.loads(text)
        driver = document["runs"][0]["tool"]["driver"]
        used = {r["ruleId"] for r in document["runs"][0]["results"]}
        driver["rules"] = [r for r in driver["rules"] if r["id"] in used]
        for r in document["runs"][0]["results"]:
            r.pop("ruleIndex")  # depends on the size of the catalogue; checked elsewhere
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return text


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_golden_output(tmp_path: Path, fmt: str) -> None:
    repo = example_repository(tmp_path)
    done = kubelint("check", ".", "--no-config", "--color", "never", "-f", fmt, cwd=repo)
    assert done.returncode == 1, done.stderr
    got = normalise(done.stdout, repo, fmt)
    path = GOLDEN / f"flask.{FORMATS[fmt]}"
    if UPDATE:
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"{path} is missing; create it with KUBELINT_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert got == expected, (
        f"{fmt} output differs from {path.relative_to(ROOT)}; if the change is intended, "
        "regenerate with: KUBELINT_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py"
    )
