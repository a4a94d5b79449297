"""docs/rules/ is generated from the rules' docstrings and must stay in step."""

from __future__ import annotations

import os
from pathlib import Path

from integration_helpers import ROOT

from kubelint.check_command import build_registry
from kubelint.rule_docs import REGENERATE_COMMAND, expected_pages, rule_doc_url, stale_pages, write_pages

DOCS = os.path.join(ROOT, "docs", "rules")


def test_committed_rule_docs_are_up_to_date() -> None:
    stale = stale_pages(DOCS, build_registry())
    assert not stale, f"docs/rules is stale ({', '.join(stale)}); regenerate with: {REGENERATE_COMMAND}"


def test_every_rule_has_a_page_with_the_fixed_headings() -> None:
    registry = build_registry()
    pages = expected_pages(registry)
    for r in registry:
        text = pages[f"{r.id}.md"]
        assert text.startswith(f"# {r.id} {r.name}\n")
        for heading in ("What it does", "Why is this bad?", "Example", "Use instead"):
            assert f"## {heading}" in text, (r.id, heading)
        assert rule_doc_url(r.id).endswith(f"docs/rules/{r.id}.md")


def test_staleness_is_detected_and_fixed(tmp_path: Path) -> None:
    registry = list(build_registry())
    write_pages(str(tmp_path), registry)
    assert stale_pages(str(tmp_path), registry) == []
    (tmp_path / "KL501.md").write_text("old\n")
    (tmp_path / "KL999.md").write_text("a removed rule\n")
    assert stale_pages(str(tmp_path), registry) == ["KL501.md", "KL999.md"]
    assert write_pages(str(tmp_path), registry) == ["KL501.md", "KL999.md"]
    assert stale_pages(str(tmp_path), registry) == [] and not (tmp_path / "KL999.md").exists()


def test_check_command_exits_1_with_the_regenerate_command(tmp_path: Path) -> None:
    import subprocess
    import sys

    run = [sys.executable, "-m", "kubelint.rule_docs"]
    stale = subprocess.run([*run, "--check", str(tmp_path)], capture_output=True, text=True, check=False)
    assert stale.returncode == 1 and REGENERATE_COMMAND in stale.stderr
    subprocess.run([*run, str(tmp_path)], capture_output=True, check=True)
    fresh = subprocess.run([*run, "--check", str(tmp_path)], capture_output=True, text=True, check=False)
    assert fresh.returncode == 0, fresh.stderr
