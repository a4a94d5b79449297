"""How a rule is declared.

A rule is a plain generator function with metadata::

    @rule(
        id="KL201",
        name="missing-cpu-request",
        severity=Severity.WARNING,
        applies_to=(Format.KUBERNETES,),
        kinds=WORKLOAD_KINDS,
    )
    def missing_cpu_request(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
        '''<docs with the headings What it does / Why is this bad? / Example / Use instead>'''
        for c in iter_containers(obj):
            ...
            yield Violation(c.path + ("resources",), "...")

The decorator returns a `Rule` (it registers nothing: the catalogue lists its rules
explicitly).  The engine stamps id, name, severity and file on each violation and
turns its path into a position.  A rule keeps no state: anything it wants to reuse
for the whole run goes through `ctx.cache`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from kubelint.model import Format, Manifest, Severity, SourceFile, Violation

if TYPE_CHECKING:
    from kubelint.workspace import Workspace

DOC_HEADINGS = ("What it does", "Why is this bad?", "Example", "Use instead")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Option:
    """A per-rule setting users may change in the config file."""

    default: Any
    help: str

    def check(self, value: Any) -> str | None:
        """Return an error message if `value` has the wrong type for this option."""
        expected = type(self.default)
        if self.default is None or isinstance(value, expected):
            return None
        if expected is float and isinstance(value, int):
            return None
        if expected in (list, tuple) and isinstance(value, (list, tuple)):
            return None
        return f"expected {expected.__name__}, got {type(value).__name__}"


@dataclass(frozen=True)
class Settings:
    """Run-wide settings rules may read."""

    kubernetes_version: str | None = None
    default_namespace: str = "default"
    external: tuple[Mapping[str, str], ...] = ()
    read_environment: bool = True
    extra: Mapping[str, Any] = field(default_factory=dict)


class RuleContext:
    """What a rule sees besides its manifest: options, the whole run, a run cache."""

    __slots__ = ("_cache", "options", "rule", "settings", "workspace")

    def __init__(
        self,
        rule: Rule,
        options: Mapping[str, Any],
        workspace: Workspace,
        settings: Settings,
        cache: dict[str, Any],
    ) -> None:
        self.rule = rule
        self.options = options
        self.workspace = workspace
        self.settings = settings
        self._cache = cache

    def read_source(self, path: str) -> SourceFile | None:
        """Read a non-manifest file of the run (a Compose `.env`, an `env_file`) once,
        so that findings can point into it (Violation.location) with a code frame.
        Returns None when it cannot be read."""
        sources: dict[str, SourceFile | None] = self.cache("engine:extra-sources", dict)
        absolute = os.path.abspath(path)
        if absolute not in sources:
            from kubelint.discovery import Candidate, display_path, read_text

            cwd = self.settings.extra.get("cwd") or os.getcwd()
            shown = display_path(absolute, cwd)
            read = read_text(Candidate(shown, absolute))
            sources[absolute] = SourceFile(shown, read.text, absolute) if read.text is not None else None
        return sources[absolute]

    def cache(self, key: str, factory: Callable[[], T]) -> T:
        """A value computed once per run and shared by all rules (keyed by `key`)."""
        try:
            return self._cache[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self._cache[key] = factory()
            return value


CheckFunction = Callable[[Any, RuleContext], Iterable[Violation]]


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: Severity
    summary: str
    docs: str
    applies_to: tuple[Format, ...] = ()
    kinds: frozenset[str] | None = None  # Kubernetes kinds; None = every kind
    check: CheckFunction | None = None  # None for diagnostics emitted by the engine
    default_enabled: bool = True
    options: Mapping[str, Option] = field(default_factory=dict)
    category: str = "correctness"
    security_severity: float | None = None  # for SARIF (security rules only)

    def applies(self, manifest: Manifest) -> bool:
        if manifest.format not in self.applies_to:
            return False
        if self.kinds is None or manifest.format is not Format.KUBERNETES:
            return True
        return getattr(manifest, "kind", None) in self.kinds

    def run(self, manifest: Manifest, ctx: RuleContext) -> Iterator[Violation]:
        assert self.check is not None
        yield from self.check(manifest, ctx)

    def missing_doc_headings(self) -> list[str]:
        return [h for h in DOC_HEADINGS if not re.search(rf"^#+ {re.escape(h)}\s*$", self.docs, re.M)]


def _dedent_doc(doc: str | None) -> str:
    import inspect

    return inspect.cleandoc(doc or "")


def summary_of(docs: str) -> str:
    """The first sentence under "What it does" (or the first line)."""
    match = re.search(r"^#+ What it does\s*\n+(.+?)(?:\n\n|\n#|\Z)", docs, re.M | re.S)
    text = match.group(1) if match else docs.strip().splitlines()[0] if docs.strip() else ""
    text = " ".join(text.split())
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return first


def rule(
    *,
    id: str,
    name: str,
    severity: Severity,
    applies_to: Iterable[Format],
    kinds: Iterable[str] | None = None,
    default_enabled: bool = True,
    options: Mapping[str, Option] | None = None,
    category: str = "correctness",
    security_severity: float | None = None,
    summary: str | None = None,
) -> Callable[[CheckFunction], Rule]:
    """Declare a rule; the decorated function's docstring is its documentation."""

    def wrap(check: CheckFunction) -> Rule:
        docs = _dedent_doc(check.__doc__)
        return Rule(
            id=id,
            name=name,
            severity=severity,
            summary=summary or summary_of(docs),
            docs=docs,
            applies_to=tuple(applies_to),
            kinds=frozenset(kinds) if kinds is not None else None,
            check=check,
            default_enabled=default_enabled,
            options=dict(options or {}),
            category=category,
            security_severity=security_severity,
        )

    return wrap
