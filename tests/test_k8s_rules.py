"""The single-object Kubernetes rules (KL12x, KL205-207, KL304-306, KL402-405,
KL502-517, KL600-614): helper syntax checks, secrets never leaking, the corpus."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from conftest import CORPUS, ROOT, need_shared

from kubelint.image_ref import image_problem, parse_image
from kubelint.k8s_names import (
    dns1035_label,
    dns1123_subdomain,
    iana_svc_name,
    is_placeholder_text,
    label_value,
    name_problem,
    qualified_name,
)
from rules.object_validity import cron_problem
from rules.secrets_plaintext import command_line_secrets, embedded_secrets

FIXTURES = os.path.join(ROOT, "tests", "fixtures", "rules")
MY_RULES = "KL12,KL205,KL206,KL207,KL304,KL305,KL306,KL402,KL403,KL404,KL405,KL502,KL503,KL504,KL505,KL506,KL507,KL51,KL6"


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("http", True),
        ("metrics-9100", True),
        ("a", True),
        ("http_metrics", False),
        ("9090", False),
        ("grpc-health-check", False),
        ("-http", False),
        ("ht--tp", False),
        ("HTTP", False),
        ("", False),
    ],
)
def test_iana_service_names(text: str, valid: bool) -> None:
    assert (iana_svc_name(text) is None) is valid


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("app", True),
        ("app.kubernetes.io/name", True),
        ("Team_1", True),
        ("example.com/a.b-c_d", True),
        ("-bad", False),
        ("a/b/c", False),
        ("/name", False),
        ("Example.com/name", False),
        ("x" * 64, False),
    ],
)
def test_label_keys(key: str, valid: bool) -> None:
    assert (qualified_name(key) is None) is valid


def test_label_values_names_and_kinds() -> None:
    assert label_value("") is None and label_value("1.2.3_rc-1") is None
    assert label_value("my app") and label_value("v1.") and label_value("x" * 64)
    assert dns1123_subdomain("web.frontend-v2") is None and dns1123_subdomain("My_App")
    assert dns1035_label("1st-service") and dns1035_label("first-service") is None
    assert name_problem("ClusterRole", "system:controller:x") is None
    assert name_problem("Widget", "Not_Judged") is None
    assert name_problem("CronJob", "a" * 53) and name_problem("CronJob", "a" * 52) is None


@pytest.mark.parametrize(
    "text",
    [
        "${NAME}",
        "$(APP)",
        "{{ .Values.name }}",
        "<PROJECT_ID>",
        "PV_NAME",
        "REGION-docker.pkg.dev/PROJECT_ID/app",
    ],
)
def test_placeholders_are_recognised(text: str) -> None:
    assert is_placeholder_text(text)


@pytest.mark.parametrize("text", ["My_App", "Example/API:1.0", "web"])
def test_real_values_are_not_placeholders(text: str) -> None:
    assert not is_placeholder_text(text)


@pytest.mark.parametrize(
    ("image", "registry", "repository", "tag"),
    [
        ("nginx", None, "nginx", None),
        ("localhost:5000/a/b:1", "localhost:5000", "a/b", "1"),
        ("ghcr.io/org/app:v1.0-rc1", "ghcr.io", "org/app", "v1.0-rc1"),
        ("team/app:2", None, "team/app", "2"),
    ],
)
def test_image_references(image: str, registry: str | None, repository: str, tag: str | None) -> None:
    ref = parse_image(image)
    assert ref is not None
    assert (ref.registry, ref.repository, ref.tag) == (registry, repository, tag)


def test_official_images_resolve_to_library() -> None:
    ref = parse_image("nginx:1.27")
    assert ref is not None and ref.full_name == "docker.io/library/nginx"


@pytest.mark.parametrize(
    "image", ["Nginx:1", "https://r.example.com/a:1", "a:1:2", "a@sha256:12", " a:1", "a b"]
)
def test_invalid_image_references(image: str) -> None:
    assert image_problem(image) is not None


@pytest.mark.parametrize(
    ("schedule", "valid"),
    [
        ("0 3 * * *", True),
        ("*/15 * * * *", True),
        ("@daily", True),
        ("@every 1h30m", True),
        ("0 0 1-5 JAN-MAR MON-FRI", True),
        ("0 0 ? * MON", True),
        ("0 24 * * *", False),
        ("0 0 * * 7", False),
        ("* * * *", False),
        ("TZ=UTC 0 0 * * *", False),
        ("0 0 5-1 * *", False),
        ("@weekly2", False),
        ("*/0 * * * *", False),
    ],
)
def test_cron_schedules(schedule: str, valid: bool) -> None:
    assert (cron_problem(schedule) is None) is valid


def test_command_line_secrets_point_at_the_value() -> None:
    found = list(
        command_line_secrets(["--api-key", "abcdef0123456789", "--token=$(TOKEN)", "--password-file=/x"])
    )
    assert found == [(1, "--api-key", "a literal value")]


def test_embedded_secrets_skip_code_and_references() -> None:
    text = 'token = os.environ["X"]\npassword: ${DB}\ndb.password=Sup3rS3cret\npasswd: files\n'
    assert list(embedded_secrets(text)) == [(2, "db.password")]


SECRET_VALUES = (
    "hunter2-prod",
    "s3cr3tpass",
    "Sup3rS3cret",
    "9f86d081884c7d659a2feaa0c55ad015",
    "AIzaSyA1234567890",
    "hunter2prod",
    "abcdef0123456789",
    "pa55word",
    "aHVudGVyMi1wcm9k",
    "tok_live_abcdef",
    "LS0tLS1CRUdJTiBSU0Eg",
)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_secret_values_never_appear_in_any_format(fmt: str) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kubelint",
            "check",
            "k8s_secrets_plaintext.yaml",
            "--no-config",
            "--select",
            "KL4",
            "-f",
            fmt,
            "--color",
            "never",
        ],
        cwd=FIXTURES,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode == 2 and "No module named 'kubelint.reporters" in done.stderr:
        pytest.skip(f"the {fmt} reporter is not available yet")
    assert done.returncode == 1, done.stderr
    assert "KL402" in done.stdout and "KL405" in done.stdout
    for value in SECRET_VALUES:
        assert value not in done.stdout, f"{value!r} leaked in {fmt} output"
        assert value not in done.stderr


def test_corpus_runs_without_crashes() -> None:
    corpus = need_shared(CORPUS)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kubelint",
            "check",
            corpus,
            "--no-config",
            "--no-render",
            "--select",
            f"{MY_RULES},KL099",
            "-f",
            "json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    data = json.loads(done.stdout)
    crashes = [f for f in data["findings"] if f["rule_id"] == "KL099"]
    assert not crashes, crashes[:3]
    assert data["findings"], "the corpus should produce findings"
    for finding in data["findings"]:
        assert finding["line"] >= 1, finding


POD_LEVEL_CONTAINER_SETTINGS = """\
apiVersion: v1
kind: Pod
metadata:
  name: nginx
spec:
  securityContext:
    allowPrivilegeEscalation: false
    readOnlyRootFilesystem: true
  containers:
    - name: nginx
      image: nginx:1.27
"""


def test_container_settings_at_pod_level_are_explained() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kubelint",
            "check",
            "-",
            "--no-config",
            "--select",
            "KL601,KL603",
            "--stdin-filename",
            "pod.yaml",
            "-f",
            "json",
        ],
        input=POD_LEVEL_CONTAINER_SETTINGS,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    messages = {f["rule_id"]: f["message"] for f in json.loads(done.stdout)["findings"]}
    assert "pod-level securityContext.allowPrivilegeEscalation has no effect" in messages["KL601"]
    assert "pod-level securityContext.readOnlyRootFilesystem has no effect" in messages["KL603"]


MY_RULE_MODULES = (
    "object_validity",
    "resources_extra",
    "probes_extra",
    "secrets_plaintext",
    "image_policy",
    "ports",
    "security_context",
    "host_access",
)


def test_rules_have_full_docs_and_explain_their_severity() -> None:
    import importlib

    for name in MY_RULE_MODULES:
        module = importlib.import_module(f"rules.{name}")
        for rule in module.RULES:
            assert not rule.missing_doc_headings(), (rule.id, rule.missing_doc_headings())
            assert "Severity:" in rule.docs, f"{rule.id} does not explain its severity"
            assert rule.name != "duplicate-container-name"


# Any shape at any place: the single-object rules never raise (the schema rule reports shapes).
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kubelint.model import K8sObject  # noqa: E402
from kubelint.rule import RuleContext, Settings  # noqa: E402
from kubelint.workspace import Workspace  # noqa: E402

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-70000, 70000),
    st.text(max_size=12),
    st.sampled_from(
        ["ALL", "Unconfined", "/var/run/docker.sock", "0 24 * * *", "1Gi", "500m", "http", "true"]
    ),
)
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "name",
                    "image",
                    "ports",
                    "containerPort",
                    "securityContext",
                    "capabilities",
                    "add",
                    "drop",
                    "resources",
                    "requests",
                    "limits",
                    "cpu",
                    "memory",
                    "env",
                    "value",
                    "livenessProbe",
                    "httpGet",
                    "port",
                    "volumes",
                    "hostPath",
                    "path",
                    "volumeMounts",
                    "labels",
                    "annotations",
                    "selector",
                    "matchLabels",
                    "command",
                    "args",
                    "data",
                    "stringData",
                    "runAsUser",
                    "privileged",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=25,
)


def _all_my_rules() -> list[Any]:
    import importlib

    return [r for name in MY_RULE_MODULES for r in importlib.import_module(f"rules.{name}").RULES]


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(
        ["Deployment", "Pod", "CronJob", "Service", "ConfigMap", "Secret", "DeploymentConfig"]
    ),
    container=_json,
    spec=_json,
    metadata=_json,
    data=_json,
)
def test_rules_never_crash_on_any_shape(
    kind: str, container: Any, spec: Any, metadata: Any, data: Any
) -> None:
    pod: dict[str, Any] = {"containers": [container], "initContainers": [container]}
    if isinstance(spec, dict):
        pod.update(spec)
    template = {"metadata": metadata, "spec": pod}
    body: dict[str, Any] = {"apiVersion": "v1", "kind": kind, "metadata": metadata, "data": data}
    if kind == "Pod":
        body["spec"] = pod
    elif kind == "CronJob":
        body["spec"] = {"schedule": data, "jobTemplate": {"spec": {"template": template}}}
    elif kind == "Service":
        body["spec"] = {"ports": [container, data], "selector": metadata}
    else:
        body["spec"] = {"selector": spec, "template": template}
    obj = K8sObject(doc=None, base=(), data=body, api_version="v1", kind=kind)  # type: ignore[arg-type]
    for rule in _all_my_rules():
        if rule.kinds is not None and kind not in rule.kinds:
            continue
        options = {name: option.default for name, option in rule.options.items()}
        ctx = RuleContext(rule, options, Workspace([]), Settings(), {})
        for violation in rule.run(obj, ctx):
            assert isinstance(violation.message, str) and violation.path is not None
