"""The documented policies work as written: every example policy of docs/policies/,
the built-in policies of rules/policies/, and every policy in docs/policies.md."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from kubelint.policy.examples import run_examples
from kubelint.policy.loader import load_policies, load_policy_text

DOCS = os.path.join(ROOT, "docs")
EXAMPLES = os.path.join(DOCS, "policies")
BUILTIN = os.path.join(ROOT, "rules", "policies")
GUIDE = os.path.join(DOCS, "policies.md")


def _files(directory: str) -> list[str]:
    return sorted(n for n in os.listdir(directory) if n.endswith(".yaml"))


def test_a_dozen_documented_examples_covering_every_form() -> None:
    loaded = load_policies([EXAMPLES], ROOT)
    assert loaded.errors == []
    assert len(loaded.policies) >= 12
    forms = {p.form for p in loaded.policies}
    assert forms == {"assert", "schema", "cel", "crossResource"}
    assert any(p.match.compose for p in loaded.policies)
    assert len({p.id for p in loaded.policies}) == len(loaded.policies)


@pytest.mark.parametrize("directory", [EXAMPLES, BUILTIN], ids=["docs", "builtin"])
def test_every_policy_example_behaves(directory: str) -> None:
    for name in _files(directory):
        loaded = load_policies([os.path.join(directory, name)], ROOT, builtin=directory == BUILTIN)
        assert loaded.errors == [], name
        for policy in loaded.policies:
            results = run_examples(policy)
            assert any(r.expect == "pass" for r in results), f"{policy.id} has no pass example"
            assert any(r.expect == "fail" for r in results), f"{policy.id} has no fail example"
            bad = [str(r) for r in results if not r.ok]
            assert bad == [], "\n".join(bad)


def test_builtin_policies_follow_the_policy_schema() -> None:
    """kubelint skips this check when it loads its own catalogue (start-up time): the
    catalogue must pass it here, schemas included."""
    import jsonschema

    from kubelint.policy.loader import _validator

    validator = _validator()
    loaded = load_policies([BUILTIN], ROOT, builtin=True)
    assert len(loaded.policies) >= 5
    for policy in loaded.policies:
        assert list(validator.iter_errors(policy.raw)) == [], policy.id
        if policy.schema is not None:
            jsonschema.validators.validator_for(policy.schema).check_schema(policy.schema)


def _yaml_blocks() -> list[str]:
    import textwrap

    with open(GUIDE, encoding="utf-8") as handle:
        found = re.findall(r"^( *)```yaml\n(.*?)^\1```", handle.read(), re.S | re.M)
    return [textwrap.dedent(body) for _indent, body in found]


def test_every_policy_in_the_guide_loads_and_its_examples_behave() -> None:
    complete = [b for b in _yaml_blocks() if re.search(r"^id: ", b, re.M)]
    assert len(complete) >= 6
    for block in complete:
        policies, errors = load_policy_text(block, "docs/policies.md")
        assert [str(e) for e in errors] == [], block
        for policy in policies:
            assert all(r.ok for r in run_examples(policy)), block


def test_the_guides_inline_config_policies_load(tmp_path: Path) -> None:
    from kubelint.policy.setup import prepare_run

    inline = [b for b in _yaml_blocks() if b.startswith("policies:")]
    assert inline
    (tmp_path / ".kubelint.yaml").write_text(inline[0])
    registry, _config = prepare_run(None, str(tmp_path))
    assert registry.get("ACME020") is not None


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "kubelint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


QUICK_START_MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          resources:
            limits: {memory: 256Mi}
          image: nginx:1.27
"""


def test_quick_start_gives_the_documented_output(tmp_path: Path) -> None:
    blocks = _yaml_blocks()
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "registry.yaml").write_text(blocks[0])
    (tmp_path / ".kubelint.yaml").write_text(blocks[1])
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "web.yaml").write_text(QUICK_START_MANIFEST)
    with open(GUIDE, encoding="utf-8") as handle:
        documented = re.search(
            r"```text\n\$ kubelint policy test\n(.*?)\$ kubelint check k8s/ --select ACME\n(.*?)```",
            handle.read(),
            re.S,
        )
    assert documented
    tested = _run("policy", "test", cwd=tmp_path)
    assert tested.returncode == 0, tested.stderr
    assert tested.stdout == documented.group(1)
    checked = _run("check", "k8s/", "--select", "ACME", "--color", "never", cwd=tmp_path)
    assert checked.returncode == 1, checked.stderr
    assert checked.stdout.strip() == documented.group(2).strip()


BROKEN = """\
id: ACME101
name: replicas-at-least-two
description: At least two replicas.
cel: "object.spec.replicas >= "
---
id: KL010
name: my-rule
description: Reserved prefix.
assert: [{path: spec.replicas, gte: 2}]
---
id: ACME102
name: team-label
description: A team label.
mach: {kinds: [Deployment]}
assert: [{path: metadata.labels.team, exists: true}]
---
id: ACME103
name: long-names
description: Names are short.
cel: "object.metadata.name.lenght() < 20"
---
id: ACME104
name: image-tag
description: Images are pinned.
assert:
  - path: $containers.image
    regex: "("
"""


def test_broken_policies_give_the_documented_errors(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "acme.yaml").write_text(BROKEN)
    (tmp_path / "policies" / "other.yaml").write_text("id: ACME105\nname: x\n  description: [\n")
    (tmp_path / "app.yaml").write_text(QUICK_START_MANIFEST)
    with open(GUIDE, encoding="utf-8") as handle:
        documented = re.search(r"```text\n(kubelint: invalid policy:\n.*?)```", handle.read(), re.S)
    assert documented
    done = _run("check", "app.yaml", "--policy", "policies", cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr == documented.group(1)
    tested = _run("policy", "test", "policies", cwd=tmp_path)
    assert tested.returncode == 2
    assert "policies/acme.yaml:6:5: id KL010" in tested.stderr
