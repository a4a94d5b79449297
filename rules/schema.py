"""KL101-KL105, KL110-KL111: Kubernetes and Compose schema validation, deprecated APIs.

The validation itself lives in kubelint/schema/; these rules only report its results.
Each object is validated once (the result is cached for the run) and every error is
reported at the node it concerns.
"""

from __future__ import annotations

from collections.abc import Iterator

from kubelint.model import ComposeFile, Format, K8sObject, Severity, Violation
from kubelint.rule import RuleContext, rule
from kubelint.schema.compose import ComposeSchema
from kubelint.schema.deprecations import Status
from kubelint.schema.objects import (
    Source,
    builtin_schemas,
    deprecation_table,
    target_version,
    validate_object,
)
from kubelint.schema.problems import Problem


def _violation(problem: Problem) -> Violation:
    return Violation(
        problem.path,
        problem.message,
        key=problem.on_key,
        fix=problem.fix,
        fingerprint=f"{problem.fingerprint}|{'unknown' if problem.unknown_field else 'invalid'}",
        sensitive=problem.sensitive,
    )


@rule(
    id="KL101",
    name="kubernetes-schema-violation",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    category="schema",
)
def kubernetes_schema_violation(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Validates each Kubernetes object against the OpenAPI schema of its kind for the
    target Kubernetes version (`--kubernetes-version`, default the newest shipped),
    or against the `openAPIV3Schema` of its CustomResourceDefinition when that CRD is
    in the run, and reports every wrong type, missing required field and bad value,
    each at its own line.

    ## Why is this bad?
    The API server rejects the whole object (`kubectl apply` fails), or, for
    client-side tools, the field is silently ignored.  Finding it before deploying
    saves a failed rollout.

    ## Example
    ```yaml
    spec:
      replicas: three
      template:
        spec:
          containers:
            - image: nginx:1.27
              ports:
                - containerPort: "80"
    ```

    ## Use instead
    ```yaml
    spec:
      replicas: 3
      template:
        spec:
          containers:
            - name: web
              image: nginx:1.27
              ports:
                - containerPort: 80
    ```
    """
    for problem in validate_object(obj, ctx).problems:
        if not problem.unknown_field:
            yield _violation(problem)


@rule(
    id="KL102",
    name="unknown-field",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    category="schema",
)
def unknown_field(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports fields the schema of the object does not define (strict mode, on by
    default; `strict: false` in the config turns it off), with the closest valid
    name: `contianers` → `containers`, `imagePullPolice` → `imagePullPolicy`.
    For custom resources, only where the CRD's schema prunes unknown fields.

    ## Why is this bad?
    The API server drops unknown fields (or rejects them with strict field
    validation): a misspelled `resources` or `livenessProbe` silently means no
    limits or no probe.

    ## Example
    ```yaml
    containers:
      - name: web
        image: nginx:1.27
        imagePullPolice: Always
    ```

    ## Use instead
    ```yaml
    containers:
      - name: web
        image: nginx:1.27
        imagePullPolicy: Always
    ```
    """
    for problem in validate_object(obj, ctx).problems:
        if problem.unknown_field:
            yield _violation(problem)


@rule(
    id="KL103",
    name="no-schema",
    severity=Severity.INFO,
    applies_to=(Format.KUBERNETES,),
    category="schema",
)
def no_schema(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports, as information, an object whose apiVersion and kind have no schema:
    not a built-in kind of the target Kubernetes version and no
    CustomResourceDefinition for it in the run.  Such objects are not validated
    (they are not reported as invalid).

    ## Why is this bad?
    Nothing checks the object's fields.  Add the CRD to the run (a CRD file next to
    the custom resources) to have its custom resources validated, or check the
    apiVersion if the kind is a built-in one.

    ## Example
    ```yaml
    apiVersion: monitoring.coreos.com/v1
    kind: ServiceMonitor
    ```

    ## Use instead
    Lint the CustomResourceDefinition together with its custom resources:
    `kubelint check crds/ manifests/`.
    """
    result = validate_object(obj, ctx)
    if result.source is not Source.NONE:
        return
    status = deprecation_table(ctx).status(obj.api_version, obj.kind, target_version(ctx))
    if status is not None and status.removed:
        return  # removed-api-version says more
    yield Violation(
        ("apiVersion",),
        f"no schema for {obj.api_version} {obj.kind}: {result.note}; not validated",
        fingerprint="no-schema",
    )


def _deprecation(obj: K8sObject, ctx: RuleContext, removed: bool) -> Iterator[Violation]:
    target = target_version(ctx)
    status = deprecation_table(ctx).status(obj.api_version, obj.kind, target)
    if status is None:
        return
    if status.entry.component == "k8s":
        # The target version's API is the ground truth where the table disagrees with it.
        served = builtin_schemas(ctx).definition_for(obj.api_version, obj.kind) is not None
        if status.removed and served:
            status = Status(status.entry, removed=False)  # listed as removed, still served
        elif not status.removed and not served:
            return  # not served (yet) by the target version: no-schema says so
    if status.removed is not removed:
        return
    yield Violation(
        ("apiVersion",),
        status.message(obj.api_version, obj.kind, target),
        fix=f"change apiVersion to {status.entry.replacement}" if status.entry.replacement else None,
        fingerprint="apiVersion",
    )


@rule(
    id="KL104",
    name="deprecated-api-version",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    category="schema",
)
def deprecated_api_version(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports an apiVersion that is deprecated in the target Kubernetes version (and
    deprecated versions of cert-manager and Istio resources), naming the
    replacement.  Data: Fairwinds Pluto's table, shipped with kubelint.

    ## Why is this bad?
    A deprecated apiVersion is removed in a later Kubernetes release; manifests that
    still use it stop applying after the upgrade.

    ## Example
    ```yaml
    apiVersion: autoscaling/v2beta2
    kind: HorizontalPodAutoscaler
    ```

    ## Use instead
    ```yaml
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    ```
    """
    yield from _deprecation(obj, ctx, removed=False)


@rule(
    id="KL105",
    name="removed-api-version",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    category="schema",
)
def removed_api_version(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports an apiVersion that the target Kubernetes version no longer serves
    (`extensions/v1beta1` Ingress, `policy/v1beta1` PodSecurityPolicy, ...), naming
    the replacement.

    ## Why is this bad?
    The API server rejects the object: `no matches for kind "Ingress" in version
    "extensions/v1beta1"`.

    ## Example
    ```yaml
    apiVersion: extensions/v1beta1
    kind: Ingress
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    ```
    """
    yield from _deprecation(obj, ctx, removed=True)


def _compose_schema(ctx: RuleContext) -> ComposeSchema:
    return ctx.cache("schema:compose-spec", ComposeSchema)


@rule(
    id="KL110",
    name="compose-schema-violation",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="schema",
)
def compose_schema_violation(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Validates each Compose file against the Compose Specification JSON schema and
    reports every wrong type and bad value at its own line.  Interpolated values
    (`${PORT:-8080}`) are accepted wherever they appear.

    ## Why is this bad?
    `docker compose` refuses the whole file, one error at a time.

    ## Example
    ```yaml
    services:
      web:
        image: nginx:1.27
        ports: {http: 8080}
    ```

    ## Use instead
    ```yaml
    services:
      web:
        image: nginx:1.27
        ports: ["8080:80"]
    ```
    """
    for problem in _compose_schema(ctx).problems(compose.data):
        if not problem.unknown_field:
            yield _violation(problem)


@rule(
    id="KL111",
    name="unknown-compose-key",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="schema",
)
def unknown_compose_key(compose: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports keys the Compose Specification does not define (`restat:`,
    `enviroment:`), with the closest valid key.  Extension keys (`x-...`) are allowed.

    ## Why is this bad?
    `docker compose` rejects the file (`additional properties 'restat' not allowed`).

    ## Example
    ```yaml
    services:
      web:
        image: nginx:1.27
        restat: always
    ```

    ## Use instead
    ```yaml
    services:
      web:
        image: nginx:1.27
        restart: always
    ```
    """
    for problem in _compose_schema(ctx).problems(compose.data):
        if problem.unknown_field:
            yield _violation(problem)


RULES = (
    kubernetes_schema_violation,
    unknown_field,
    no_schema,
    deprecated_api_version,
    removed_api_version,
    compose_schema_violation,
    unknown_compose_key,
)
