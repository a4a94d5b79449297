"""Per-object schema validation time on a directory of manifests (the corpus).

    .venv/bin/python bench/schema_validation.py ../shared/corpus

Prints the one-off set-up (loading _definitions.json, the registry, the CRD index),
the first pass (compiling each validator once, on first use) and the steady state
(compiled validators only), per object.  Parsing is not included.
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))

from schema_helpers import context, load_manifests

from kubelint.model import K8sObject
from kubelint.schema.objects import Source, builtin_schemas, custom_resources, validate_object


def main(directory: str) -> None:
    directory = os.path.abspath(directory)
    manifests = load_manifests([directory], cwd=directory)
    objects = [m for m in manifests if isinstance(m, K8sObject)]
    ctx = context(manifests, cwd=directory)
    started = time.perf_counter()
    builtin_schemas(ctx)
    custom_resources(ctx)
    set_up = time.perf_counter() - started
    started = time.perf_counter()
    results = [validate_object(o, ctx) for o in objects]
    first = time.perf_counter() - started
    ctx.cache("schema:k8s-results", dict).clear()
    started = time.perf_counter()
    for o in objects:
        validate_object(o, ctx)
    steady = time.perf_counter() - started
    counts = {s.value: sum(1 for r in results if r.source is s) for s in Source}
    n = len(objects)
    print(f"{n} Kubernetes objects: {counts}")
    print(f"set-up: {set_up:.3f} s (once per run)")
    print(
        f"first pass: {first:.3f} s = {first / n * 1000:.3f} ms/object, compiling "
        f"{builtin_schemas(ctx).compiled} built-in and {custom_resources(ctx).compiled} CRD validators"
    )
    print(f"steady state: {steady:.3f} s = {steady / n * 1000:.3f} ms/object")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join("..", "shared", "corpus"))
