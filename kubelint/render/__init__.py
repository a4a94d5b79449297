"""Rendering Helm charts and Kustomize overlays before linting.

`plan_rendering` looks at the files of a run, finds charts and kustomizations,
renders them (when a renderer is available) and returns:

* the plain files that are still to be linted as they are (files that only exist to
  be rendered — chart templates, values files, kustomization resources that were
  built — are taken out),
* the rendered output as virtual source files, each with a `remap` function that
  moves a finding from the rendered text back to the file the user edits (the
  template, the base), with a note naming the chart profile or overlay,
* diagnostics: render errors at the template line Helm reports, and a note when a
  chart or kustomization cannot be rendered because no renderer is installed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kubelint.model import SourceFile
from kubelint.positions import Path, Span

if TYPE_CHECKING:
    from kubelint.classify import Diagnostic
    from kubelint.config import Config
    from kubelint.discovery import Candidate

# (span in the rendered text, path in the object) -> (file, span, note)
Remap = Callable[[Span | None, Path], tuple[str, Span | None, str]]


@dataclass(eq=False)
class RenderedSource:
    """Rendered YAML to lint, and how to bring its findings home."""

    source: SourceFile  # virtual: its path is unique in the run, never shown
    remap: Remap
    group: str  # "helm:<chart>@<profile>" or "kustomize:<overlay>": objects of one world


@dataclass
class RenderPlan:
    candidates: list[Candidate]
    rendered: list[RenderedSource] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    real_sources: list[SourceFile] = field(default_factory=list)  # templates, bases


def plan_rendering(candidates: Sequence[Candidate], config: Config, cwd: str) -> RenderPlan:
    from kubelint.render.helm import plan_helm
    from kubelint.render.kustomize import plan_kustomize

    plan = RenderPlan(list(candidates))
    plan_helm(plan, config, cwd)
    plan_kustomize(plan, config, cwd)
    return plan
