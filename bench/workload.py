"""A reproducible benchmark workload: Kubernetes manifests and Compose projects.

    python bench/workload.py OUT_DIR [--scale 1.0] [--seed 8]

At scale 1 it writes 10,000 Kubernetes objects in 2,000 files of five documents
(Deployments or StatefulSets with their Service, ConfigMap, Secret or HPA, and an
Ingress or a custom resource of one of the workload's CRDs) and 500 Compose
projects of 2-6 services.  About one object in eight carries a defect of the kind
kubelint reports (latest tag, no resources, probe on a port that is not exposed,
a Service selecting nothing, a misspelled field, a password in plain text, a host
port published twice).  The same seed and scale always give the same bytes.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
from dataclasses import dataclass

OBJECTS_PER_FILE = 5
BASE_FILES = 2000
BASE_COMPOSE_PROJECTS = 500
TEAMS = 20
CRD_KINDS = ("Backup", "Certificate", "Dashboard", "Queue")
CRD_GROUP = "bench.example.com"
IMAGES = (
    "nginx:1.27.2",
    "redis:7.4.1",
    "postgres:16.4",
    "python:3.12-slim",
    "node:20.18-alpine",
    "ghcr.io/acme/api:2.3.1",
    "ghcr.io/acme/worker:1.9.0",
    "registry.example.com/shop/frontend:4.1.7",
)
DEFECTS = ("latest-tag", "no-resources", "probe-port", "selector", "misspelled", "plain-secret")


@dataclass(frozen=True)
class Workload:
    """What generate() wrote."""

    root: str
    kubernetes_files: int
    kubernetes_objects: int
    compose_projects: int
    compose_services: int
    defects: int

    @property
    def kubernetes_dir(self) -> str:
        return os.path.join(self.root, "k8s")

    @property
    def compose_dir(self) -> str:
        return os.path.join(self.root, "compose")


def _labels(app: str, team: str, indent: str) -> str:
    return (
        f"{indent}app.kubernetes.io/name: {app}\n"
        f"{indent}app.kubernetes.io/part-of: {team}\n"
        f"{indent}app.kubernetes.io/managed-by: bench\n"
    )


def _container(rng: random.Random, app: str, port: int, defect: str | None, indent: str, secret: bool) -> str:
    image = rng.choice(IMAGES)
    if defect == "latest-tag":
        image = image.rsplit(":", 1)[0] + ":latest"
    probe_port = port + 1 if defect == "probe-port" else port
    cpu = rng.choice((50, 100, 200, 250, 500))
    memory = rng.choice((64, 128, 256, 512, 1024))
    i = indent
    text = (
        f"{i}- name: {app}\n"
        f"{i}  image: {image}\n"
        f"{i}  imagePullPolicy: IfNotPresent\n"
        f"{i}  ports:\n"
        f"{i}    - name: http\n"
        f"{i}      containerPort: {port}\n"
        f"{i}      protocol: TCP\n"
        f"{i}  env:\n"
        f"{i}    - name: LOG_LEVEL\n"
        f'{i}      value: "{rng.choice(("info", "debug", "warn"))}"\n'
        f"{i}    - name: POD_NAMESPACE\n"
        f"{i}      valueFrom:\n"
        f"{i}        fieldRef:\n"
        f"{i}          fieldPath: metadata.namespace\n"
    )
    if secret:
        text += (
            f"{i}    - name: DATABASE_URL\n"
            f"{i}      valueFrom:\n"
            f"{i}        secretKeyRef:\n"
            f"{i}          name: {app}-secret\n"
            f"{i}          key: database-url\n"
        )
    if defect == "plain-secret":
        text += f"{i}    - name: DB_PASSWORD\n{i}      value: {_password(rng)}\n"
    text += f"{i}  envFrom:\n{i}    - configMapRef:\n{i}        name: {app}-config\n"
    if defect != "no-resources":
        text += (
            f"{i}  resources:\n"
            f"{i}    requests:\n"
            f"{i}      cpu: {cpu}m\n"
            f"{i}      memory: {memory}Mi\n"
            f"{i}    limits:\n"
            f"{i}      cpu: {cpu * 2}m\n"
            f"{i}      memory: {memory}Mi\n"
        )
    for probe, path in (("readinessProbe", "/ready"), ("livenessProbe", "/healthz")):
        text += (
            f"{i}  {probe}:\n"
            f"{i}    httpGet:\n"
            f"{i}      path: {path}\n"
            f"{i}      port: {probe_port}\n"
            f"{i}    periodSeconds: {rng.choice((5, 10, 15))}\n"
            f"{i}    timeoutSeconds: 2\n"
        )
    key = "securityContxt" if defect == "misspelled" else "securityContext"
    text += (
        f"{i}  {key}:\n"
        f"{i}    runAsNonRoot: true\n"
        f"{i}    readOnlyRootFilesystem: true\n"
        f"{i}    allowPrivilegeEscalation: false\n"
        f"{i}  volumeMounts:\n"
        f"{i}    - name: cache\n"
        f"{i}      mountPath: /var/cache/{app}\n"
    )
    return text


def _password(rng: random.Random) -> str:
    alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(rng.choice(alphabet) for _ in range(20))


def _workload(
    rng: random.Random, app: str, team: str, port: int, defect: str | None, kind: str, secret: bool
) -> str:
    extra = f"  serviceName: {app}\n" if kind == "StatefulSet" else ""
    strategy = (
        "  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0\n"
        if kind == "Deployment"
        else ""
    )
    return (
        f"apiVersion: apps/v1\n"
        f"kind: {kind}\n"
        f"metadata:\n"
        f"  name: {app}\n"
        f"  namespace: {team}\n"
        f"  labels:\n{_labels(app, team, '    ')}"
        f"  annotations:\n"
        f'    bench.example.com/owner: "{team}@example.com"\n'
        f"spec:\n"
        f"  replicas: {rng.choice((2, 3, 4))}\n"
        f"{extra}"
        f"  revisionHistoryLimit: 5\n"
        f"{strategy}"
        f"  selector:\n"
        f"    matchLabels:\n"
        f"      app.kubernetes.io/name: {app}\n"
        f"  template:\n"
        f"    metadata:\n"
        f"      labels:\n{_labels(app, team, '        ')}"
        f"    spec:\n"
        f"      serviceAccountName: {team}-runner\n"
        f"      automountServiceAccountToken: false\n"
        f"      terminationGracePeriodSeconds: 30\n"
        f"      securityContext:\n"
        f"        runAsUser: 10001\n"
        f"        fsGroup: 10001\n"
        f"      containers:\n{_container(rng, app, port, defect, '        ', secret)}"
        f"      volumes:\n"
        f"        - name: cache\n"
        f"          emptyDir: {{}}\n"
    )


def _service(app: str, team: str, defect: str | None, headless: bool) -> str:
    selector = f"{app}-typo" if defect == "selector" else app
    cluster_ip = "  clusterIP: None\n" if headless else ""
    return (
        f"apiVersion: v1\n"
        f"kind: Service\n"
        f"metadata:\n"
        f"  name: {app}\n"
        f"  namespace: {team}\n"
        f"  labels:\n{_labels(app, team, '    ')}"
        f"spec:\n"
        f"  type: ClusterIP\n"
        f"{cluster_ip}"
        f"  selector:\n"
        f"    app.kubernetes.io/name: {selector}\n"
        f"  ports:\n"
        f"    - name: http\n"
        f"      port: 80\n"
        f"      targetPort: http\n"
        f"      protocol: TCP\n"
    )


def _configmap(rng: random.Random, app: str, team: str) -> str:
    entries = "".join(
        f'  {key}: "{rng.randint(1, 10_000)}"\n'
        for key in rng.sample(("MAX_CONNECTIONS", "CACHE_TTL", "WORKERS", "TIMEOUT_MS", "BATCH_SIZE"), 3)
    )
    return (
        f"apiVersion: v1\n"
        f"kind: ConfigMap\n"
        f"metadata:\n"
        f"  name: {app}-config\n"
        f"  namespace: {team}\n"
        f"  labels:\n{_labels(app, team, '    ')}"
        f"data:\n{entries}"
        f"  app.properties: |\n"
        f"    server.port={rng.randint(1024, 9999)}\n"
        f"    feature.flags=a,b,c\n"
    )


def _secret(rng: random.Random, app: str, team: str) -> str:
    return (
        f"apiVersion: v1\n"
        f"kind: Secret\n"
        f"metadata:\n"
        f"  name: {app}-secret\n"
        f"  namespace: {team}\n"
        f"type: Opaque\n"
        f"data:\n"
        f"  database-url: {rng.randbytes(24).hex()}\n"
    )


def _hpa(rng: random.Random, app: str, team: str, kind: str) -> str:
    return (
        f"apiVersion: autoscaling/v2\n"
        f"kind: HorizontalPodAutoscaler\n"
        f"metadata:\n"
        f"  name: {app}\n"
        f"  namespace: {team}\n"
        f"spec:\n"
        f"  scaleTargetRef:\n"
        f"    apiVersion: apps/v1\n"
        f"    kind: {kind}\n"
        f"    name: {app}\n"
        f"  minReplicas: 2\n"
        f"  maxReplicas: {rng.choice((5, 10, 20))}\n"
        f"  metrics:\n"
        f"    - type: Resource\n"
        f"      resource:\n"
        f"        name: cpu\n"
        f"        target:\n"
        f"          type: Utilization\n"
        f"          averageUtilization: {rng.choice((60, 70, 80))}\n"
    )


def _ingress(app: str, team: str) -> str:
    return (
        f"apiVersion: networking.k8s.io/v1\n"
        f"kind: Ingress\n"
        f"metadata:\n"
        f"  name: {app}\n"
        f"  namespace: {team}\n"
        f"spec:\n"
        f"  ingressClassName: nginx\n"
        f"  rules:\n"
        f"    - host: {app}.{team}.example.com\n"
        f"      http:\n"
        f"        paths:\n"
        f"          - path: /\n"
        f"            pathType: Prefix\n"
        f"            backend:\n"
        f"              service:\n"
        f"                name: {app}\n"
        f"                port:\n"
        f"                  name: http\n"
    )


def _custom_resource(rng: random.Random, app: str, team: str) -> str:
    kind = rng.choice(CRD_KINDS)
    return (
        f"apiVersion: {CRD_GROUP}/v1\n"
        f"kind: {kind}\n"
        f"metadata:\n"
        f"  name: {app}-{kind.lower()}\n"
        f"  namespace: {team}\n"
        f"spec:\n"
        f"  target: {app}\n"
        f'  schedule: "{rng.randint(0, 59)} {rng.randint(0, 23)} * * *"\n'
        f"  retention: {rng.choice((7, 14, 30))}\n"
    )


def _crd(kind: str) -> str:
    plural = kind.lower() + "s"
    return (
        f"apiVersion: apiextensions.k8s.io/v1\n"
        f"kind: CustomResourceDefinition\n"
        f"metadata:\n"
        f"  name: {plural}.{CRD_GROUP}\n"
        f"spec:\n"
        f"  group: {CRD_GROUP}\n"
        f"  scope: Namespaced\n"
        f"  names:\n"
        f"    kind: {kind}\n"
        f"    plural: {plural}\n"
        f"    singular: {kind.lower()}\n"
        f"  versions:\n"
        f"    - name: v1\n"
        f"      served: true\n"
        f"      storage: true\n"
        f"      schema:\n"
        f"        openAPIV3Schema:\n"
        f"          type: object\n"
        f"          properties:\n"
        f"            spec:\n"
        f"              type: object\n"
        f"              required: [target]\n"
        f"              properties:\n"
        f"                target: {{type: string}}\n"
        f"                schedule: {{type: string}}\n"
        f"                retention: {{type: integer, minimum: 1}}\n"
    )


def _compose_project(rng: random.Random, number: int, ports: list[int]) -> tuple[str, int, int]:
    """One compose.yaml: (text, services, defects)."""
    count = rng.randint(2, 6)
    defects = 0
    lines = [f"name: proj-{number:04d}\n", "services:\n"]
    published: list[int] = []
    for s in range(count):
        name = ("web", "api", "worker", "db", "cache", "proxy")[s]
        image = rng.choice(IMAGES)
        if rng.random() < 0.06:
            image = image.rsplit(":", 1)[0] + ":latest"
            defects += 1
        lines.append(f"  {name}:\n    image: {image}\n    restart: unless-stopped\n")
        if name in ("web", "proxy", "api"):
            host = ports.pop() if ports else 20000 + number
            if published and rng.random() < 0.05:
                host = published[0]  # a host port clash
                defects += 1
            published.append(host)
            lines.append(f'    ports:\n      - "{host}:{rng.choice((80, 8080, 3000))}"\n')
        lines.append(
            "    environment:\n"
            f"      LOG_LEVEL: {rng.choice(('info', 'debug'))}\n"
            f'      WORKERS: "{rng.randint(1, 8)}"\n'
            "    healthcheck:\n"
            '      test: ["CMD", "true"]\n'
            "      interval: 30s\n"
            "      timeout: 5s\n"
            "      retries: 3\n"
            "    deploy:\n"
            "      resources:\n"
            "        limits:\n"
            f'          cpus: "{rng.choice(("0.5", "1", "2"))}"\n'
            f"          memory: {rng.choice(('128M', '256M', '1G'))}\n"
        )
        if s > 0:
            lines.append(f"    depends_on:\n      - {('web', 'api', 'worker', 'db', 'cache')[s - 1]}\n")
    lines.append("networks:\n  default:\n    driver: bridge\n")
    return "".join(lines), count, defects


def generate(root: str, *, scale: float = 1.0, seed: int = 8) -> Workload:
    """Write the workload under `root` (replacing what is there) and describe it."""
    if os.path.exists(root):
        shutil.rmtree(root)
    rng = random.Random(seed)
    files = max(1, round(BASE_FILES * scale))
    projects = max(1, round(BASE_COMPOSE_PROJECTS * scale))
    k8s_dir = os.path.join(root, "k8s")
    os.makedirs(os.path.join(k8s_dir, "crds"))
    objects = 0
    for kind in CRD_KINDS:
        _write(os.path.join(k8s_dir, "crds", f"{kind.lower()}.yaml"), _crd(kind))
        objects += 1
    defects = 0
    for n in range(files):
        team = f"team-{n % TEAMS:02d}"
        app = f"svc-{n:05d}"
        port = rng.choice((8080, 8000, 3000, 5000, 9090))
        defect = rng.choice(DEFECTS) if rng.random() < 0.3 else None
        defects += defect is not None
        kind = "StatefulSet" if rng.random() < 0.15 else "Deployment"
        secret = rng.random() < 0.5
        workload = _workload(rng, app, team, port, defect, kind, secret)
        third = _secret(rng, app, team) if secret else _hpa(rng, app, team, kind)
        fifth = _custom_resource(rng, app, team) if rng.random() < 0.2 else _ingress(app, team)
        service = _service(app, team, defect, headless=kind == "StatefulSet")
        docs = [workload, service, _configmap(rng, app, team), third, fifth]
        objects += len(docs)
        path = os.path.join(k8s_dir, team, f"{app}.yaml")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        _write(path, "---\n".join(docs))
    compose_dir = os.path.join(root, "compose")
    host_ports = list(range(30000, 30000 + projects * 3))
    rng.shuffle(host_ports)
    services = 0
    for p in range(projects):
        text, count, bad = _compose_project(rng, p, host_ports)
        services += count
        defects += bad
        _write(os.path.join(compose_dir, f"proj-{p:04d}", "compose.yaml"), text)
    return Workload(root, files + len(CRD_KINDS), objects, projects, services, defects)


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="directory to write (replaced)")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 10,000 objects, 500 projects")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args(argv)
    w = generate(args.out, scale=args.scale, seed=args.seed)
    print(
        f"{w.root}: {w.kubernetes_objects} Kubernetes objects in {w.kubernetes_files} files, "
        f"{w.compose_projects} Compose projects ({w.compose_services} services), {w.defects} defects"
    )


if __name__ == "__main__":
    main()
