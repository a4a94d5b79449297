"""Differential test: kubelint's schema verdict per object (valid / invalid) agrees
with `kubernetes_validate.validate(obj, version, strict=True)` on the corpus.

Both validate the same data (kubelint's parse of the file) against the same shipped
schemas; only the validator differs (jsonschema-rs with compiled-once validators vs
the `jsonschema` package).  Every object for which kubelint finds a built-in schema
is compared, plus every object for which kubernetes-validate finds one.  Every
disagreement must be explained by one of the reasons in EXPLAINED; none may be left.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from typing import Any

import pytest
from conftest import CORPUS, need_shared
from schema_helpers import context, load_manifests

from kubelint.model import K8sObject
from kubelint.schema.kustomize import KustomizeRoles
from kubelint.schema.objects import Source, _validate, validate_object

VERSION = "1.37"


def _kubernetes_validate(monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, Any]], list[Any] | None]:
    """kubernetes_validate.validate returning its errors ([] = valid, None = no schema).

    Its schema file reads are cached (same files, same logic; it re-reads
    _definitions.json on every call otherwise, ~9 ms per object)."""
    kv = pytest.importorskip("kubernetes_validate")
    from kubernetes_validate import utils

    monkeypatch.setattr(utils, "schema_contents", functools.cache(utils.schema_contents))

    def check(data: dict[str, Any]) -> list[Any] | None:
        try:
            kv.validate(data, VERSION, strict=True)
        except utils.SchemaNotFoundError:
            return None
        except utils.ValidationError as error:
            return [error]
        return []

    return check


def _kustomize_completed(obj: K8sObject, raw: list[Any], final: list[Any], kv_errors: list[Any]) -> bool:
    """A kustomize patch (or a resource whose selector commonLabels fills in): the raw
    object is incomplete, kubelint drops exactly what kustomize completes."""
    role = KustomizeRoles().role(obj.source.absolute)
    return role is not None and bool(raw) and not final


def _null_int_or_string(obj: K8sObject, raw: list[Any], final: list[Any], kv_errors: list[Any]) -> bool:
    """null for an int-or-string/quantity field: both `oneOf` branches allow null, so
    jsonschema reports "valid under each of"; the API server treats null as unset."""
    return bool(kv_errors) and "is valid under each of" in str(kv_errors[0].message) and not final


def _group_prefix_collision(
    obj: K8sObject, raw: list[Any], final: list[Any], kv_errors: list[Any] | None
) -> bool:
    """kubernetes-validate picks a schema file by the first label of the group
    (`apps.example.com/v1` Deployment -> deployment-apps-v1.json) and then fails on
    the apiVersion enum; kubelint matches the full group and reports "no schema"."""
    group = obj.api_version.rpartition("/")[0]
    return "." in group and not group.endswith(".k8s.io")


def _api_server_syntax(obj: K8sObject, raw: list[Any], final: list[Any], kv_errors: list[Any]) -> bool:
    """The schemas let any string be a quantity or a `format: byte` value; kubelint also
    checks the syntax the API server enforces (`memory: 1 GB`, `half`; Secret data or a
    caBundle that is not base64 are rejected by the API server)."""
    syntax = ("is not a quantity", "not valid base64")
    return not kv_errors and bool(final) and all(any(s in p.message for s in syntax) for p in final)


EXPLAINED: dict[str, Callable[..., bool]] = {
    "api-server-syntax": _api_server_syntax,
    "kustomize-completed": _kustomize_completed,
    "null-int-or-string": _null_int_or_string,
}


def test_schema_verdicts_agree_with_kubernetes_validate(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = need_shared(CORPUS)
    kv_check = _kubernetes_validate(monkeypatch)
    manifests = load_manifests([corpus], cwd=corpus)
    ctx = context(manifests, version=VERSION, strict=True, cwd=corpus)
    objects = [m for m in manifests if isinstance(m, K8sObject)]
    assert len(objects) > 1000, "the corpus should hold well over a thousand Kubernetes objects"

    started = time.perf_counter()
    compared = agreed = 0
    unexplained: list[str] = []
    explained: dict[str, int] = {}
    for obj in objects:
        raw_result = _validate(obj, ctx)
        final = validate_object(obj, ctx)
        if final.source is Source.CRD:
            continue  # kubernetes-validate knows nothing of CRDs
        kv_errors = kv_check(obj.data) if isinstance(obj.data.get("kind"), str) else None
        if final.source is not Source.BUILTIN:
            if kv_errors is None:
                continue
            if _group_prefix_collision(obj, [], [], kv_errors):
                explained["group-prefix-collision"] = explained.get("group-prefix-collision", 0) + 1
                continue
            unexplained.append(
                f"{obj.source.path}: {obj.label}: kubelint has no schema, kubernetes-validate has"
            )
            continue
        compared += 1
        if kv_errors is None:
            unexplained.append(f"{obj.source.path}: {obj.label}: kubernetes-validate has no schema")
            continue
        if bool(final.problems) == bool(kv_errors):
            agreed += 1
            continue
        reason = next(
            (
                name
                for name, fits in EXPLAINED.items()
                if fits(obj, raw_result.problems, final.problems, kv_errors)
            ),
            None,
        )
        if reason is None:
            detail = final.problems[0].message if final.problems else str(kv_errors[0].message)[:200]
            unexplained.append(
                f"{obj.source.path}: {obj.label}: kubelint {'invalid' if final.problems else 'valid'}, "
                f"kubernetes-validate {'invalid' if kv_errors else 'valid'}: {detail}"
            )
        else:
            explained[reason] = explained.get(reason, 0) + 1
    elapsed = time.perf_counter() - started
    assert not unexplained, "unexplained disagreements:\n" + "\n".join(unexplained)
    assert compared > 1000
    assert elapsed < 60, f"the differential run took {elapsed:.1f} s"
    print(f"compared {compared} objects, {agreed} agreed, explained: {explained}, {elapsed:.1f} s")


def test_kubelint_and_kubernetes_validate_agree_on_planted_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same comparison on hand-written objects (runs without the corpus)."""
    kv_check = _kubernetes_validate(monkeypatch)
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "rules")
    manifests = load_manifests([os.path.join(here, "k8s_schema_errors.yaml")], cwd=here)
    ctx = context(manifests, version=VERSION)
    objects = [m for m in manifests if isinstance(m, K8sObject)]
    assert objects
    for obj in objects:
        result = validate_object(obj, ctx)
        if result.source is not Source.BUILTIN:
            continue
        kv_errors = kv_check(obj.data)
        assert kv_errors is not None
        assert bool(result.problems) == bool(kv_errors), obj.label
