"""KL402-KL406: secrets written in plain text outside container environments, and
secrets read into environment variables (opt-in).

Detection is shared with KL401 (kubelint/secrets.py): a value counts when its
name says it is a secret and it is a real literal (not empty, not a `${VAR}` /
`$(VAR)` / `{{ }}` reference, not a placeholder such as `changeme`, `<password>`,
`xxxx`, `your-token-here`), or when the value itself is unmistakably a secret (a
PEM private key, a URL with a password, a known token format).  No message and
no code frame ever shows the value.

Severities: error for secrets in ConfigMaps, annotations and command lines (places
anyone with read access to the object sees, like KL401); warning for data
committed in a Secret object, where the secret is at least in the right kind
of object.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from typing import Any

from kubelint.k8s import WORKLOAD_KINDS, as_list, as_mapping, dig, pod_template_path
from kubelint.model import Format, K8sObject, Severity, Violation
from kubelint.positions import Path
from kubelint.rule import RuleContext, rule
from kubelint.secrets import (
    NOT_A_VALUE_SUFFIXES,
    is_literal_value,
    is_placeholder,
    is_secret_name,
    name_tokens,
    secret_value_kind,
)

_CODE_CHARACTERS = frozenset("()[]{} \t")
_DATABASE_WORDS = frozenset({"passwd", "pass", "pwd", "shadow"})

# `key: value`, `key = value`, `"key": "value"` lines inside an embedded config file.
_ASSIGNMENT = re.compile(r"""^\s*(?:export\s+)?["']?([A-Za-z][A-Za-z0-9_.-]*)["']?\s*[:=]\s*(.*?)\s*,?\s*$""")


def _strip_quotes(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    if " #" in value:
        value = value.split(" #", 1)[0].strip()
    return value


def _verdict(name: str, value: Any) -> str | None:
    """Why `name: value` is a plaintext secret, or None (never includes the value)."""
    kind = secret_value_kind(value)
    if kind:
        return kind
    if (
        isinstance(value, str)
        and "\n" not in value.strip()
        and is_secret_name(name)
        and is_literal_value(value)
    ):
        return "a literal value"
    return None


def embedded_secrets(text: str) -> Iterator[tuple[int, str]]:
    """(line index, key) of `key: literal` assignments with a secret name inside a
    multi-line value (an embedded properties, YAML, INI or .env file)."""
    for index, line in enumerate(text.splitlines()):
        match = _ASSIGNMENT.match(line)
        if not match:
            continue
        key = match.group(1)
        value = _strip_quotes(match.group(2))
        if (
            not value
            or any(ch in value for ch in _CODE_CHARACTERS)
            or value.startswith(("|", ">", "&", "*", "!"))
        ):
            continue  # structure, code (`token=os.environ["X"]`) or a YAML block: not a literal
        last = key.rpartition(".")[2] or key
        if last.lower() in _DATABASE_WORDS:
            continue  # `passwd: files` in nsswitch.conf names a database, not a password
        if is_secret_name(last) and is_literal_value(value):
            yield index, key


@rule(
    id="KL402",
    name="secret-in-configmap",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=("ConfigMap",),
    category="security",
    security_severity=8.0,
)
def secret_in_configmap(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports ConfigMap `data` entries that hold a secret: a key whose name says
    it is one (`database_password`, `API_KEY`, `client-secret`, ...) with a
    literal value; any value that is unmistakably a secret (a PEM private key, a
    URL with a password, a known token format); and, inside an embedded file
    (`application.properties`, `config.yaml`, `.env`), a line such as
    `db.password=...` or `token: ...` with a literal value.  Placeholders
    (`changeme`, `<password>`, `xxxx`, `your-...-here`, `TODO`, `redacted`,
    `example`, `dummy`, `placeholder`, empty values) and references (`${VAR}`,
    `$(VAR)`, `{{ }}`) are not reported.  The value is never shown.

    Severity: error (like KL401).

    ## Why is this bad?
    ConfigMaps are not treated as confidential: they are readable by far more
    roles than Secrets, printed by `kubectl describe`, and never encrypted at
    rest.

    ## Example
    ```yaml
    kind: ConfigMap
    data:
      database_password: hunter2
    ```

    ## Use instead
    ```yaml
    kind: Secret          # created from a secret store, not committed
    stringData:
      database_password: ...
    ```
    """
    for key, value in as_mapping(obj.data.get("data")).items():
        if not isinstance(key, str) or not isinstance(value, str):
            continue
        path: Path = ("data", key)
        why = _verdict(key, value)
        if why:
            yield Violation(
                path,
                f'ConfigMap key "{key}" holds {why}',
                fix="move it to a Secret (and out of the repository)",
                fingerprint=f"data/{key}",
                sensitive=True,
            )
            continue
        if "\n" in value.strip():
            for _index, inner in embedded_secrets(value):
                yield Violation(
                    path,
                    f'ConfigMap key "{key}" sets "{inner}" to a literal secret',
                    fix="move the secret to a Secret and reference it (env var or mounted file)",
                    fingerprint=f"data/{key}/{inner}",
                    sensitive=True,
                )


_SKIPPED_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)
_OBJECT_REFERENCE = re.compile(r"([a-z0-9]([-a-z0-9]*[a-z0-9])?/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?")


def _names_a_secret(name: str, value: Any) -> bool:
    """`auth-tls-secret: default/ca-secret`: the annotation names a Secret object."""
    tokens = name_tokens(name)
    return (
        bool(tokens)
        and tokens[-1] in ("secret", "secrets")
        and isinstance(value, str)
        and bool(_OBJECT_REFERENCE.fullmatch(value.strip()))
    )


def _annotation_blocks(obj: K8sObject) -> Iterator[Path]:
    yield ("metadata", "annotations")
    if obj.kind == "CronJob":
        yield ("spec", "jobTemplate", "metadata", "annotations")
    template = pod_template_path(obj)
    if template is not None and obj.kind != "Pod":
        yield (*template, "metadata", "annotations")


@rule(
    id="KL403",
    name="secret-in-annotation",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    category="security",
    security_severity=8.0,
)
def secret_in_annotation(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports annotations (of any object, and of pod and job templates) whose key
    says they hold a secret (`example.com/api-token`, `.../password`) with a
    literal value, or whose value is unmistakably a secret (a PEM private key, a
    URL with a password, a known token format).  The same placeholders as KL401
    are not reported, nor annotations that name a Secret object
    (`nginx.ingress.kubernetes.io/auth-tls-secret: default/ca-secret`);
    `kubectl.kubernetes.io/last-applied-configuration` is skipped.  The value is
    never shown.

    Severity: error.

    ## Why is this bad?
    Annotations are metadata: every tool and role that lists objects sees them,
    and they are copied into events, logs and dashboards.

    ## Example
    ```yaml
    annotations:
      example.com/webhook-token: 5e884898da28047151d0e56f8dc62927
    ```

    ## Use instead
    ```yaml
    annotations:
      example.com/webhook-token-secret: webhook-token   # the name of a Secret
    ```
    """
    for path in _annotation_blocks(obj):
        for key, value in as_mapping(dig(obj.data, *path)).items():
            if not isinstance(key, str) or key in _SKIPPED_ANNOTATIONS:
                continue
            name = key.rpartition("/")[2]
            if _names_a_secret(name, value):
                continue
            why = _verdict(name, value)
            if why:
                yield Violation(
                    (*path, key),
                    f'annotation "{key}" holds {why}',
                    fix="keep secrets in Secrets; annotate with the Secret's name instead",
                    fingerprint=f"annotations/{key}",
                    sensitive=True,
                )


_FLAG = re.compile(r"^-{1,2}([A-Za-z][A-Za-z0-9_.-]*)(?:=(.*))?$", re.S)
_ENV_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.+)$", re.S)


def command_line_secrets(items: list[Any]) -> Iterator[tuple[int, str, str]]:
    """(index, flag or variable name, why) of secrets in a command or args list,
    including the words of shell scripts (`sh -c "... --password=x"`)."""
    for index, item in enumerate(items):
        if not isinstance(item, str):
            continue
        kind = secret_value_kind(item)
        if kind:
            yield index, "a value", kind
            continue
        words = item.split() if (" " in item.strip() or "\n" in item) else [item]
        following = items[index + 1] if index + 1 < len(items) else None
        found = _secret_in_words(words, following if len(words) == 1 else None)
        if found:
            name, in_next_item = found
            yield (index + 1 if in_next_item else index), name, "a literal value"


def _secret_in_words(words: list[str], following: Any) -> tuple[str, bool] | None:
    """(flag or variable, whether its value is the next list item) of the first
    secret passed literally in `words`."""
    for position, word in enumerate(words):
        word = word.rstrip(",;\\").strip("\"';")
        flag = _FLAG.match(word)
        if flag and is_secret_name(flag.group(1)):
            value = flag.group(2)
            in_next_item = value is None and position + 1 >= len(words)
            if value is None:
                value = words[position + 1] if position + 1 < len(words) else following
            if isinstance(value, str) and not value.startswith("-"):
                value = value.strip("\"';")
                if _names_a_secret(flag.group(1), value):
                    continue  # `--tls-secret=ingress/tls`: the name of a Secret object
                if is_literal_value(value) and not value.startswith(("/", "@")):
                    return f"--{flag.group(1)}", in_next_item
            continue
        assignment = _ENV_ASSIGNMENT.match(word)
        if assignment and is_secret_name(assignment.group(1)):
            value = assignment.group(2).rstrip(",;\\").strip("\"'")
            if is_literal_value(value) and not value.startswith("/"):
                return assignment.group(1), False
    return None


@rule(
    id="KL404",
    name="secret-in-command-line",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    category="security",
    security_severity=8.0,
)
def secret_in_command_line(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports containers (init and ephemeral ones included) whose `command` or
    `args` pass a secret literally: a flag whose name says it is a secret with a
    literal value (`--password=hunter2`, `--api-key hunter2`), an assignment
    such as `DB_PASSWORD=hunter2` in a shell script (`sh -c "..."`), or any
    argument that is unmistakably a secret (a URL with a password, a PEM private
    key, a known token format).  References (`$(DB_PASSWORD)`, `$DB_PASSWORD`,
    `${DB_PASSWORD}`), file paths (`--password-file=/run/...`,
    `--password=/etc/...`, `@file`), names of Secret objects
    (`--tls-secret=ingress/tls`) and placeholders are not reported.  The
    value is never shown.

    Severity: error.

    ## Why is this bad?
    Besides being in the repository, command lines are visible to everyone on
    the node (`ps`, `/proc/*/cmdline`) and in `kubectl describe pod`.

    ## Example
    ```yaml
    args: ["--db-password=hunter2"]
    ```

    ## Use instead
    ```yaml
    env:
      - name: DB_PASSWORD
        valueFrom: {secretKeyRef: {name: db, key: password}}
    args: ["--db-password=$(DB_PASSWORD)"]
    ```
    """
    from kubelint.k8s import iter_containers

    for c in iter_containers(obj, init=True, ephemeral=True):
        for field in ("command", "args"):
            items = as_list(c.data.get(field))
            for index, name, why in command_line_secrets(items):
                yield Violation(
                    c.path + (field, index),
                    f"{c.describe} passes {name} as {why} on its command line",
                    fix="pass it from a Secret (env valueFrom, then $(VAR)) or a mounted file",
                    fingerprint=f"{c.name}/{field}/{name}",
                    sensitive=True,
                )


PUBLIC_SECRET_KEYS = frozenset({"ca.crt", "tls.crt", "ca.pem", "ca-bundle.crt", "namespace"})
PUBLIC_SECRET_SUFFIXES = (".crt", ".cert", ".pub", ".cer")
_NON_SECRET_WORDS = frozenset(
    {
        "user",
        "username",
        "host",
        "hostname",
        "url",
        "endpoint",
        "port",
        "namespace",
        "address",
        "addr",
        "region",
    }
)
_NON_SECRET_ENDINGS = ("name", "user", "username", "host", "url", "port", "id")
EXEMPT_SECRET_TYPES = frozenset({"kubernetes.io/service-account-token", "bootstrap.kubernetes.io/token"})


def _decoded(value: str) -> str | None:
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return "\x00binary"


_CONFIG_EXTENSIONS = (
    ".yaml",
    ".yml",
    ".json",
    ".ini",
    ".conf",
    ".cfg",
    ".properties",
    ".toml",
    ".xml",
    ".env",
)


def _is_config_file(key: str, text: str) -> bool:
    """A multi-line value under a file-like key (`grafana.ini`, `alertmanager.yaml`)."""
    return key.lower().endswith(_CONFIG_EXTENSIONS) and "\n" in text.strip()


def _public_key(key: str) -> bool:
    if key in PUBLIC_SECRET_KEYS or key.endswith(PUBLIC_SECRET_SUFFIXES):
        return True
    if is_secret_name(key):
        return False
    tokens = name_tokens(key)
    if any(t in _NON_SECRET_WORDS for t in tokens):
        return True
    return bool(tokens) and (
        tokens[-1] in NOT_A_VALUE_SUFFIXES - {"key"} or key.lower().endswith(_NON_SECRET_ENDINGS)
    )


@rule(
    id="KL405",
    name="secret-data-committed",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    kinds=("Secret",),
    category="security",
    security_severity=7.0,
)
def secret_data_committed(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports each key of a `Secret`'s `data` or `stringData` that holds a real
    value in the repository.  `data` values are base64-decoded first: base64 is
    an encoding, not encryption.  Not reported: empty values, placeholders and
    references (after decoding), keys that hold public or non-secret parts
    (`ca.crt`, `tls.crt`, `*.pub`, `username`, `host`, `port`, `url`, ... unless
    the value itself is a private key or a URL with a password), and
    service-account and bootstrap token Secrets, which the cluster fills in.
    A multi-line configuration file under a file-like key (`grafana.ini`,
    `alertmanager.yaml`) is reported only for the secret assignments inside it
    (`password = ...`), like KL402.  The value is never shown.

    Severity: warning: the data is in the right kind of object, but it is
    committed; demo and test fixtures may suppress it with a reason.

    ## Why is this bad?
    Everyone with read access to the repository (and its history, forever) has
    the secret; rotating it means rewriting history.

    ## Example
    ```yaml
    kind: Secret
    data:
      password: aHVudGVyMg==
    ```

    ## Use instead
    Generate the Secret at deploy time (External Secrets, Sealed Secrets, SOPS,
    `kubectl create secret` in the pipeline) and commit only its reference.
    """
    secret_type = obj.data.get("type")
    if isinstance(secret_type, str) and secret_type in EXEMPT_SECRET_TYPES:
        return
    for section in ("data", "stringData"):
        for key, value in as_mapping(obj.data.get(section)).items():
            if not isinstance(key, str) or not isinstance(value, str) or not value.strip():
                continue
            text = _decoded(value) if section == "data" else value
            if text is None:
                continue  # not base64: the schema rule reports it
            kind = secret_value_kind(text)
            if kind is None and _is_config_file(key, text):
                # an embedded config file: report the secrets in it, not the file
                for _index, inner in embedded_secrets(text):
                    yield Violation(
                        (section, key),
                        f'Secret key "{key}" sets "{inner}" to a literal secret committed in plain text',
                        fix="create the Secret at deploy time (External Secrets, Sealed Secrets, SOPS)",
                        fingerprint=f"{section}/{key}/{inner}",
                        sensitive=True,
                    )
                continue
            if kind is None:
                if _public_key(key):
                    continue
                if text != "\x00binary" and (is_placeholder(text) or not text.strip()):
                    continue
            what = kind or ("a binary value" if text == "\x00binary" else "a literal value")
            encoded = " (base64 is not encryption)" if section == "data" else ""
            yield Violation(
                (section, key),
                f'Secret key "{key}" holds {what} committed in plain text{encoded}',
                fix="create the Secret at deploy time (External Secrets, Sealed Secrets, SOPS)",
                fingerprint=f"{section}/{key}",
                sensitive=True,
            )


@rule(
    id="KL406",
    name="secret-in-env-var",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    default_enabled=False,
    category="security",
    security_severity=3.0,
)
def secret_in_env_var(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports containers that read a Secret into environment variables: an
    `env[].valueFrom.secretKeyRef`, or an `envFrom[].secretRef`.  Off by default:
    it is the recommended way to avoid plaintext secrets (KL401) and common
    practice; turn it on if your policy (kube-linter `read-secret-from-env-var`)
    wants secrets mounted as files.

    Severity: warning.

    ## Why is this bad?
    Environment variables leak: into crash reports, debug endpoints, child
    processes, `kubectl describe`-style tooling and logs of the process's
    environment.  Mounted files can be read-only, narrower in scope, and are
    updated when the Secret rotates.

    ## Example
    ```yaml
    env:
      - name: TOKEN
        valueFrom: {secretKeyRef: {name: api, key: token}}
    ```

    ## Use instead
    ```yaml
    volumeMounts:
      - {name: api, mountPath: /run/secrets/api, readOnly: true}
    ```
    """
    from kubelint.k8s import iter_containers

    for c in iter_containers(obj, init=True, ephemeral=True):
        for i, entry in enumerate(as_list(c.data.get("env"))):
            ref = as_mapping(as_mapping(as_mapping(entry).get("valueFrom")).get("secretKeyRef"))
            if ref:
                yield Violation(
                    c.path + ("env", i, "valueFrom", "secretKeyRef"),
                    f'{c.describe} reads Secret "{ref.get("name", "?")}" into environment variable '
                    f'"{as_mapping(entry).get("name", "?")}"',
                    key=True,
                    fix="mount the Secret as a read-only volume instead",
                )
        for i, source in enumerate(as_list(c.data.get("envFrom"))):
            ref = as_mapping(as_mapping(source).get("secretRef"))
            if ref:
                yield Violation(
                    c.path + ("envFrom", i, "secretRef"),
                    f'{c.describe} reads all of Secret "{ref.get("name", "?")}" into its environment',
                    key=True,
                    fix="mount the Secret as a read-only volume instead",
                )


RULES = (
    secret_in_configmap,
    secret_in_annotation,
    secret_in_command_line,
    secret_data_committed,
    secret_in_env_var,
)
