"""A policy becomes a `Rule` like any other: same selection, suppressions,
severities, docs and SARIF metadata."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubelint.compose import iter_services
from kubelint.model import ComposeFile, Format, K8sObject, Manifest, Violation
from kubelint.policy.evaluate import Failure, Subject, failures
from kubelint.policy.model import Example, Policy
from kubelint.policy.paths import format_path
from kubelint.policy.templates import render
from kubelint.rule import Rule, RuleContext, summary_of


class PolicyCheck:
    """The check function of a policy rule (stateless: the policy is immutable)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def __call__(self, manifest: Manifest, ctx: RuleContext | None) -> Iterator[Violation]:
        workspace = ctx.workspace if ctx is not None else None
        for subject in subjects(self.policy, manifest, workspace):
            for failure in failures(self.policy, subject, workspace):
                yield self._violation(subject, failure)

    def _violation(self, subject: Subject, failure: Failure) -> Violation:
        policy = self.policy
        template = failure.message or policy.message
        message = failure.error
        if template:
            variables = {
                "object": subject.data,
                "kind": subject.kind,
                "name": subject.name,
                "namespace": subject.namespace,
                "path": format_path(failure.path),
                "value": failure.value,
                "item": failure.item,
                "expected": failure.expected,
                "error": failure.error,
            }
            message = render(template, variables) or failure.error
        elif subject.base:  # a Compose service: say which
            message = f"service {subject.name!r}: {message}"
        fix = " ".join(policy.remediation.split()) if policy.remediation else None
        path = subject.base + failure.path
        return Violation(path, message, key=failure.key and bool(path), fix=fix,
                         fingerprint=f"{format_path(subject.base + failure.path)}|{failure.error}")  # fmt: skip


def subjects(policy: Policy, manifest: Manifest, workspace: Any) -> Iterator[Subject]:
    match = policy.match
    if isinstance(manifest, ComposeFile):
        if not match.compose:
            return
        for service in iter_services(manifest):
            if match.matches("ComposeService", "", "", service.name, {}):
                yield Subject(service.data, "ComposeService", service.name, "", service.path)
        return
    if not isinstance(manifest, K8sObject) or match.compose:
        return
    namespace = workspace.namespace_of(manifest) if workspace is not None else manifest.namespace or "default"
    labels = dict(manifest.labels)
    if match.matches(manifest.kind, manifest.api_version, namespace, manifest.name, labels):
        yield Subject(manifest.data, manifest.kind, manifest.name, namespace, (), manifest)


def _yaml(data: Any) -> str:
    import yaml

    if isinstance(data, list):
        return "---\n".join(yaml.safe_dump(d, sort_keys=False) for d in data)
    return yaml.safe_dump(data, sort_keys=False)


def policy_docs(policy: Policy) -> str:
    def example(examples: tuple[Example, ...]) -> str:
        return f"\n\n```yaml\n{_yaml(examples[0].data).rstrip()}\n```" if examples else ""

    checks = policy.raw.get(policy.form)
    import yaml

    definition = yaml.safe_dump({policy.form: checks}, sort_keys=False).rstrip()
    return (
        f"## What it does\n{policy.description}\n\n"
        f"## Why is this bad?\n{policy.rationale or policy.description}\n\n"
        f"## Example{example(policy.failing) or chr(10) + '(see the policy definition below)'}\n\n"
        f"## Use instead\n{policy.remediation or 'Change the object so that the check below holds.'}"
        f"{example(policy.passing)}\n\n"
        f"## Policy\nDefined in `{policy.file}` (line {policy.line}) as:\n\n```yaml\n{definition}\n```"
    )


def policy_rule(policy: Policy) -> Rule:
    docs = policy_docs(policy)
    kinds = frozenset(policy.match.include.kinds) if policy.match.include.kinds else None
    return Rule(
        id=policy.id,
        name=policy.name,
        severity=policy.severity,
        summary=summary_of(docs),
        docs=docs,
        applies_to=(Format.COMPOSE,) if policy.match.compose else (Format.KUBERNETES,),
        kinds=None if policy.match.compose else kinds,
        check=PolicyCheck(policy),
        default_enabled=policy.enabled,
        category=policy.category,
    )
