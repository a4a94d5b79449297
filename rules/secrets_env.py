"""KL401: secrets written in plain text in container / service environments."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubelint.compose import iter_environment, iter_services
from kubelint.k8s import WORKLOAD_KINDS, as_list, iter_containers
from kubelint.model import ComposeFile, Format, K8sObject, Manifest, Severity, Violation
from kubelint.rule import RuleContext, rule
from kubelint.secrets import is_literal_value, is_secret_name, secret_value_kind


def _verdict(name: str, value: Any) -> str | None:
    """Why `name=value` is a plaintext secret, or None.  Never includes the value."""
    kind = secret_value_kind(value)
    if kind:
        return kind
    if is_secret_name(name) and is_literal_value(value):
        return "a literal value"
    return None


@rule(
    id="KL401",
    name="plaintext-secret-in-env",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES, Format.COMPOSE),
    kinds=WORKLOAD_KINDS,
    category="security",
    security_severity=8.0,
)
def plaintext_secret_in_env(obj: Manifest, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports environment variables whose name says they hold a secret (PASSWORD,
    DB_PASS, API_KEY, TOKEN, SECRET, PRIVATE_KEY, AWS_SECRET_ACCESS_KEY, ...) and
    whose value is written in the manifest, and any variable whose value is
    unmistakably a secret (a PEM private key, a URL with a password, a known token
    format).  Covers Kubernetes `env[].value` of every container (init containers
    included) and Compose `environment` in map and list form.

    Not reported: values from `valueFrom` / `secretKeyRef`, `${VAR}` / `$(VAR)`
    references, empty values, names like `PASSWORD_FILE`, `TOKEN_URL`,
    `DB_PASSWORD_PATH`, `*_USER`, `*_HOST`, `*_ID`, and obvious placeholders:
    `<...>`, `changeme`, `change-me`, `replace-me`, `your-...-here`, `xxxx`, `****`,
    `...`, `TODO`, `redacted`, `example`, `dummy`, `placeholder`.  The value is never
    shown in any output.

    ## Why is this bad?
    Everyone who can read the repository, the CI logs or the object (`kubectl get
    -o yaml`) can read the secret, and it stays in the Git history after rotation.

    ## Example
    ```yaml
    env:
      - name: DB_PASSWORD
        value: hunter2
    ```

    ## Use instead
    ```yaml
    env:
      - name: DB_PASSWORD
        valueFrom:
          secretKeyRef: {name: db, key: password}
    ```
    In Compose, use `secrets:` or `${DB_PASSWORD}` from an untracked `.env`.
    """
    if isinstance(obj, K8sObject):
        for c in iter_containers(obj, init=True, ephemeral=True):
            for i, entry in enumerate(as_list(c.data.get("env"))):
                if not isinstance(entry, dict) or "value" not in entry:
                    continue
                name = str(entry.get("name", ""))
                why = _verdict(name, entry.get("value"))
                if why:
                    yield Violation(
                        c.path + ("env", i, "value"),
                        f"{c.describe} sets secret {name!r} to {why} in plain text",
                        fix="use valueFrom.secretKeyRef",
                        fingerprint=f"{c.name}/env/{name}",
                        sensitive=True,
                    )
    elif isinstance(obj, ComposeFile):
        for service in iter_services(obj):
            for entry in iter_environment(service):
                if entry.value is None:
                    continue
                why = _verdict(entry.name, entry.value)
                if why:
                    yield Violation(
                        entry.path,
                        f'service "{service.name}" sets secret {entry.name!r} to {why} in plain text',
                        fix="use Compose secrets or ${VAR} from an untracked .env file",
                        fingerprint=f"{service.name}/environment/{entry.name}",
                        sensitive=True,
                    )


RULES = (plaintext_secret_in_env,)
