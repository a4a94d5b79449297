"""KL950-KL956: ValidatingAdmissionPolicies and CRD validation rules found in the run,
evaluated on the run's objects ("the API server would reject this")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kubelint.model import Format, K8sObject, Related, Severity, Violation
from kubelint.policy.admission import (
    ADMISSION_GROUP,
    BINDING_KIND,
    VAP_KIND,
    AdmissionIndex,
    build_index,
    compile_crd_rule,
    crd_schemas,
    crd_violations,
    iter_crd_rules,
    pod_of,
)
from kubelint.positions import Path
from kubelint.rule import RuleContext, rule


def _index(ctx: RuleContext) -> AdmissionIndex:
    return ctx.cache("admission:index", lambda: build_index(ctx.workspace))


@rule(
    id="KL950",
    name="rejected-by-admission-policy",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    category="policy",
)
def rejected_by_admission_policy(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports objects that a ValidatingAdmissionPolicy of the run would reject.
    Every ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1) of the run is
    evaluated, through its ValidatingAdmissionPolicyBindings, on the other objects
    of the run, as the API server would when they are applied.
    A policy applies to an object when its `matchConstraints` and the binding's
    `matchResources` (resource rules, namespace and object selectors) match it as a
    CREATE and every `matchConditions` expression is true; each `validations`
    expression that is false or fails is reported with its `message` or
    `messageExpression`.  The severity follows `validationActions`: Deny is an
    error, Warn a warning, Audit only an info.  Namespace selectors see the labels
    of the Namespace object when it is in the run (and always
    `kubernetes.io/metadata.name`); `params` come from the object the binding's
    `paramRef` names.  Policies without a binding in the run have no effect.
    Policies that match `pods` are also evaluated on the Pod each workload's pod
    template would create (reported at its `template`): the workload applies, but
    its pods would be rejected.

    ## Why is this bad?
    The manifest passes every linter and then fails at `kubectl apply` (or, worse, in
    the middle of a GitOps sync), because a cluster policy rejects it.

    ## Example
    ```yaml
    # policy: object.spec.replicas <= 5, bound with validationActions: [Deny]
    kind: Deployment
    spec:
      replicas: 10
    ```

    ## Use instead
    ```yaml
    kind: Deployment
    spec:
      replicas: 3
    ```
    """
    if obj.kind in (VAP_KIND, BINDING_KIND) and obj.group == ADMISSION_GROUP:
        return
    index = _index(ctx)
    if not index.bindings:
        return
    targets: list[tuple[K8sObject, Path, str]] = [(obj, (), obj.label)]
    pod = pod_of(obj)
    if pod is not None:
        targets.append((pod, pod.base[len(obj.base) :], f"the pods of {obj.label}"))
    for target, path, what in targets:
        yield from _rejections(target, path, what, ctx, index)


def _rejections(
    target: K8sObject, path: Path, what: str, ctx: RuleContext, index: AdmissionIndex
) -> Iterator[Violation]:
    from kubelint.policy.admission import rejections

    for rejection in rejections(target, ctx.workspace, index):
        policy, binding = rejection.policy, rejection.binding
        yield Violation(
            path,
            f"ValidatingAdmissionPolicy {policy.name!r} (binding {binding.obj.name!r}) "
            f"would reject {what}: {rejection.message}",
            key=bool(path),
            severity=rejection.severity,
            related=(
                Related("the policy's expression", policy.obj.source.path, policy.obj.span(rejection.at)),
                Related("the binding", binding.obj.source.path, binding.obj.span(())),
            ),
            fingerprint=f"{policy.name}|{binding.obj.name}|{rejection.message}",
        )


@rule(
    id="KL951",
    name="invalid-admission-policy-expression",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=(VAP_KIND,),
    category="policy",
)
def invalid_admission_policy_expression(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports ValidatingAdmissionPolicy expressions that do not compile.
    That is CEL in `validations`, `matchConditions`, `variables` and
    `messageExpression` that cannot be parsed or calls a function kubelint's CEL
    does not know.  Such a policy is not evaluated
    (KL950 stays silent for it).

    ## Why is this bad?
    The API server refuses the policy, so nothing it was meant to enforce is enforced.

    ## Example
    ```yaml
    validations:
      - expression: "object.spec.replicas <= "
    ```

    ## Use instead
    ```yaml
    validations:
      - expression: "object.spec.replicas <= 5"
    ```
    """
    if obj.group != ADMISSION_GROUP:
        return
    policy = _index(ctx).policies.get(obj.name)
    if policy is None or policy.obj is not obj:
        from kubelint.policy.admission import compile_policy

        policy = compile_policy(obj)
    for path, message in policy.problems:
        yield Violation(path, message)


@rule(
    id="KL955",
    name="crd-validation-rule-fails",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    category="policy",
)
def crd_validation_rule_fails(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports custom resources that break a CEL validation rule of their CRD.
    Custom resources are checked against the `x-kubernetes-validations` rules of
    their CustomResourceDefinition, when that CRD is in the run (for the resource's
    group, kind and version).  Each rule is evaluated with `self` bound to the node that
    carries it and reported at that node (or at its `fieldPath`), with its `message`
    or `messageExpression`.  Transition rules (those using `oldSelf`) do not apply to
    a create and are skipped.

    ## Why is this bad?
    The API server rejects the resource: `kubectl apply` fails with the rule's message.

    ## Example
    ```yaml
    # CRD: x-kubernetes-validations: [{rule: "self.minReplicas <= self.maxReplicas"}]
    spec:
      minReplicas: 5
      maxReplicas: 2
    ```

    ## Use instead
    ```yaml
    spec:
      minReplicas: 2
      maxReplicas: 5
    ```
    """
    schemas = ctx.cache("admission:crd-schemas", lambda: crd_schemas(ctx.workspace))
    if not schemas:
        return
    entry = schemas.get((obj.group, obj.kind, obj.version))
    if entry is None:
        return
    crd, schema_path, schema = entry
    for path, message, rule_path in crd_violations(schema, obj.data, (), schema_path):
        yield Violation(
            path,
            f"{obj.label}: {message} (x-kubernetes-validations of CRD {crd.name})",
            key=bool(path) and isinstance(path[-1], str),
            related=(Related("the rule", crd.source.path, crd.span(rule_path)),),
        )


@rule(
    id="KL956",
    name="invalid-crd-validation-rule",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=("CustomResourceDefinition",),
    category="policy",
)
def invalid_crd_validation_rule(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports CRD validation rules that do not compile.
    That is `x-kubernetes-validations` rules of a CustomResourceDefinition whose CEL
    cannot be parsed or calls a function kubelint's CEL does not know.  Such rules
    are not evaluated (KL955 skips them).

    ## Why is this bad?
    The API server refuses the CRD, or kubelint cannot check its resources.

    ## Example
    ```yaml
    x-kubernetes-validations:
      - rule: "self.replicas >"
    ```

    ## Use instead
    ```yaml
    x-kubernetes-validations:
      - rule: "self.replicas > 0"
    ```
    """
    spec = obj.data.get("spec")
    if not isinstance(spec, dict):
        return
    roots: list[tuple[Path, Any]] = [
        (("spec", "validation", "openAPIV3Schema"), (spec.get("validation") or {}).get("openAPIV3Schema"))
    ]
    for i, version in enumerate(spec.get("versions") or []):
        if isinstance(version, dict) and isinstance(version.get("schema"), dict):
            roots.append(
                (
                    ("spec", "versions", i, "schema", "openAPIV3Schema"),
                    version["schema"].get("openAPIV3Schema"),
                )
            )
    for root_path, schema in roots:
        for path, i, item in iter_crd_rules(schema, root_path):
            compiled = compile_crd_rule(item, (*path, "x-kubernetes-validations", i))
            if compiled.problem:
                yield Violation((*path, "x-kubernetes-validations", i, "rule"), compiled.problem)


RULES = (
    rejected_by_admission_policy,
    invalid_admission_policy_expression,
    crd_validation_rule_fails,
    invalid_crd_validation_rule,
)
