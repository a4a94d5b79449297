"""Helm charts: find them, render each profile, and trace findings to templates.

A chart is a directory with `Chart.yaml` (the outermost one: subcharts under
`charts/` render as part of their parent), or a packaged `.tgz` named explicitly.
Rendering uses the `helm-python-sdk` package (Helm's Go SDK through a C ABI, no
binary; `pip install kubelint[helm]`) or else a `helm` binary on PATH.  Without
either, each chart is reported once as not rendered and its templates are not linted.

Values: the chart's defaults, then `helm.values` / `helm.set` from the config (and
`--helm-values` / `--helm-set`), then the chart's own entry in `helm.charts`, then
the profile's.  Several named profiles per chart (dev, prod) are rendered and linted
in one run; findings name their profile.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kubelint import diagnostics as diag
from kubelint.classify import Diagnostic
from kubelint.config import Config, HelmChartSettings
from kubelint.discovery import Candidate, display_path
from kubelint.model import SourceFile
from kubelint.positions import Path, Span
from kubelint.render import RenderedSource, RenderPlan
from kubelint.render.linemap import column_in_template, map_lines

DEFAULT_RELEASE = "release-name"
_ERROR_LOCATION = re.compile(
    r"(?P<file>[\w.\-/]+?\.(?:ya?ml|tpl|txt|json))(?::(?P<line>\d+))?(?::(?P<col>\d+))?"
)
_SOURCE_HEADER = re.compile(r"^# Source: (.+?)\s*$", re.M)


class RenderError(Exception):
    """A chart that failed to render, with Helm's message."""


@dataclass
class Profile:
    name: str
    values_files: list[str] = field(default_factory=list)  # absolute paths
    set_values: list[str] = field(default_factory=list)
    release: str = DEFAULT_RELEASE
    namespace: str | None = None


@dataclass
class Chart:
    directory: str  # absolute path of the chart directory (or the .tgz)
    display: str
    name: str
    packaged: bool = False


Renderer = Callable[[Chart, Profile, dict[str, Any]], dict[str, str]]


def find_chart_root(absolute: str, cache: dict[str, str | None]) -> str | None:
    """The outermost directory above `absolute` that holds a Chart.yaml."""
    found: str | None = None
    directory = os.path.dirname(absolute)
    trail: list[str] = []
    while True:
        if directory in cache:
            above = cache[directory]
            found = above if above is not None else found
            break
        trail.append(directory)
        if os.path.isfile(os.path.join(directory, "Chart.yaml")):
            found = directory
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    # cache every directory we walked: its outermost chart is `found` if it lies inside it
    for d in trail:
        cache[d] = found if found is not None and (d == found or d.startswith(found + os.sep)) else None
    return found


def plan_helm(plan: RenderPlan, config: Config, cwd: str) -> None:
    cache: dict[str, str | None] = {}
    charts: dict[str, Chart] = {}
    keep: list[Candidate] = []
    for cand in plan.candidates:
        if cand.absolute is None or cand.problem:
            keep.append(cand)
            continue
        if cand.explicit and cand.absolute.endswith(".tgz"):
            name = os.path.basename(cand.absolute)[: -len(".tgz")]
            charts[cand.absolute] = Chart(cand.absolute, cand.display, name, packaged=True)
            continue
        root = find_chart_root(cand.absolute, cache)
        if root is None:
            keep.append(cand)
            continue
        rel = os.path.relpath(cand.absolute, root).split(os.sep)
        if rel[0] == "crds":  # plain CRDs Helm installs as they are
            keep.append(cand)
        if root not in charts:
            charts[root] = Chart(root, display_path(root, cwd), _chart_name(root))
    plan.candidates = keep
    if not charts:
        return
    renderer = None if config.render == "never" else _pick_renderer()
    why = (
        "rendering is turned off (--no-render / render: never)"
        if config.render == "never"
        else "install kubelint[helm] (helm-python-sdk) or put helm on PATH"
    )
    for chart in sorted(charts.values(), key=lambda c: c.display):
        if renderer is None:
            plan.diagnostics.append(
                Diagnostic(
                    diag.NOT_RENDERED,
                    _chart_source(chart, cwd),
                    Span.point(1, 1),
                    f"Helm chart {chart.name} not rendered: {why}; its templates were not linted",
                )
            )
            continue
        for profile in _profiles(chart, config, cwd):
            _render_profile(plan, chart, profile, renderer, config, cwd)


def _chart_name(directory: str) -> str:
    try:
        with open(os.path.join(directory, "Chart.yaml"), encoding="utf-8") as handle:
            match = re.search(r"^name:\s*['\"]?([^'\"\s#]+)", handle.read(), re.M)
    except OSError:
        match = None
    return match.group(1) if match else os.path.basename(directory)


def _chart_source(chart: Chart, cwd: str) -> SourceFile:
    if chart.packaged:
        return SourceFile(chart.display, "", chart.directory)
    path = os.path.join(chart.directory, "Chart.yaml")
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        text = ""
    return SourceFile(display_path(path, cwd), text, path)


def _profiles(chart: Chart, config: Config, cwd: str) -> list[Profile]:
    root = config.root
    settings = config.helm
    entry: HelmChartSettings | None = None
    for key, value in settings.charts.items():
        if os.path.abspath(os.path.join(root, key)) == chart.directory:
            entry = value
    base_values = [os.path.join(root, v) for v in settings.values]
    base_set = list(settings.set)
    namespace = settings.namespace or config.namespace
    release = settings.release or DEFAULT_RELEASE
    if entry is not None:
        base_values += [os.path.join(root, v) for v in entry.values]
        base_set += entry.set
        namespace = entry.namespace or namespace
        release = entry.release or release
    if entry is None or not entry.profiles:
        return [Profile("default", base_values, base_set, release, namespace)]
    return [
        Profile(
            name,
            base_values + [os.path.join(root, v) for v in p.values],
            base_set + p.set,
            p.release or release,
            p.namespace or namespace,
        )
        for name, p in sorted(entry.profiles.items())
    ]


def _pick_renderer() -> Renderer | None:
    try:
        import helm_python  # noqa: F401
    except ImportError:
        pass
    except OSError:  # the shared library could not be loaded
        pass
    else:
        return _render_with_sdk
    if shutil.which("helm"):
        return _render_with_binary
    return None


def _load_values(path: str) -> dict[str, Any]:
    from kubelint.loader import load_stream

    with open(path, encoding="utf-8") as handle:
        result = load_stream(handle.read())
    problems = result.problems + [p for d in result.documents for p in d.problems]
    if problems:
        p = problems[0]
        raise RenderError(f"{path}:{p.span.line}:{p.span.column}: {p.message}")
    data = result.documents[0].data if result.documents else None
    return data if isinstance(data, dict) else {}


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _render_with_sdk(chart: Chart, profile: Profile, values: dict[str, Any]) -> dict[str, str]:
    import helm_python as helm

    try:
        loaded = helm.Chart.load(chart.directory)
        for expression in profile.set_values:
            values = _deep_merge(values, helm.parse_set_string(expression))
        loaded.validate_schema(values)
        rendered = loaded.render(values, name=profile.release, namespace=profile.namespace)
    except helm.HelmError as error:
        raise RenderError(str(error)) from None
    return {key: text for key, text in rendered.items()}


def _render_with_binary(chart: Chart, profile: Profile, values: dict[str, Any]) -> dict[str, str]:
    import tempfile

    import yaml

    helm_bin = shutil.which("helm") or "helm"
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
        yaml.safe_dump(values, handle)
        merged_values = handle.name
    try:
        command = [helm_bin, "template", profile.release, chart.directory, "-f", merged_values]
        if profile.namespace:
            command += ["--namespace", profile.namespace]
        for expression in profile.set_values:
            command += ["--set", expression]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise RenderError(f"helm template failed: {error}") from None
    finally:
        os.unlink(merged_values)
    if done.returncode != 0:
        raise RenderError(done.stderr.strip().removeprefix("Error: "))
    out: dict[str, str] = {}
    parts = _SOURCE_HEADER.split(done.stdout)
    # parts: [preamble, source1, text1, source2, text2, ...]
    for i in range(1, len(parts) - 1, 2):
        text = parts[i + 1].split("\n---", 1)[0]
        out[parts[i]] = out.get(parts[i], "") + ("\n---\n" if parts[i] in out else "") + text
    return out


def _template_file(chart: Chart, key: str) -> str | None:
    """The file a rendered key like `demo/templates/x.yaml` came from."""
    if chart.packaged:
        return None
    _, _, rest = key.partition("/")
    path = os.path.join(chart.directory, *rest.split("/"))
    return path if os.path.isfile(path) else None


def _render_profile(
    plan: RenderPlan, chart: Chart, profile: Profile, renderer: Renderer, config: Config, cwd: str
) -> None:
    label = f"chart {chart.name}" + (f", profile {profile.name}" if profile.name != "default" else "")
    try:
        values: dict[str, Any] = {}
        for path in profile.values_files:
            values = _deep_merge(values, _load_values(path))
        rendered = renderer(chart, profile, values)
    except (RenderError, OSError, UnicodeDecodeError) as error:
        plan.diagnostics.append(_render_error(chart, str(error), label, cwd))
        return
    group = f"helm:{chart.display}@{profile.name}"
    for key, text in sorted(rendered.items()):
        if not key.endswith((".yaml", ".yml")) or not text.strip():
            continue
        template_path = _template_file(chart, key)
        template = _read(template_path) if template_path else None
        if template_path:
            shown = display_path(template_path, cwd)
            virtual = SourceFile(f"{shown} [{label}]", text, None)
        else:  # a packaged chart: findings stay on the rendered text
            suffix = f"@{profile.name}" if profile.name != "default" else ""
            shown = f"{chart.display}/{key}{suffix}"
            virtual = SourceFile(shown, text, None)
            plan.real_sources.append(virtual)
        if template is not None and template_path is not None:
            real = SourceFile(shown, template, template_path)
            plan.real_sources.append(real)
            remap = _line_remapper(real, virtual, label)
        else:
            remap = _identity_remapper(virtual.path, label)
        plan.rendered.append(RenderedSource(virtual, remap, group))


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def _line_remapper(
    real: SourceFile, virtual: SourceFile, label: str
) -> Callable[[Span | None, Path], tuple[str, Span | None, str]]:
    mapping = map_lines(real.lines, virtual.lines)

    def remap(span: Span | None, path: Path) -> tuple[str, Span | None, str]:
        if span is None:
            return real.path, None, label
        target = mapping.get(span.line)
        if target is None:
            return real.path, Span.point(1, 1), f"{label}, rendered line {span.line}"
        template_line = real.lines[target.line - 1] if target.line <= len(real.lines) else ""
        rendered_line = virtual.lines[span.line - 1] if span.line <= len(virtual.lines) else ""
        if target.exact:
            end_line = target.line + (span.end_line - span.line)
            return real.path, Span(target.line, span.column, end_line, span.end_column), label
        column = column_in_template(template_line, rendered_line, span.column)
        end = len(template_line.rstrip()) + 1
        note = label if span.line == target.line else f"{label}, rendered line {span.line}"
        return real.path, Span(target.line, column, target.line, max(end, column + 1)), note

    return remap


def _identity_remapper(path: str, label: str) -> Callable[[Span | None, Path], tuple[str, Span | None, str]]:
    def remap(span: Span | None, _: Path) -> tuple[str, Span | None, str]:
        return path, span, label

    return remap


def _render_error(chart: Chart, message: str, label: str, cwd: str) -> Diagnostic:
    """A render failure at the template file and line Helm names, if it names one."""
    first = " ".join(message.split())
    for match in _ERROR_LOCATION.finditer(message):
        key = match.group("file")
        for candidate in (key,):
            path = candidate if os.path.isabs(candidate) else _template_file(chart, candidate)
            if path is None or not os.path.isfile(path):
                continue
            text = _read(path) or ""
            line = int(match.group("line") or 1)
            column = int(match.group("col") or 1)
            source = SourceFile(display_path(path, cwd), text, path)
            reason = first.replace(match.group(0), "", 1).strip(" :") or first
            reason = re.sub(r'^executing "[^"]*" at ', "at ", reason)
            return Diagnostic(diag.RENDER_ERROR, source, Span.point(line, column), f"{label}: {reason}")
    return Diagnostic(diag.RENDER_ERROR, _chart_source(chart, cwd), Span.point(1, 1), f"{label}: {first}")
