"""Recognising secrets written in plain text, precisely.

A value is reported when its *name* says it is a secret (PASSWORD, DB_PASS, API_KEY,
TOKEN, SECRET, PRIVATE_KEY, AWS_SECRET_ACCESS_KEY, ...) and the value is a real
literal, or when the *value* itself is unmistakably a secret (a PEM private key, a
URL with an embedded password, a well-known token format) whatever its name.

Not reported:

* names that describe a secret without holding one: `*_FILE`, `*_PATH`, `*_URL`,
  `*_URI`, `*_HOST`, `*_USER`, `*_NAME`, `*_ID`, `*_LENGTH`, `*_TTL`, ...
  (`PASSWORD_FILE=/run/secrets/db`, `TOKEN_URL=https://...`);
* empty values, booleans and bare numbers;
* references and interpolation: `${VAR}`, `$VAR`, `$(VAR)`, `{{ ... }}`;
* placeholders (see PLACEHOLDER_WORDS and `is_placeholder`): `<password>`,
  `changeme`, `change-me`, `replace-me`, `your-token-here`, `xxxx`, `****`,
  `...`, `TODO`, `redacted`, `example`, `dummy`, `placeholder`.

The value itself is never part of any message.
"""

from __future__ import annotations

import re

SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pass",
        "pwd",
        "secret",
        "token",
        "apikey",
        "credential",
        "credentials",
        "passphrase",
        "privatekey",
        "secretkey",
        "accesskey",
        "clientsecret",
        "authtoken",
        "bearer",
    }
)
KEY_QUALIFIERS = frozenset(
    {
        "api",
        "private",
        "secret",
        "access",
        "encryption",
        "signing",
        "master",
        "ssh",
        "auth",
        "client",
        # cloud credentials named *_KEY: AZURE_STORAGE_KEY, AZURE_BATCH_KEY, OCI_CLI_KEY_CONTENT
        "storage",
        "account",
        "batch",
        "cli",
        "license",
        "webhook",
    }
)
NOT_A_VALUE_SUFFIXES = frozenset(
    {
        "file",
        "files",
        "path",
        "dir",
        "url",
        "uri",
        "endpoint",
        "host",
        "hostname",
        "port",
        "user",
        "username",
        "name",
        "id",
        "ref",
        "length",
        "len",
        "ttl",
        "expiry",
        "expires",
        "expiration",
        "timeout",
        "type",
        "format",
        "header",
        "kind",
        "mode",
        "size",
        "count",
        "algorithm",
        "enabled",
        "enable",
        "disabled",
        "required",
        "policy",
        "field",
        "location",
        "provider",
        "source",
        "prefix",
        "version",
        "lifetime",
        "duration",
        "interval",
        "audience",
        "issuer",
        "scope",
        "scopes",
        "namespace",
        "key",  # e.g. SECRET_KEY_REF-style selectors are handled by "ref"; *_KEY alone below
    }
)

PLACEHOLDER_WORDS = frozenset(
    {
        "changeme",
        "changeit",
        "replaceme",
        "placeholder",
        "example",
        "dummy",
        "redacted",
        "todo",
        "tbd",
        "fixme",
        "none",
        "null",
        "nil",
        "undefined",
        "secret",
        "password",
        "token",
        "xxx",
    }
)

_TOKEN_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")
_REFERENCE = re.compile(r"^\s*(\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*\}\})\s*$", re.S)
_PEM_PRIVATE = re.compile(r"-----BEGIN ((RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----")
_URL_CREDENTIALS = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://([^/\s:@]*):([^/\s@]+)@[^\s/]+")
_TOKEN_FORMATS = (
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b")),
    ("a GitHub token", re.compile(r"\bgithub_pat_[A-Za-z0-9_]{40,}\b")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("a Stripe secret key", re.compile(r"\b(sk|rk)_live_[0-9a-zA-Z]{20,}\b")),
)


def name_tokens(name: str) -> list[str]:
    return [t.lower() for t in _TOKEN_SPLIT.split(name) if t]


def is_secret_name(name: str) -> bool:
    """True if an environment variable / key named `name` holds a secret."""
    tokens = name_tokens(name)
    if not tokens:
        return False
    last = tokens[-1]
    if last in NOT_A_VALUE_SUFFIXES and not (
        last == "key" and len(tokens) >= 2 and tokens[-2] in KEY_QUALIFIERS
    ):
        return False
    for i, token in enumerate(tokens):
        if token in SECRET_WORDS:
            return True
        if token == "key" and i > 0 and tokens[i - 1] in KEY_QUALIFIERS:
            return True
    joined = "".join(tokens)
    return any(word in joined for word in ("password", "passwd", "apikey", "privatekey", "secretkey"))


def is_placeholder(value: str) -> bool:
    """True for values that obviously stand in for a secret rather than being one."""
    v = value.strip()
    if not v:
        return True
    if _REFERENCE.match(v):
        return True
    if v.startswith("<") and v.endswith(">"):
        return True
    if len(set(v)) == 1 and v[0] in "x*.#-_X?":
        return True
    squashed = re.sub(r"[^a-z]", "", v.lower())
    if squashed in PLACEHOLDER_WORDS:
        return True
    if squashed.startswith("your") and (squashed.endswith("here") or len(squashed) < 24):
        return True
    return squashed.startswith(("changeme", "replaceme", "replacewith", "insert"))


def is_literal_value(value: object) -> bool:
    """A string that could be a secret (not a bool/number, not a placeholder)."""
    if not isinstance(value, str):
        return False
    v = value.strip()
    if v.lower() in ("true", "false", "yes", "no", "on", "off"):
        return False
    if re.fullmatch(r"[0-9]{1,6}", v):
        return False
    return not is_placeholder(v)


# Every format above contains one of these: text with none of them holds no
# unmistakable secret (substring tests are far quicker than the eight scans,
# which matters on multi-megabyte ConfigMap values).
_FORMAT_MARKS = (
    "-----BEGIN",
    "://",
    "AKIA",
    "ASIA",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "xox",
    "AIza",
    "_live_",
)


def may_contain_secret_format(text: str) -> bool:
    """False when `text` cannot hold a PEM key, URL password or known token format."""
    return any(mark in text for mark in _FORMAT_MARKS)


def secret_value_kind(value: object) -> str | None:
    """What kind of secret `value` unmistakably is (whatever its name), or None."""
    if not isinstance(value, str) or len(value) < 8 or not may_contain_secret_format(value):
        return None
    if _PEM_PRIVATE.search(value):
        return "a PEM private key"
    for match in _URL_CREDENTIALS.finditer(value):
        password = match.group(2)
        if not is_placeholder(password) and "$" not in password and "{{" not in password:
            return "a URL with an embedded password"
    for what, pattern in _TOKEN_FORMATS:
        if pattern.search(value):
            return what
    return None
