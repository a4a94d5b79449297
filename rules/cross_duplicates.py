"""KL722: the same object defined twice."""

from __future__ import annotations

import os
from collections.abc import Iterator

from kubelint.k8s_index import cross_index, related, render_group
from kubelint.model import Format, K8sObject, Severity, Violation
from kubelint.rule import Option, RuleContext, rule


def _directory(obj: K8sObject) -> str:
    group = render_group(obj)
    if group is not None:
        return f"[{group}]"  # one overlay or chart profile is one world
    return os.path.dirname(obj.source.absolute or obj.source.path)


def _file(obj: K8sObject) -> str:
    group = render_group(obj)
    if group is not None:
        return f"[{group}]"
    return os.path.normpath(obj.source.absolute or os.path.abspath(obj.source.path))


@rule(
    id="KL722",
    name="duplicate-object",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    options={
        "scope": Option(
            "directory",
            "where two definitions of one object clash: 'file', 'directory' (files of one directory, "
            "what `kubectl apply -f dir/` applies together) or 'run' (anywhere in the run)",
        )
    },
    category="correctness",
)
def duplicate_object(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports an object whose identity (API group, kind, namespace and name) an
    earlier object already has.  The finding sits on the later definition's name
    and names the first (file:line).

    By default only definitions in the same directory clash (option
    `scope: directory`): that is what `kubectl apply -f dir/` applies together.
    Repositories routinely keep *alternatives* of the same objects in sibling
    directories (kustomize overlays `overlays/dev` and `overlays/prod`, the
    per-provider bundles of ingress-nginx, environment variants); reporting those
    would drown users.  Use `scope: run` to compare across the whole run, or
    `scope: file` for single files only.  Files that a kustomization uses as patches
    hold partial objects and are never compared.  Rendered output (see "Helm charts
    and Kustomize overlays") is grouped by overlay or chart profile instead of by
    directory: two overlays of one base are alternatives, while one overlay that
    produces the same object twice is reported.

    ## Why is this bad?
    One definition silently overwrites the other when applied; which one wins
    depends on file order, and edits to the losing one have no effect.

    ## Example
    ```yaml
    # k8s/web.yaml and k8s/web-deployment.yaml
    kind: Deployment
    metadata: {name: web}
    ```

    ## Use instead
    Keep one definition (or give the second object its own name).
    """
    name = obj.metadata.get("name")
    if not isinstance(name, str) or not name:
        return
    index = cross_index(ctx)
    key = (obj.group, obj.kind, ctx.workspace.namespace_of(obj), name)
    same = index.identities.get(key, [])
    if len(same) < 2 or same[0] is obj or _file(obj) in index.patch_files:
        return
    scope = ctx.options.get("scope", "directory")
    for other in same:
        if other is obj:
            return
        if _file(other) in index.patch_files:
            continue
        if scope == "file" and _file(other) != _file(obj):
            continue
        if scope == "directory" and _directory(other) != _directory(obj):
            continue
        group = render_group(other)
        where = (
            group.replace(":", " ", 1)
            if group
            else f"{other.source.path}:{other.span(('metadata', 'name')).line}"
        )
        kind = f"{obj.kind} ({obj.group})" if obj.group else obj.kind
        yield Violation(
            ("metadata", "name"),
            f"{kind} {name} in namespace {key[2]} is already defined at {where}",
            fix="remove one of the definitions, or rename one object",
            related=(related(other, ("metadata", "name"), f"first definition of {obj.kind} {name}"),),
            fingerprint="/".join(key),
        )
        return


RULES = (duplicate_object,)
