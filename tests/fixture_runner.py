"""Self-describing rule fixtures, flake8-style.

A case is a YAML file or a directory under tests/fixtures/rules/.

* Each expected finding is pinned with a trailing comment on its line:
  `# expect: KL401` (line only), `# expect: KL401:22` (line and column), several
  separated by commas.  `# expect-at 12: KL001` pins a finding on another line
  (for lines that cannot hold a comment).
* Which rules a case checks: a `# fixture: select=KL4,KL501 [ignore=...]` header
  line in a file case; a `.kubelint.yaml` in a directory case (used as its config).
* The runner reports missing and unexpected findings; a case with no expectation is
  a clean case: it must produce no finding among its selected rules.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from kubelint.cli import build_registry, settings_from_config
from kubelint.config import parse_config
from kubelint.engine import Engine, RunResult
from kubelint.policy.setup import prepare_run
from kubelint.registry import Selection

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "rules")
_EXPECT_RE = re.compile(r"#\s*expect:\s*([A-Z]{2,10}\d+(?::\d+)?(?:\s*,\s*[A-Z]{2,10}\d+(?::\d+)?)*)")
_EXPECT_AT_RE = re.compile(
    r"#\s*expect-at\s+(\d+):\s*([A-Z]{2,10}\d+(?::\d+)?(?:\s*,\s*[A-Z]{2,10}\d+(?::\d+)?)*)"
)
_HEADER_RE = re.compile(r"#\s*fixture:\s*(.*)$", re.M)


@dataclass(frozen=True, order=True)
class Expected:
    file: str
    line: int
    rule: str
    column: int | None = None


def cases() -> list[str]:
    return sorted(
        name
        for name in os.listdir(FIXTURES)
        if name.endswith((".yaml", ".yml")) or os.path.isdir(os.path.join(FIXTURES, name))
    )


def _expectations(path: str, display: str) -> set[Expected]:
    out: set[Expected] = set()
    with open(path, encoding="utf-8", errors="replace") as handle:
        lines = handle.read().splitlines()
    for number, text in enumerate(lines, start=1):
        for match in _EXPECT_RE.finditer(text):
            out |= _parse(display, number, match.group(1))
        for match in _EXPECT_AT_RE.finditer(text):
            out |= _parse(display, int(match.group(1)), match.group(2))
    return out


def _parse(display: str, line: int, spec: str) -> set[Expected]:
    out = set()
    for item in spec.split(","):
        rule, _, col = item.strip().partition(":")
        out.add(Expected(display, line, rule, int(col) if col else None))
    return out


def _header_config(text: str) -> dict[str, object]:
    match = _HEADER_RE.search(text)
    if not match:
        raise AssertionError("fixture has no '# fixture: select=...' header")
    raw: dict[str, object] = {}
    for part in match.group(1).split():
        key, _, value = part.partition("=")
        raw[key] = [v for v in value.split(",") if v]
    return raw


def run_case(name: str) -> tuple[set[Expected], set[Expected], RunResult]:
    """(expected, actual, result) for one case, restricted to its selected rules."""
    registry = build_registry()
    case = os.path.join(FIXTURES, name)
    if os.path.isdir(case):
        cwd = case
        config_file = os.path.join(case, ".kubelint.yaml")
        has_config = os.path.exists(config_file)
        # prepare_run also loads the case's custom policies (policy-rules:, policies:)
        registry, config = prepare_run(config_file if has_config else None, case, no_config=not has_config)
        targets = ["."]
        files = []
        for root, _dirs, names in os.walk(case):
            for n in names:
                if n.endswith((".yaml", ".yml", ".env")) or n == ".env" or n.startswith(".env"):
                    full = os.path.join(root, n)
                    files.append((full, os.path.relpath(full, case).replace(os.sep, "/")))
    else:
        cwd = FIXTURES
        with open(case, encoding="utf-8", errors="replace") as handle:
            config = parse_config(_header_config(handle.read()), registry)
        config.root = FIXTURES
        targets = [name]
        files = [(case, name)]
    if config.select is None:
        raise AssertionError(f"{name}: a fixture must select its rules explicitly")
    expected: set[Expected] = set()
    for full, display in files:
        if os.path.basename(full) == ".kubelint.yaml":
            continue
        expected |= _expectations(full, display)
    settings = settings_from_config(config, cwd, read_environment=False)
    engine = Engine(
        registry=registry,
        config=config,
        selection=Selection(config.select, config.extend_select, config.ignore),
        cwd=cwd,
        settings=settings,
    )
    result = engine.run(targets)
    with_columns = {(e.file, e.line, e.rule) for e in expected if e.column is not None}
    actual: set[Expected] = set()
    for f in result.findings:
        line = f.span.line if f.span else 0
        column = f.span.column if f.span else None
        if (f.file, line, f.rule_id) in with_columns:
            actual.add(Expected(f.file, line, f.rule_id, column))
        else:
            actual.add(Expected(f.file, line, f.rule_id))
    return expected, actual, result
