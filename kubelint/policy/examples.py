"""`kubelint policy test`: run each policy on its own pass and fail examples."""

from __future__ import annotations

from dataclasses import dataclass

from kubelint.model import Manifest, SourceFile
from kubelint.policy.model import Example, Policy
from kubelint.policy.rules import _yaml, policy_rule
from kubelint.rule import RuleContext, Settings


@dataclass(frozen=True)
class ExampleResult:
    policy: Policy
    expect: str  # pass | fail
    line: int
    ok: bool
    detail: str

    def __str__(self) -> str:
        state = "ok  " if self.ok else "FAIL"
        return f"{state} {self.policy.id} {self.policy.name} {self.expect} example ({self.policy.file}:{self.line}): {self.detail}"


def _manifests(example: Example, policy: Policy) -> list[Manifest]:
    from kubelint.classify import classify
    from kubelint.loader import load_stream

    source = SourceFile(f"{policy.file}:{example.line}", _yaml(example.data))
    return list(classify(source, load_stream(source.text)).manifests)


def run_example(policy: Policy, example: Example, expect: str) -> ExampleResult:
    from kubelint.workspace import Workspace

    rule = policy_rule(policy)
    manifests = _manifests(example, policy)
    applicable = [m for m in manifests if rule.applies(m)]
    if not applicable:
        detail = "the policy's match selects nothing in this example"
        return ExampleResult(policy, expect, example.line, False, detail)
    workspace = Workspace(manifests)
    ctx = RuleContext(rule, {}, workspace, Settings(), {})
    messages = [v.message for m in applicable for v in rule.run(m, ctx)]
    if expect == "pass":
        ok = not messages
        detail = "no finding" if ok else f"unexpected finding: {messages[0]}"
    else:
        ok = bool(messages)
        detail = messages[0] if ok else "no finding (the policy let it through)"
    return ExampleResult(policy, expect, example.line, ok, detail)


def run_examples(policy: Policy) -> list[ExampleResult]:
    return [run_example(policy, e, "pass") for e in policy.passing] + [
        run_example(policy, e, "fail") for e in policy.failing
    ]
