"""The pre-commit hook, installed and run by the real pre-commit (slow: builds a venv).

Skipped when KUBELINT_SKIP_SLOW=1 or pre-commit is not installed (`pip install -e '.[test]'`).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from integration_helpers import ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("KUBELINT_SKIP_SLOW") == "1", reason="KUBELINT_SKIP_SLOW=1"),
    pytest.mark.skipif(importlib.util.find_spec("pre_commit") is None, reason="pre-commit is not installed"),
]

BAD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: legacy
spec:
  selector:
    matchLabels: {app: legacy}
  template:
    metadata:
      labels: {app: legacy}
    spec:
      containers:
        - name: legacy
          image: nginx:latest
"""

GOOD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27.2
          securityContext:
            allowPrivilegeEscalation: false
            runAsNonRoot: true
            runAsUser: 10001
            readOnlyRootFilesystem: true
          ports:
            - containerPort: 8080
          resources:
            requests: {cpu: 100m, memory: 64Mi}
            limits: {cpu: 500m, memory: 128Mi}
          livenessProbe:
            httpGet: {path: /healthz, port: 8080}
          readinessProbe:
            httpGet: {path: /ready, port: 8080}
"""

# Selects the pods of GOOD, which is in another (unchanged) file.
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
      targetPort: 8080
"""


def git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def snapshot_of_this_repository(target: Path) -> Path:
    """This working tree (tracked and new files) committed in a fresh repository, so
    that one pre-commit environment serves every run of the test."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for name in listed:
        source = Path(ROOT, name)
        if source.is_file() and not name.startswith(("tests/", "bench/", "docs/")):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git("init", "-q", cwd=target)
    git("add", ".", cwd=target)
    git("commit", "-q", "-m", "snapshot", cwd=target)
    return target


def test_hook_with_real_pre_commit(tmp_path: Path) -> None:
    hook_repo = snapshot_of_this_repository(tmp_path / "kubelint")
    project = tmp_path / "project"
    project.mkdir()
    (project / "bad.yaml").write_text(BAD)
    (project / "good.yaml").write_text(GOOD)
    (project / "service.yaml").write_text(SERVICE)
    # The rule families this test is about; rules added later must not make GOOD "bad".
    (project / ".kubelint.yaml").write_text("select: [KL001, KL002, KL101, KL102, KL501, KL700, KL702]\n")
    git("init", "-q", cwd=project)
    git("add", ".", cwd=project)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)

    def hook(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "kubelint", "--files", *files],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

    bad = hook("bad.yaml")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "bad.yaml:14:18  warning  KL501 latest-tag" in bad.stdout
    good = hook("good.yaml")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "kubelint" in good.stdout and "Passed" in good.stdout
    # Only the Service changed: its Deployment in good.yaml is context, not "no pods".
    service = hook("service.yaml")
    assert service.returncode == 0, service.stdout + service.stderr
    assert "KL700" not in service.stdout
