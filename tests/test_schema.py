"""Schema validation: versions, messages, secrets, compile-once, CRD conversion, Compose."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from schema_helpers import context, load_manifests

from kubelint.model import ComposeFile, Document, K8sObject, SourceFile
from kubelint.schema import kubernetes as kubernetes_module
from kubelint.schema.compose import ComposeSchema, is_interpolated
from kubelint.schema.crd import convert
from kubelint.schema.objects import Source, builtin_schemas, validate_object
from kubelint.schema.versions import UnsupportedVersion, resolve_version, supported_versions


def _objects(tmp_path: Path, text: str, name: str = "objects.yaml") -> list[Any]:
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    return load_manifests([str(target)], cwd=str(tmp_path))


def _messages(tmp_path: Path, text: str, **kwargs: Any) -> list[str]:
    manifests = _objects(tmp_path, text)
    ctx = context(manifests, cwd=str(tmp_path), **kwargs)
    return [
        p.message for m in manifests if isinstance(m, K8sObject) for p in validate_object(m, ctx).problems
    ]


# --- versions -----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1.33", "v1.33", "1.33.2", "v1.33.0", " 1.33 "])
def test_version_spellings(text: str) -> None:
    assert resolve_version(text) == "1.33"


def test_default_version_is_the_newest_shipped() -> None:
    versions = supported_versions()
    assert resolve_version(None) == versions[-1]
    assert [tuple(map(int, v.split("."))) for v in versions] == sorted(
        tuple(map(int, v.split("."))) for v in versions
    )


@pytest.mark.parametrize("text", ["1.20", "2.0", "banana", "1", "1.3"])
def test_unsupported_version_lists_the_supported_ones(text: str) -> None:
    with pytest.raises(UnsupportedVersion) as error:
        resolve_version(text)
    assert ", ".join(supported_versions()) in str(error.value)


def test_cli_rejects_an_unsupported_version_with_exit_2(tmp_path: Path) -> None:
    target = tmp_path / "a.yaml"
    target.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "kubelint",
            "check",
            "--no-config",
            "--kubernetes-version",
            "1.12",
            str(target),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "1.12" in lines[0] and supported_versions()[-1] in lines[0]


def test_older_version_changes_the_verdict(tmp_path: Path) -> None:
    # autoscaling/v2beta2 exists in 1.25 and is gone in 1.26.
    text = (
        "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n"
        "spec:\n  scaleTargetRef: {kind: Deployment, name: web}\n  maxReplicas: 2\n"
    )
    manifests = _objects(tmp_path, text)
    obj = manifests[0]
    assert validate_object(obj, context(manifests, version="1.25")).source is Source.BUILTIN
    assert validate_object(obj, context(manifests, version="1.26")).source is Source.NONE


# --- messages -----------------------------------------------------------------------

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          {container_extra}
"""


def _deployment(replicas: str = "2", container_extra: str = "") -> str:
    return DEPLOYMENT.format(replicas=replicas, container_extra=container_extra)


def test_message_names_path_expected_and_actual(tmp_path: Path) -> None:
    assert _messages(tmp_path, _deployment(replicas="three")) == [
        'spec.replicas: expected integer, got string "three"'
    ]


def test_unknown_fields_suggest_the_closest_name(tmp_path: Path) -> None:
    messages = _messages(tmp_path, _deployment(container_extra="imagePullPolice: Always"))
    assert messages == [
        'spec.template.spec.containers[0]: unknown field "imagePullPolice"; did you mean "imagePullPolicy"?'
    ]


def test_strict_off_accepts_unknown_fields(tmp_path: Path) -> None:
    assert _messages(tmp_path, _deployment(container_extra="imagePullPolice: Always"), strict=False) == []


@pytest.mark.parametrize(
    "extra",
    [
        "resources: {requests: {cpu: 0.5, memory: 1Gi}}",
        'resources: {requests: {cpu: "500m", memory: "128974848"}, limits: {cpu: 2, memory: 1e9}}',
        "ports: [{containerPort: 8080, name: http}]\n          livenessProbe: {httpGet: {port: http}}",
        "livenessProbe: {httpGet: {port: 8080}}",
        'livenessProbe: {tcpSocket: {port: "8080"}}',
    ],
)
def test_quantities_and_int_or_string_accept_what_the_api_server_accepts(tmp_path: Path, extra: str) -> None:
    assert _messages(tmp_path, _deployment(container_extra=extra)) == []


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("resources: {requests: {cpu: true}}", "expected a quantity"),
        ("livenessProbe: {httpGet: {port: 80.5}}", "expected an integer or a string"),
        ("resources: {limits: {memory: 1 GB}}", 'string "1 GB" is not a quantity'),
        ("resources: {limits: {cpu: half}}", 'string "half" is not a quantity'),
    ],
)
def test_quantity_and_int_or_string_errors_are_readable(tmp_path: Path, extra: str, expected: str) -> None:
    messages = _messages(tmp_path, _deployment(container_extra=extra))
    assert len(messages) == 1 and expected in messages[0] and "oneOf" not in messages[0]


def test_every_error_of_a_document_is_reported(tmp_path: Path) -> None:
    extra = 'imagePullPolice: Always\n          ports: [{containerPort: "80"}]\n          tty: "yes"'
    messages = _messages(tmp_path, _deployment(replicas="three", container_extra=extra))
    assert len(messages) == 4


# --- secrets ------------------------------------------------------------------------


def test_secret_values_are_never_echoed(tmp_path: Path) -> None:
    text = (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  notes: [hunter2]\n"
        "data:\n  config: 424242\n  plain: hunter2-plain\n---\n"
        + _deployment(
            container_extra="env: [{name: DB_PASSWORD, value: 987654}, {name: API_TOKEN, value: true}]"
        )
    )
    manifests = _objects(tmp_path, text)
    ctx = context(manifests)
    problems = [p for m in manifests for p in validate_object(m, ctx).problems]
    assert len(problems) == 5
    for problem in problems:
        assert problem.sensitive
        for value in ("hunter2", "424242", "987654", "true"):
            assert value not in problem.message


# --- compile once -------------------------------------------------------------------


def test_schemas_are_loaded_and_compiled_once_per_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[Any] = []

    def counting_load(handle: Any) -> Any:
        loads.append(handle)
        return json.load(handle)

    monkeypatch.setattr(kubernetes_module, "json", types.SimpleNamespace(load=counting_load))
    docs = []
    for i in range(150):
        docs.append(_deployment(replicas=str(i)).replace("name: web}", f"name: web{i}}}", 1))
        docs.append(
            f"apiVersion: v1\nkind: Service\nmetadata: {{name: s{i}}}\nspec: {{ports: [{{port: {i + 1}}}]}}\n"
        )
    manifests = _objects(tmp_path, "---\n".join(docs))
    ctx = context(manifests)
    for m in manifests:
        assert validate_object(m, ctx).problems == []
    assert len(loads) == 1  # _definitions.json, once for the run
    assert builtin_schemas(ctx).compiled == 2  # one validator per kind


# --- custom resources ---------------------------------------------------------------


def test_crd_conversion_of_kubernetes_extensions() -> None:
    schema = {
        "type": "object",
        "properties": {
            "port": {"x-kubernetes-int-or-string": True},
            "name": {"type": "string", "nullable": True},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True, "properties": {}},
            "count": {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
        },
    }
    out = convert(schema, strict=True)
    props = out["properties"]
    assert out["additionalProperties"] is False
    assert props["port"] == {"anyOf": [{"type": "integer"}, {"type": "string"}]}
    assert props["name"]["type"] == ["string", "null"]
    assert "additionalProperties" not in props["free"]
    assert props["count"] == {"type": "integer", "exclusiveMinimum": 0}
    assert "additionalProperties" not in convert(schema, strict=False)


# --- compose ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["${PORT}", "${PORT:-8080}", "$PORT", "pre-${X}"])
def test_interpolated_strings(value: str) -> None:
    assert is_interpolated(value)


def test_compose_interpolation_is_never_a_type_error(tmp_path: Path) -> None:
    text = (
        "services:\n  web:\n    image: nginx\n    privileged: ${PRIV:-false}\n"
        "    deploy: {replicas: '${N:-2}'}\n    ports: [{target: 80, published: '${PORT}'}]\n"
        "    healthcheck: {disable: '${NO_HC}'}\n    tty: nope\n"
    )
    manifests = _objects(tmp_path, text, name="compose.yaml")
    assert isinstance(manifests[0], ComposeFile)
    messages = [p.message for p in ComposeSchema().problems(manifests[0].data)]
    assert messages == ['services.web.tty: expected boolean, got string "nope"']


def test_compose_schema_ships_with_its_licence() -> None:
    import kubelint.schemas

    root = os.path.dirname(kubelint.schemas.__file__)
    for name in ("compose-spec/compose-spec.json", "compose-spec/LICENSE", "compose-spec/NOTICE"):
        assert os.path.isfile(os.path.join(root, name)), name
    for name in ("deprecations/versions.json", "deprecations/LICENSE", "deprecations/README.md"):
        assert os.path.isfile(os.path.join(root, name)), name


# --- schema-dirs --------------------------------------------------------------------


def test_schema_dirs_never_fetch_remote_refs(tmp_path: Path) -> None:
    from kubelint.schema.extra_schemas import ExtraSchemas

    (tmp_path / "schemas").mkdir()
    schema = {"properties": {"spec": {"$ref": "https://example.invalid/spec.json"}}}
    (tmp_path / "schemas" / "thing_v1.json").write_text(json.dumps(schema))
    extra = ExtraSchemas((str(tmp_path / "schemas"),))
    assert extra.find("example.com/v1", "Thing") is None
    (problem,) = extra.problems.values()
    assert "only local files" in problem


def test_values_that_are_secrets_are_not_echoed_whatever_their_key(tmp_path: Path) -> None:
    messages = _messages(tmp_path, _deployment(replicas='"postgres://app:s3cr3tpassw0rd@db:5432/app"'))
    assert messages == ["spec.replicas: expected integer, got a string"]


def test_config_file_version_error_names_the_config(tmp_path: Path) -> None:
    (tmp_path / ".kubelint.yaml").write_text("kubernetes-version: 1.30\n")  # the number 1.3
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    run = subprocess.run(
        [sys.executable, "-m", "kubelint", "check", "a.yaml"], capture_output=True, text=True, cwd=tmp_path
    )
    assert run.returncode == 2
    assert "kubernetes-version" in run.stderr and "quote" in run.stderr


# --- any shape ----------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(spec=_json, kind=st.sampled_from(["Deployment", "Secret", "Pod", "Widget"]))
def test_any_shape_validates_without_crashing(spec: Any, kind: str) -> None:
    api = {"Deployment": "apps/v1", "Widget": "example.com/v1"}.get(kind, "v1")
    data = {"apiVersion": api, "kind": kind, "spec": spec, "data": spec}
    doc = Document(SourceFile("any.yaml", "", None), 0, data, None)  # type: ignore[arg-type]
    obj = K8sObject(doc=doc, base=(), data=data, api_version=api, kind=kind)
    ctx = context([obj])
    for problem in validate_object(obj, ctx).problems:
        assert problem.message


_COMPOSE = ComposeSchema()


@settings(max_examples=60, deadline=None)
@given(service=_json)
def test_any_compose_shape_validates_without_crashing(service: Any) -> None:
    for problem in _COMPOSE.problems({"services": {"web": service}, "x-any": service}):
        assert problem.message
