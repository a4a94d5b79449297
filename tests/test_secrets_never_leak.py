"""Secret values planted everywhere never appear in any output format.

Each planted value is unique (`canary-NN-...`), so a leak names the case.  The run
selects every rule and shows code frames, and the files are broken on purpose in
places (syntax errors, duplicate keys, schema errors) where a message or a frame
would otherwise quote the line or the value.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_hostile_input import available_formats

from kubelint.redaction import mask_line_text, mentions_secret, redact_text

PEM = "-----BEGIN RSA PRIVATE KEY-----\\nMIIEcanary09pemBODYxyz\\n-----END RSA PRIVATE KEY-----"

CASES: dict[str, str] = {
    "k8s-env.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          env:
            - name: DB_PASSWORD
              value: canary-01-envvalue
            - {name: API_TOKEN, value: canary-02-flowenv}
            - name: SESSION_SECRET
              value: canary-03-dupfirst
              value: canary-04-dupsecond
            - name: STRIPE_KEY
              value: 12345678901
              valueFrom: canary-05-wrongtype
        - name: sidecar
          image: busybox:1.36
          env: "DB_PASSWORD=canary-06-envstring"
          args: "--password=canary-07-argsstring"
          command: [sh, -c, "mysql --password canary-08-command"]
""",
    "k8s-secret.yaml": f"""\
apiVersion: v1
kind: Secret
metadata: {{name: creds}}
stringData:
  password: canary-10-stringdata
  config: [canary-11-listvalue]
  nested: {{x: canary-12-nested}}
  key.pem: "{PEM}"
data:
  token: canary-13-not-base64!!
  other: 5
type: Opaque
extra: canary-14-unknownfield
""",
    "k8s-configmap.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata: {name: app}
data:
  DB_PASSWORD: canary-20-cmsecret
  API_KEY: 4242424242
  database_url: postgres://admin:canary-21-urlpass@db:5432/app
  GITHUB_TOKEN: [ghp_canary22aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]
  aws: AKIACANARY23XXXXXXXX
binaryData:
  secret.bin: canary-24-notbase64
""",
    "docker-compose.yml": """\
services:
  web:
    image: nginx:1.27
    environment:
      DB_PASSWORD: canary-30-composemap
      API_TOKEN: [canary-31-list]
  worker:
    image: busybox:1.36
    environment:
      - SECRET_KEY=canary-32-composelist
      - 5
  broken:
    image: busybox:1.36
    environment: "DB_PASSWORD=canary-33-composestring"
    build:
      context: .
      args: "NPM_TOKEN=canary-34-buildargs"
  other:
    image: busybox:1.36
    environment:
      REDIS_URL: redis://:canary-35-redispass@redis:6379/0
""",
    "syntax-error.yaml": """\
apiVersion: v1
kind: Secret
metadata: {name: broken}
stringData:
  password: "canary-40-unclosed
""",
    "syntax-flow.yaml": """\
apiVersion: v1
kind: ConfigMap
data: {DB_PASSWORD: canary-41-flowbroken, x: [1, 2}
""",
    "duplicate-secret-key.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata: {name: dup}
data:
  DB_PASSWORD: canary-42-dupone
  DB_PASSWORD: canary-43-duptwo
""",
    "not-a-manifest.yaml": """\
password: canary-44-plainyaml
token: canary-45-plainyaml
""",
    "tabbed.yaml": "apiVersion: v1\nkind: Secret\nstringData:\n\tpassword: canary-46-tab\n",
}

CANARIES = sorted(
    {word.strip("\"',[]{}") for text in CASES.values() for word in text.split() if "canary" in word.lower()}
)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("secrets")
    for name, text in CASES.items():
        (root / name).write_text(text)
    return root


def _leaks(text: str) -> list[str]:
    found = []
    for canary in CANARIES:
        # The distinctive middle of each value (masking may keep punctuation).
        probe = canary.split("canary", 1)[1][:10] if "canary" in canary else canary
        probe = probe.strip("-")
        if probe and probe in text:
            found.append(canary)
    return found


@pytest.mark.parametrize("fmt", available_formats())
def test_no_secret_in_any_format(planted: Path, fmt: str) -> None:
    from test_hostile_input import run

    done = run("check", ".", "--no-config", "--select", "ALL", "-f", fmt, "--color", "always", cwd=planted)
    assert done.returncode == 1, done.stderr
    output = done.stdout + done.stderr
    assert not _leaks(output), f"secret values in the {fmt} report: {_leaks(output)}"


def test_secrets_are_found_at_all(planted: Path) -> None:
    """The canaries are real: without redaction they would show (the test can fail)."""
    text = "".join(CASES.values())
    assert len(CANARIES) > 30
    assert all(c.split("canary", 1)[1][:10].strip("-") in text for c in CANARIES if "canary" in c)


def test_redact_text_masks_unmistakable_secrets() -> None:
    assert "hunter22" not in redact_text("dsn postgres://u:hunter22@db/x")
    assert "ghp_" not in redact_text("token ghp_" + "a" * 36)
    assert "BODY" not in redact_text("x -----BEGIN PRIVATE KEY-----\nBODY")
    assert redact_text("nothing to see here") == "nothing to see here"


@pytest.mark.parametrize(
    "secret",
    [
        "AKIA" + "ABCDEFGHIJKLMNOP",
        "ASIA" + "ABCDEFGHIJKLMNOP",
        *(f"gh{c}_" + "a1" * 18 for c in "pousr"),
        "github_pat_" + "a1_" * 14,
        "xoxb-" + "1234567890ab",
        "AIza" + "B" * 35,
        "sk_live_" + "a1" * 10,
        "rk_live_" + "a1" * 10,
    ],
)
def test_every_token_format_is_redacted_in_any_text(secret: str) -> None:
    """redact_text skips text without a marker of a secret format: each format has one."""
    from kubelint.secrets import _TOKEN_FORMATS, secret_value_kind

    assert any(p.search(secret) for _, p in _TOKEN_FORMATS)
    assert secret_value_kind(f"x {secret} y") is not None
    redacted = redact_text(f"the value {secret} is used")
    assert secret not in redacted and len(redacted) == len(f"the value {secret} is used")


@pytest.mark.parametrize(
    ("line", "hidden"),
    [
        ("  password: hunter22", "hunter22"),
        ("  - DB_PASSWORD=hunter22", "hunter22"),
        ("- {name: API_TOKEN, value: hunter22}", "hunter22"),
        ('  "secret_key": "hunter22",', "hunter22"),
        ("args: [--token, hunter22]", "hunter22"),
        ("  - DSN=Host=db;Password=hunter22;Database=app", "hunter22"),
        ("data: {DB_PASSWORD: hunter22, x: [1, 2}", "hunter22"),
    ],
)
def test_mask_line_text(line: str, hidden: str) -> None:
    masked = mask_line_text(line)
    assert hidden not in masked
    assert len(masked) == len(line)


@pytest.mark.parametrize(
    "line",
    [
        "kind: Secret",
        "  - name: DB_PASSWORD",
        "image: nginx:1.27",
        "secretName: tls",
        "  - image: registry.example/wi-secret-store:latest",
        "      - WEBPASSWORD=${PIHOLE_PW}",
        "      - ${ROOT}/htpasswd:/etc/nginx/htpasswd:ro",
        "      - DSN=postgres://user:${DB_PASSWORD}@db/app",
    ],
)
def test_mask_line_text_leaves_plain_lines(line: str) -> None:
    assert mask_line_text(line) == line


def test_mentions_secret() -> None:
    assert mentions_secret("DB_PASSWORD=x")
    assert mentions_secret("--api-token")
    assert not mentions_secret("three")
    assert not mentions_secret(5)


def test_internal_error_message_quotes_no_input(planted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash outside the rules names its type and place, never its text."""
    from typer.testing import CliRunner

    import kubelint.engine
    from kubelint.cli import app

    def explode(*args: object, **kwargs: object) -> None:
        raise ValueError("invalid literal: canary-99-exception")

    monkeypatch.setattr(kubelint.engine, "discover", explode)
    monkeypatch.delenv("KUBELINT_DEBUG", raising=False)
    cwd = os.getcwd()
    os.chdir(planted)
    try:
        done = CliRunner().invoke(app, ["check", ".", "--no-config"])
    finally:
        os.chdir(cwd)
    assert done.exit_code == 2
    assert "internal error: ValueError" in done.output
    assert "canary-99" not in done.output
