"""Every fixture case: expected findings at their lines, nothing else."""

from __future__ import annotations

import pytest
from fixture_runner import cases, run_case

from kubelint.reporters.text_report import format_finding_line


@pytest.mark.parametrize("case", cases())
def test_fixture(case: str) -> None:
    expected, actual, result = run_case(case)
    missing = sorted(expected - actual)
    unexpected = sorted(actual - expected)
    detail = "\n".join(format_finding_line(f) for f in result.findings)
    assert not missing and not unexpected, (
        f"\nmissing: {missing}\nunexpected: {unexpected}\nall findings:\n{detail}"
    )
