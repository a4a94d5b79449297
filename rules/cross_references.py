"""KL711-KL717: pods referring to ConfigMaps, Secrets, keys, claims and service
accounts that the run does not hold.

Partial runs: a reference is reported only when the run holds (or creates) at least
one object of that kind in the referring namespace, i.e. when the repository manages
such objects itself; a run of one Deployment file does not report the Secrets it
uses.  The `strict` option of each rule reports regardless.  Objects created by
objects of the run (SealedSecret, ExternalSecret, cert-manager Certificate,
SecretProviderClass, kustomize generators, StatefulSet volumeClaimTemplates) count
as present, and so do objects declared under `external:` in the configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from kubelint.k8s import WORKLOAD_KINDS
from kubelint.k8s_index import cross_index, names, related
from kubelint.k8s_refs import iter_pod_references, object_keys
from kubelint.model import Format, K8sObject, Severity, Violation
from kubelint.rule import Option, Rule, RuleContext, rule

CheckFn = Callable[[K8sObject, RuleContext], Iterator[Violation]]

_STRICT = {
    "strict": Option(
        False,
        "report even when the run holds no object of that kind in the namespace (by default such a run "
        "is taken as partial: the objects are managed elsewhere)",
    )
}
_FIX = "fix the name, add the object to the repository, mark the reference optional, or declare it under external:"


def _missing_objects(kind: str, *, image_pull: bool | None = None) -> CheckFn:
    def check(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
        index = cross_index(ctx)
        ns = ctx.workspace.namespace_of(obj)
        if not ctx.options.get("strict") and not index.holds(kind, ns):
            return
        seen: set[tuple[object, str]] = set()
        for ref in iter_pod_references(obj):
            if ref.kind != kind or ref.optional:
                continue
            if image_pull is not None and ref.image_pull != image_pull:
                continue
            if kind == "ServiceAccount" and ref.name == "default":
                continue
            if (ref.path, ref.name) in seen or index.exists(kind, ns, ref.name):
                continue
            seen.add((ref.path, ref.name))
            yield Violation(
                ref.path,
                f"{obj.label} uses {kind} {ref.name} ({ref.via}), but the run has no {kind} "
                f"{ref.name} in namespace {ns}",
                fix=_FIX
                if kind != "ServiceAccount"
                else "add the ServiceAccount, fix the name, or declare it under external:",
                fingerprint=f"{kind}/{ref.name}/{ref.via}",
            )

    return check


def _missing_keys(kind: str) -> CheckFn:
    def check(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
        index = cross_index(ctx)
        ns = ctx.workspace.namespace_of(obj)
        for ref in iter_pod_references(obj):
            if ref.kind != kind or ref.key is None or ref.key_path is None or ref.optional:
                continue
            defined = ctx.workspace.find(kind, ns, ref.name)
            if not defined or index.generated(kind, ns, ref.name):
                continue  # unknown object or generated keys: nothing to compare
            keys: set[str] = set()
            for target in defined:
                keys |= object_keys(target)
            if ref.key in keys:
                continue
            first = defined[0]
            yield Violation(
                ref.key_path,
                f"{obj.label} reads key {ref.key} of {kind} {ref.name} ({ref.via}), but {kind} "
                f"{ref.name} has keys: {names(keys)}",
                fix=f"use one of the keys of {kind} {ref.name}, or add the key to it",
                related=(related(first, ("metadata", "name"), f"{kind} {ref.name} is defined here"),),
                fingerprint=f"{kind}/{ref.name}/{ref.key}",
            )

    return check


_EXAMPLE_CM = """
## Example
```yaml
envFrom:
  - configMapRef: {name: web-settings}   # the repository defines "web-config"
```

## Use instead
```yaml
envFrom:
  - configMapRef: {name: web-config}
```
"""

_PARTIAL = """
Partial runs: reported only when the run holds at least one {kind} in the
namespace (the repository manages {kind}s), or with the rule option
`strict: true`. References marked `optional: true` are never reported, and
objects declared under `external:` in the configuration (kind/namespace/name
glob patterns) count as present.
"""


def _doc(what: str, why: str, kind: str, example: str = _EXAMPLE_CM) -> str:
    return f"## What it does\n{what}\n{_PARTIAL.format(kind=kind)}\n## Why is this bad?\n{why}\n{example}"


def _make(
    rule_id: str, name: str, kind: str, check: CheckFn, what: str, why: str, example: str = _EXAMPLE_CM
) -> Rule:
    check.__doc__ = _doc(what, why, kind, example)
    return rule(
        id=rule_id,
        name=name,
        severity=Severity.ERROR,
        applies_to=(Format.KUBERNETES,),
        kinds=WORKLOAD_KINDS,
        options=_STRICT,
        category="references",
    )(check)


_KEY_EXAMPLE = """
## Example
```yaml
env:
  - name: DB_HOST
    valueFrom:
      configMapKeyRef: {name: web-config, key: db-host}   # the ConfigMap has "database-host"
```

## Use instead
```yaml
      configMapKeyRef: {name: web-config, key: database-host}
```
"""

configmap_not_found = _make(
    "KL711",
    "configmap-not-found",
    "ConfigMap",
    _missing_objects("ConfigMap"),
    "Reports a pod (env `configMapKeyRef`, `envFrom`, a `configMap` volume or projected "
    "source) that uses a ConfigMap the run does not define in the pod's namespace.",
    "The pod cannot start: it stays in `CreateContainerConfigError` or "
    "`ContainerCreating` until the ConfigMap exists.",
)
configmap_key_not_found = _make(
    "KL712",
    "configmap-key-not-found",
    "ConfigMap",
    _missing_keys("ConfigMap"),
    "Reports a reference to a key (`configMapKeyRef.key`, volume `items[].key`) that "
    "the ConfigMap, defined in the run, does not have.",
    "A missing key stops the container from starting just like a missing ConfigMap.",
    _KEY_EXAMPLE,
)
secret_not_found = _make(
    "KL713",
    "secret-not-found",
    "Secret",
    _missing_objects("Secret", image_pull=False),
    "Reports a pod (env `secretKeyRef`, `envFrom`, a `secret` volume or projected "
    "source) that uses a Secret the run does not define in the pod's namespace.",
    "The pod cannot start until the Secret exists.",
    """
## Example
```yaml
env:
  - name: DB_PASSWORD
    valueFrom:
      secretKeyRef: {name: db-credential, key: password}   # the repository defines "db-credentials"
```

## Use instead
```yaml
      secretKeyRef: {name: db-credentials, key: password}
```
""",
)
secret_key_not_found = _make(
    "KL714",
    "secret-key-not-found",
    "Secret",
    _missing_keys("Secret"),
    "Reports a reference to a key (`secretKeyRef.key`, volume `items[].key`) that the "
    "Secret, defined in the run, does not have (keys of `data` and `stringData`).",
    "A missing key stops the container from starting just like a missing Secret.",
    _KEY_EXAMPLE.replace("configMapKeyRef", "secretKeyRef").replace("ConfigMap", "Secret"),
)
pvc_not_found = _make(
    "KL715",
    "pvc-not-found",
    "PersistentVolumeClaim",
    _missing_objects("PersistentVolumeClaim"),
    "Reports a `persistentVolumeClaim` volume whose claim the run does not define in "
    "the pod's namespace (claims of StatefulSet `volumeClaimTemplates` count).",
    "The pod stays Pending until the claim exists.",
    """
## Example
```yaml
volumes:
  - name: data
    persistentVolumeClaim: {claimName: db-data}   # the repository defines "postgres-data"
```

## Use instead
```yaml
    persistentVolumeClaim: {claimName: postgres-data}
```
""",
)
service_account_not_found = _make(
    "KL716",
    "service-account-not-found",
    "ServiceAccount",
    _missing_objects("ServiceAccount"),
    "Reports a `serviceAccountName` that the run does not define in the pod's "
    "namespace (`default` always exists).",
    "The controller cannot create the pods: the ReplicaSet reports "
    "`error looking up service account`, and nothing runs.",
    """
## Example
```yaml
spec:
  serviceAccountName: web-sa   # the repository defines ServiceAccount "web"
```

## Use instead
```yaml
spec:
  serviceAccountName: web
```
""",
)
image_pull_secret_not_found = _make(
    "KL717",
    "image-pull-secret-not-found",
    "Secret",
    _missing_objects("Secret", image_pull=True),
    "Reports an `imagePullSecrets` entry naming a Secret the run does not define in the pod's namespace.",
    "The kubelet pulls without credentials: pulls from a private registry fail with `ImagePullBackOff`.",
    """
## Example
```yaml
imagePullSecrets:
  - name: regcred-old
```

## Use instead
```yaml
imagePullSecrets:
  - name: regcred
```
""",
)

RULES = (
    configmap_not_found,
    configmap_key_not_found,
    secret_not_found,
    secret_key_not_found,
    pvc_not_found,
    service_account_not_found,
    image_pull_secret_not_found,
)
