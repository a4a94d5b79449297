"""Measure how the cross-resource rules (KL7xx) scale: generate N and 10*N synthetic
applications (8 objects each: Deployment, Service, ConfigMap, Secret, ServiceAccount,
HPA, PDB, Ingress, spread over 10 namespaces) in a temporary directory, then time the
index build and each KL7 rule (CPU time, best of 3) for both runs.

    .venv/bin/python docs/cross_scaling.py [N]      # default N=300

The whole CLI can be timed on the same trees with KL_SCALE_KEEP=1 (the directories
are kept and printed): `kubelint check --select KL7 DIR`.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import time

from kubelint.classify import classify
from kubelint.cli import build_registry
from kubelint.discovery import discover, read_text
from kubelint.k8s_index import CrossIndex
from kubelint.loader import load_stream
from kubelint.model import Manifest, SourceFile
from kubelint.rule import RuleContext, Settings
from kubelint.workspace import Workspace

APP = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: app{i}, namespace: {ns}}}
spec:
  replicas: 3
  selector: {{matchLabels: {{app: app{i}}}}}
  template:
    metadata: {{labels: {{app: app{i}, tier: web, part-of: shop}}}}
    spec:
      serviceAccountName: sa{i}
      containers:
        - name: c
          image: example/app:1.0.{i}
          ports: [{{name: http, containerPort: 8080}}]
          resources: {{requests: {{cpu: 100m}}}}
          envFrom: [{{configMapRef: {{name: cm{i}}}}}]
          env:
            - name: P
              valueFrom: {{secretKeyRef: {{name: s{i}, key: password}}}}
---
apiVersion: v1
kind: Service
metadata: {{name: app{i}, namespace: {ns}}}
spec:
  selector: {{app: app{i}, tier: web}}
  ports: [{{name: http, port: 80, targetPort: http}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: cm{i}, namespace: {ns}}}
data: {{A: "1"}}
---
apiVersion: v1
kind: Secret
metadata: {{name: s{i}, namespace: {ns}}}
stringData: {{password: x}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: sa{i}, namespace: {ns}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: app{i}, namespace: {ns}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: app{i}}}
  maxReplicas: 5
  metrics: [{{type: Resource, resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 70}}}}}}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: app{i}, namespace: {ns}}}
spec:
  maxUnavailable: 1
  selector: {{matchLabels: {{app: app{i}}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: app{i}, namespace: {ns}}}
spec:
  rules:
    - http:
        paths:
          - {{path: /, pathType: Prefix, backend: {{service: {{name: app{i}, port: {{name: http}}}}}}}}
"""


def generate(n: int, directory: str) -> None:
    for i in range(n):
        with open(os.path.join(directory, f"app{i}.yaml"), "w", encoding="utf-8") as handle:
            handle.write(APP.format(i=i, ns=f"ns{i % 10}"))


def load(directory: str) -> list[Manifest]:
    manifests: list[Manifest] = []
    for cand in discover([directory], cwd=directory, exclude=[], exclude_root=directory, stdin_name=None):
        text = read_text(cand).text or ""
        source = SourceFile(cand.display, text, cand.absolute)
        manifests += classify(source, load_stream(text), is_chart_template=False).manifests
    return manifests


def timings(manifests: list[Manifest]) -> dict[str, float]:
    rules = [r for r in build_registry() if r.id.startswith("KL7")]
    best: dict[str, float] = {}
    for _ in range(3):
        workspace = Workspace(manifests)
        cache: dict[str, object] = {}
        start = time.process_time()
        cache["kubelint:cross-index"] = CrossIndex(workspace, Settings()).build()
        results = {"index": time.process_time() - start}
        for r in rules:
            ctx = RuleContext(r, {k: o.default for k, o in r.options.items()}, workspace, Settings(), cache)
            start = time.process_time()
            for m in manifests:
                if r.applies(m):
                    list(r.run(m, ctx))
            results[r.id] = time.process_time() - start
        for key, value in results.items():
            best[key] = min(best.get(key, value), value)
    return best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    measured = []
    for size in (n, 10 * n):
        directory = tempfile.mkdtemp(prefix=f"kl-scale-{size}-")
        generate(size, directory)
        manifests = load(directory)
        gc.collect()
        gc.freeze()
        measured.append((len(manifests), timings(manifests)))
        if os.environ.get("KL_SCALE_KEEP"):
            print(f"kept {directory}")
    (small_n, small), (big_n, big) = measured
    print(f"{'':8} {small_n:>9} obj {big_n:>9} obj  ratio")
    for key in small:
        print(
            f"{key:8} {small[key] * 1000:9.1f} ms {big[key] * 1000:9.1f} ms  {big[key] / max(small[key], 1e-9):5.1f}"
        )
    total_small, total_big = sum(small.values()), sum(big.values())
    print(
        f"{'total':8} {total_small * 1000:9.1f} ms {total_big * 1000:9.1f} ms  {total_big / total_small:5.1f}"
    )


if __name__ == "__main__":
    main()
