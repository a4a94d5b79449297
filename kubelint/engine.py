"""The engine: paths in, findings out.

    paths -discover-> files -load-> documents -classify-> manifests
          -workspace-> rules -> findings -suppress-> result

The engine never imports a specific rule: it is handed a Registry.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubelint import diagnostics as diag
from kubelint.classify import Diagnostic
from kubelint.config import Config
from kubelint.discovery import Candidate, discover
from kubelint.file_loading import LoadedFile, choose_load_jobs, load_candidates, load_source
from kubelint.fingerprints import stable_path
from kubelint.model import (
    ComposeFile,
    Finding,
    K8sObject,
    Manifest,
    ObjectRef,
    Severity,
    SourceFile,
    Violation,
)
from kubelint.positions import Path, Span
from kubelint.redaction import mask_source_line, redact_text, value_spans
from kubelint.registry import Registry, Selection
from kubelint.render import Remap, plan_rendering
from kubelint.rule import Rule, RuleContext, Settings
from kubelint.suppressions import Suppressor
from kubelint.workspace import Workspace


@dataclass
class RunResult:
    findings: list[Finding]
    files: int = 0
    documents: int = 0
    manifests: int = 0
    duration: float = 0.0
    rules: list[Rule] = field(default_factory=list)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    # Spans that hold secret values, per file: reports must never show their text.
    sensitive: dict[str, list[Span]] = field(default_factory=dict)
    by_file: dict[str, list[Manifest]] = field(default_factory=dict)
    _secret_spans: dict[str, list[Span]] = field(default_factory=dict, repr=False)
    _shown: dict[tuple[str, int], str] = field(default_factory=dict, repr=False)

    def secret_spans(self, file: str) -> list[Span]:
        """Every span of `file` whose text no report may show (flagged by a rule, or a
        value that may hold a secret; see kubelint/redaction.py)."""
        spans = self._secret_spans.get(file)
        if spans is None:
            spans = list(self.sensitive.get(file, ()))
            for manifest in self.by_file.get(file, ()):
                spans.extend(value_spans(manifest))
            self._secret_spans[file] = spans
        return spans

    def shown_line(self, file: str, number: int) -> str | None:
        """Line `number` (1-based) of `file` as a report may show it: secrets masked.
        None when the file's text is not known or has no such line."""
        source = self.sources.get(file)
        if source is None or not source.text or not 1 <= number <= len(source.lines):
            return None
        key = (file, number)
        if key not in self._shown:
            self._shown[key] = mask_source_line(source.lines[number - 1], number, self.secret_spans(file))
        return self._shown[key]

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def fails(self, fail_on: str) -> bool:
        if fail_on == "never":
            return False
        threshold = Severity.parse(fail_on)
        return any(f.severity >= threshold for f in self.findings)


def object_ref(manifest: Manifest | None, path: Path) -> ObjectRef | None:
    if isinstance(manifest, K8sObject):
        return ObjectRef(manifest.kind, manifest.name, manifest.namespace, manifest.api_version)
    if isinstance(manifest, ComposeFile):
        if len(path) >= 2 and path[0] == "services":
            return ObjectRef("ComposeService", str(path[1]))
        return ObjectRef("ComposeFile", manifest.source.path)
    return None


def remap_finding(finding: Finding, remappers: dict[str, Remap]) -> Finding:
    """Move a finding on rendered output to the template or base file it came from."""
    import dataclasses

    file, span, note = remappers[finding.file](finding.span, finding.path)
    related = tuple(
        dataclasses.replace(r, file=remappers[r.file](r.span, ())[0], span=remappers[r.file](r.span, ())[1])
        if r.file in remappers
        else r
        for r in finding.related
    )
    message = f"{finding.message} ({note})" if note else finding.message
    return dataclasses.replace(finding, file=file, span=span, message=message, related=related)


class _ChartTemplates:
    """Answers "is this file inside a Helm chart's templates/ directory?" (cached)."""

    def __init__(self) -> None:
        self._charts: dict[str, bool] = {}

    def __call__(self, absolute: str | None) -> bool:
        if absolute is None:
            return False
        parts = absolute.split(os.sep)
        for i in range(len(parts) - 2, 0, -1):
            if parts[i] == "templates":
                chart_dir = os.sep.join(parts[:i])
                if chart_dir not in self._charts:
                    self._charts[chart_dir] = os.path.isfile(os.path.join(chart_dir, "Chart.yaml"))
                if self._charts[chart_dir]:
                    return True
        return False


ShardResult = tuple[list[tuple[int, Finding, bool]], set[str], dict[str, SourceFile | None]]
"""A shard's findings (with manifest index and secret flag), rules run, files read."""


class RuleDispatch:
    """The rules that apply to a manifest, looked up by format and kind.

    Each rule sees only the kinds it declares, so adding rules for other kinds costs
    a manifest nothing; the list for each (format, kind) is worked out once per run.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self._rules = rules
        self._by_key: dict[tuple[Any, str | None], list[Rule]] = {}

    def rules_for(self, manifest: Manifest) -> list[Rule]:
        kind = manifest.kind if isinstance(manifest, K8sObject) else None
        key = (manifest.format, kind)
        found = self._by_key.get(key)
        if found is None:
            found = self._by_key[key] = [r for r in self._rules if r.applies(manifest)]
        return found

    def used(self) -> set[str]:
        """Ids of the rules that some manifest looked up so far was given."""
        return {r.id for found in self._by_key.values() for r in found}


@dataclass
class Engine:
    registry: Registry
    config: Config
    selection: Selection
    cwd: str = field(default_factory=os.getcwd)
    settings: Settings = field(default_factory=Settings)
    progress: Callable[[int, int], None] | None = None
    loaded: Callable[[], None] | None = None  # called once every file is loaded (heap.Heap.settle)
    jobs: int | None = 1  # processes for loading and the rules; None: all cores on large runs

    def enabled_rules(self) -> list[Rule]:
        return [r for r in self.registry if self.selection.enabled(r)]

    def run(self, paths: Sequence[str], *, stdin_name: str | None = None) -> RunResult:
        started = time.perf_counter()
        candidates = discover(
            paths,
            cwd=self.cwd,
            exclude=self.config.exclude,
            exclude_root=self.config.root,
            stdin_name=stdin_name,
        )
        return self.run_candidates(candidates, started)

    def run_candidates(self, candidates: Sequence[Candidate], started: float) -> RunResult:
        enabled = self.enabled_rules()
        enabled_ids = {r.id for r in enabled}
        suppressor = Suppressor(self.registry, self.config.per_file_ignores)
        diagnostics: list[Diagnostic] = []
        manifests: list[Manifest] = []
        sources: dict[str, SourceFile] = {}
        documents = 0
        in_chart = _ChartTemplates()
        plan = plan_rendering(candidates, self.config, self.cwd)
        diagnostics.extend(plan.diagnostics)
        remappers: dict[str, Remap] = {}

        def accept(loaded: LoadedFile) -> None:
            nonlocal documents
            source, classified = loaded.source, loaded.classified
            if loaded.unreadable is not None:
                diagnostics.append(
                    Diagnostic(diag.UNREADABLE_FILE, source, None, f"cannot lint: {loaded.unreadable}")
                )
                return
            if classified is None:
                diagnostics.append(
                    Diagnostic(
                        diag.INTERNAL_ERROR,
                        source,
                        Span.point(1, 1),
                        f"reading this file failed ({loaded.crashed}); not linted; please report this",
                    )
                )
                return
            documents += classified.documents
            diagnostics.extend(classified.diagnostics)
            manifests.extend(classified.manifests)
            if classified.manifests or classified.diagnostics:
                suppressor.add_source(source)
            for m in classified.manifests:
                suppressor.add_manifest(m)

        for loaded in load_candidates(
            plan.candidates,
            [in_chart(c.absolute) for c in plan.candidates],
            max_size=self.config.max_file_size,
            jobs=choose_load_jobs(self.jobs, plan.candidates),
            progress=self.progress,
        ):
            sources[loaded.source.path] = loaded.source
            accept(loaded)
        if self.progress:
            self.progress(len(plan.candidates), len(plan.candidates))
        for real in plan.real_sources:
            sources.setdefault(real.path, real)
            if real.path not in suppressor.files:
                suppressor.add_source(real)
        for rendered in plan.rendered:
            rendered.source.group = rendered.group
            remappers[rendered.source.path] = rendered.remap
            accept(load_source(rendered.source))

        workspace = Workspace(manifests, default_namespace=self.config.namespace)
        if self.loaded:
            self.loaded()
        findings: list[Finding] = []
        sensitive: dict[str, list[Span]] = {}
        ran: set[str] = set()
        cache: dict[str, Any] = {}

        def keep(finding: Finding, manifest: Manifest | None, secret: bool = False) -> None:
            if remappers and finding.file in remappers:
                finding = remap_finding(finding, remappers)
            if secret and finding.span is not None:
                sensitive.setdefault(finding.file, []).append(finding.span)
            if finding.file not in suppressor.files:  # a file a rule read (.env)
                for extra in cache.get("engine:extra-sources", {}).values():
                    if extra is not None and extra.path == finding.file:
                        suppressor.add_source(extra)
            if not suppressor.is_suppressed(finding, manifest):
                findings.append(finding)

        for d in diagnostics:
            if d.rule.id in enabled_ids:
                keep(self._diagnostic_finding(d), None)

        check_rules = [r for r in enabled if r.check is not None]
        contexts = {
            r.id: RuleContext(
                r,
                {**{k: o.default for k, o in r.options.items()}, **self.config.rule_options.get(r.id, {})},
                workspace,
                self.settings,
                cache,
            )
            for r in check_rules
        }
        dispatch = RuleDispatch(check_rules)

        rules_for = dispatch.rules_for

        def check(index: int, out: list[tuple[int, Finding, bool]]) -> None:
            m = manifests[index]
            for r in rules_for(m):
                # The hot loop: 25 rules for each of 10,000 objects on the benchmark.
                try:
                    violations = list(r.check(m, contexts[r.id]))  # type: ignore[misc]
                except Exception as error:  # a bug in one rule must not stop the others
                    out.append((index, self._crash_finding(r, m, error), False))
                    continue
                for v in violations:
                    out.append((index, self._place(r, m, v), v.sensitive))

        def result(out: list[tuple[int, Finding, bool]]) -> ShardResult:
            return out, dispatch.used(), dict(cache.get("engine:extra-sources", {}))

        from kubelint.parallel import choose_jobs, run_sharded

        jobs = choose_jobs(self.jobs, len(manifests))
        first_of_kind: set[int] = set()
        warm: list[ShardResult] = []
        if jobs > 1:
            # The first manifest of each kind is checked here, before forking: the
            # run-wide indexes and compiled validators that rules build on first use
            # are then built once and inherited by every process, not once in each.
            seen: set[tuple[Any, str | None]] = set()
            for index, m in enumerate(manifests):
                key = (m.format, m.kind if isinstance(m, K8sObject) else None)
                if key not in seen:
                    seen.add(key)
                    first_of_kind.add(index)
            out: list[tuple[int, Finding, bool]] = []
            for index in sorted(first_of_kind):
                check(index, out)
            warm.append(result(out))

        def evaluate(shard: int, shards: int) -> ShardResult:
            """Run the rules on every `shards`-th manifest, starting at `shard`."""
            out: list[tuple[int, Finding, bool]] = []
            for index in range(shard, len(manifests), shards):
                if index not in first_of_kind:
                    check(index, out)
            return result(out)

        shards = warm + run_sharded(evaluate, jobs)
        extra_sources = cache.setdefault("engine:extra-sources", {})
        for _, ran_here, files_read in shards:
            ran |= ran_here
            for path, extra in files_read.items():
                extra_sources.setdefault(path, extra)
        merged = [item for out, _, _ in shards for item in out]
        merged.sort(key=lambda item: item[0])  # stable: each manifest's findings in rule order
        for index, finding, secret in merged:
            keep(finding, manifests[index], secret)

        for meta_rule, sup, message in suppressor.problems(enabled_ids, ran):
            if meta_rule.id in enabled_ids and sup.span is not None:
                findings.append(self._stamp(meta_rule, sup.file, sup.span, message, None, (), None, (), ""))

        for extra in cache.get("engine:extra-sources", {}).values():
            if extra is not None:
                sources.setdefault(extra.path, extra)
        findings.sort(key=lambda f: f.sort_key)
        by_file: dict[str, list[Manifest]] = {}
        for m in manifests:
            by_file.setdefault(m.source.path, []).append(m)
        return RunResult(
            by_file=by_file,
            findings=findings,
            files=len(sources),
            documents=documents,
            manifests=len(manifests),
            duration=time.perf_counter() - started,
            rules=enabled,
            sources=sources,
            sensitive=sensitive,
        )

    def _crash_finding(self, r: Rule, m: Manifest, error: Exception) -> Finding:
        return self._stamp(
            diag.INTERNAL_ERROR,
            m.source.path,
            m.span(()),
            f"rule {r.id} ({r.name}) crashed on {m.label} ({type(error).__name__}); please report this",
            m,
            (),
            None,
            (),
            f"{r.id}",
        )

    def _place(self, r: Rule, m: Manifest, v: Violation) -> Finding:
        try:
            return self._violation_finding(r, m, v)
        except Exception as error:  # a violation the engine cannot place
            return self._stamp(
                diag.INTERNAL_ERROR,
                m.source.path,
                None,
                f"rule {r.id} ({r.name}) reported a problem on {m.label} that could not be "
                f"placed ({type(error).__name__}); please report this",
                m,
                (),
                None,
                (),
                f"{r.id}:place",
            )

    def _violation_finding(self, r: Rule, m: Manifest, v: Violation) -> Finding:
        if v.location is not None:
            file, span = v.location[0].path, v.location[1]
        else:
            target = v.at or m
            file, span = target.source.path, target.span(v.path, key=v.key)
        fingerprint = v.fingerprint or stable_path((v.at or m).data, v.path)
        return self._stamp(
            r,
            file,
            span,
            v.message,
            m,
            v.path,
            v.fix,
            v.related,
            fingerprint,
            v.severity,
        )

    def _diagnostic_finding(self, d: Diagnostic) -> Finding:
        return self._stamp(d.rule, d.source.path, d.span, d.message, None, (), None, (), d.message)

    def _stamp(
        self,
        r: Rule,
        file: str,
        span: Any,
        message: str,
        manifest: Manifest | None,
        path: Path,
        fix: str | None,
        related: Any,
        fingerprint: str,
        severity: Severity | None = None,
    ) -> Finding:
        sev = self.config.severity.get(r.id) or severity or r.severity
        identity = "|".join(manifest.identity) if manifest is not None else file
        import dataclasses

        return Finding(
            rule_id=r.id,
            rule_name=r.name,
            severity=sev,
            message=redact_text(message),
            file=file,
            span=span,
            object=object_ref(manifest, path),
            path=path,
            fix=redact_text(fix) if fix else fix,
            related=tuple(dataclasses.replace(x, message=redact_text(x.message)) for x in related),
            fingerprint=f"{r.id}|{identity}|{fingerprint}",
        )
