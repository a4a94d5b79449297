"""The same input gives byte-identical output, in every format, whatever the order
in which the file system lists the files, the hash seed of the Python process, or
(where the CLI offers it) the number of worker processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS
from hostile_cases import TEXT_CASES
from test_hostile_input import available_formats

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS_PROJECTS = ("dockersamples__example-voting-app", "GoogleCloudPlatform__microservices-demo")


def _kubelint(cwd: Path, *args: str, seed: str = "0") -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    env["PYTHONHASHSEED"] = seed
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kubelint",
            "check",
            ".",
            "--no-config",
            "--select",
            "ALL",
            "--no-render",
            *args,
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    # SARIF names the tree's own absolute directory (originalUriBaseIds); the two trees
    # live in different directories, which is not a difference in the output.
    return done.stdout.replace(str(cwd), "<tree>")


def _build_tree(root: Path, reverse: bool) -> None:
    """The same files, created in opposite orders (directory listings differ)."""
    files: list[tuple[str, bytes]] = []
    for name, content in TEXT_CASES.items():
        if isinstance(content, str) and len(content) < 100_000:
            files.append((f"hostile/{name}", content.encode("utf-8", "surrogatepass")))
    for directory, _, names in os.walk(os.path.join(ROOT, "examples")):
        for name in names:
            full = os.path.join(directory, name)
            with open(full, "rb") as handle:
                files.append((os.path.relpath(full, ROOT), handle.read()))
    for project in CORPUS_PROJECTS:
        base = os.path.join(CORPUS, project)
        for directory, _, names in os.walk(base):
            for name in names:
                full = os.path.join(directory, name)
                with open(full, "rb") as handle:
                    files.append((os.path.join("corpus", os.path.relpath(full, CORPUS)), handle.read()))
    for rel, data in sorted(files, reverse=reverse):
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    forward = tmp_path_factory.mktemp("forward")
    backward = tmp_path_factory.mktemp("backward")
    _build_tree(forward, reverse=False)
    _build_tree(backward, reverse=True)
    return forward, backward


@pytest.mark.parametrize("fmt", available_formats())
def test_byte_identical_across_order_and_hash_seed(tmp_path: Path, fmt: str) -> None:
    """Both trees are built at the same path (reports may name the working directory)."""
    work = tmp_path / "repo"
    _build_tree(work, reverse=False)
    first = _kubelint(work, "-f", fmt, seed="1")
    assert first.strip()
    assert _kubelint(work, "-f", fmt, seed="1") == first, "two identical runs differ"
    shutil.rmtree(work)
    _build_tree(work, reverse=True)
    assert _kubelint(work, "-f", fmt, seed="2") == first, "file-system order or hash seed changes the output"


def test_worker_count_does_not_change_output(trees: tuple[Path, Path]) -> None:
    forward, _ = trees
    help_text = subprocess.run(
        [sys.executable, "-m", "kubelint", "check", "--help"], capture_output=True, text=True, check=False
    ).stdout
    option = next((o for o in ("--jobs", "--workers") if o in help_text), None)
    if option is None:
        pytest.skip("the CLI has no worker-count option")
    one = _kubelint(forward, "-f", "json", option, "1")
    assert _kubelint(forward, "-f", "json", option, "2") == one


def test_trees_are_the_same_files(trees: tuple[Path, Path]) -> None:
    forward, backward = trees

    def listing(root: Path) -> list[str]:
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    assert listing(forward) == listing(backward)
