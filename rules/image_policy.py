"""KL502-KL507: image references and how they are pulled.

Severities: an image reference the kubelet cannot pull and a container without an
image are errors (the pod never starts, or the API server rejects it); the rest
are warnings, and the policy ones (pull policy Always, allowed registries, digest
pinning) are off by default because they encode a team's policy, not a defect.
"""

from __future__ import annotations

from collections.abc import Iterator

from kubelint.image_ref import ImageRef, image_problem, is_templated, parse_image
from kubelint.k8s import WORKLOAD_KINDS, Container, iter_containers
from kubelint.k8s_names import is_placeholder_text
from kubelint.model import Format, K8sObject, Severity, Violation
from kubelint.positions import Path
from kubelint.rule import Option, RuleContext, rule


def _images(obj: K8sObject) -> Iterator[tuple[Container, Path, str, ImageRef]]:
    """Every container with a parseable, non-templated image."""
    for c in iter_containers(obj, init=True, ephemeral=True):
        image = c.data.get("image")
        if not isinstance(image, str) or is_templated(image):
            continue
        ref = parse_image(image)
        if ref is not None:
            yield c, c.path + ("image",), image, ref


def _mutable(ref: ImageRef, mutable_tags: set[str]) -> bool:
    return ref.digest is None and (ref.tag is None or ref.tag in mutable_tags)


@rule(
    id="KL502",
    name="mutable-tag-not-pulled",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    options={"mutable-tags": Option(["latest"], "tags treated as mutable, like latest")},
    category="images",
)
def mutable_tag_not_pulled(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a container whose image has a mutable tag (`latest`, no tag, or a tag
    of option `mutable-tags`) and whose `imagePullPolicy` is `IfNotPresent` or
    `Never`.  Images pinned by digest are fine whatever the policy.

    Severity: warning.

    ## Why is this bad?
    Each node keeps the copy of the tag it pulled first: after a push, nodes run
    different code under the same name, and a rollout does not update the
    containers of nodes that already have an old copy.

    ## Example
    ```yaml
    image: example/api:latest
    imagePullPolicy: IfNotPresent
    ```

    ## Use instead
    ```yaml
    image: example/api:1.4.2
    imagePullPolicy: IfNotPresent
    ```
    """
    mutable = {str(t) for t in ctx.options.get("mutable-tags", ["latest"])}
    for c, _, image, ref in _images(obj):
        policy = c.data.get("imagePullPolicy")
        if policy in ("IfNotPresent", "Never") and _mutable(ref, mutable):
            tag = f'the mutable tag "{ref.tag}"' if ref.tag else "no tag"
            yield Violation(
                c.path + ("imagePullPolicy",),
                f'{c.describe} runs image "{image}" ({tag}) with imagePullPolicy {policy}: nodes keep stale copies',
                fix="pin a version tag (or use imagePullPolicy: Always)",
            )


@rule(
    id="KL503",
    name="image-pull-policy-not-always",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    default_enabled=False,
    category="images",
)
def image_pull_policy_not_always(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports containers whose `imagePullPolicy` is not `Always` (unset included).
    Off by default: with pinned tags `IfNotPresent` is the better choice; turn it
    on if your policy (kube-score's `container-image-pull-policy`) wants
    every start to check the registry.  Images pinned by digest are not
    reported, nor images tagged `latest` (or untagged) without a policy: the API
    server defaults their policy to `Always`.

    Severity: warning.

    ## Why is this bad?
    With `IfNotPresent` a node reuses whatever it pulled before under that tag,
    and a pod can start without the registry verifying that it may use the image.

    ## Example
    ```yaml
    image: example/api:1.4.2
    ```

    ## Use instead
    ```yaml
    image: example/api:1.4.2
    imagePullPolicy: Always
    ```
    """
    for c, image_path, _image, ref in _images(obj):
        if ref.digest is not None:
            continue
        policy = c.data.get("imagePullPolicy")
        if policy == "Always" or (policy is None and ref.tag in (None, "latest")):
            continue  # unset with :latest or no tag defaults to Always
        if policy is None:
            yield Violation(
                image_path, f"{c.describe} sets no imagePullPolicy", fix="set imagePullPolicy: Always"
            )
        else:
            yield Violation(
                c.path + ("imagePullPolicy",),
                f"{c.describe} uses imagePullPolicy {policy}",
                fix="set imagePullPolicy: Always",
            )


def _registry_allowed(ref: ImageRef, allowed: list[str]) -> bool:
    full = ref.full_name
    registry = full.partition("/")[0]
    for entry in allowed:
        prefix = entry.rstrip("/")
        if full == prefix or full.startswith(prefix + "/") or registry == prefix:
            return True
    return False


@rule(
    id="KL504",
    name="image-registry-not-allowed",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    default_enabled=False,
    options={
        "allowed-registries": Option(
            [], "registries (or registry/path prefixes) images may come from; Docker Hub is docker.io"
        )
    },
    category="images",
    security_severity=5.0,
)
def image_registry_not_allowed(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports images that do not come from one of the registries of option
    `allowed-registries`: a registry host (`registry.example.com`,
    `ghcr.io`), or a registry and path prefix (`ghcr.io/my-org`).  Images
    without a registry come from Docker Hub, `docker.io` (official images are
    `docker.io/library/NAME`).  Off by default, and
    reports nothing until `allowed-registries` is set.

    Severity: warning.

    ## Why is this bad?
    Images from arbitrary registries bypass the scanning, signing and
    availability guarantees of the registries the team controls.

    ## Example
    ```yaml
    # allowed-registries: [registry.example.com]
    image: someone/tool:1.0
    ```

    ## Use instead
    ```yaml
    image: registry.example.com/mirror/tool:1.0
    ```
    """
    allowed = [str(r) for r in ctx.options.get("allowed-registries", [])]
    if not allowed:
        return
    for c, path, image, ref in _images(obj):
        if not _registry_allowed(ref, allowed):
            yield Violation(
                path,
                f'{c.describe} uses image "{image}" from {ref.effective_registry}, which is not an allowed registry',
                fix=f"use an image from {', '.join(allowed)}",
            )


@rule(
    id="KL505",
    name="image-not-pinned-by-digest",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    default_enabled=False,
    category="images",
)
def image_not_pinned_by_digest(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports images without a digest (`@sha256:...`).  Off by default: most teams
    pin tags and let a bot update them.

    Severity: warning.

    ## Why is this bad?
    A tag can be moved to another image (by mistake or by an attacker with push
    rights); a digest always names the same bytes.

    ## Example
    ```yaml
    image: nginx:1.27.0
    ```

    ## Use instead
    ```yaml
    image: nginx:1.27.0@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31
    ```
    """
    for c, path, image, ref in _images(obj):
        if ref.digest is None:
            yield Violation(path, f'{c.describe} uses image "{image}" without a digest', fix="pin by digest")


@rule(
    id="KL506",
    name="invalid-image-reference",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    category="images",
)
def invalid_image_reference(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports an `image` that is not a valid reference
    (`[registry[:port]/]name[:tag][@algorithm:digest]`): upper-case letters in the
    repository, a URL scheme, spaces, two tags, a malformed digest.  `${VAR}`,
    `$(VAR)` and `{{ }}` values and placeholders meant to be substituted
    (`<PROJECT_ID>`, `REGION-docker.pkg.dev/PROJECT_ID/app`) are not judged.

    Severity: error: the kubelet cannot pull it and the pod never starts
    (`InvalidImageName`).

    ## Why is this bad?
    The manifest applies cleanly, and the mistake only shows as pods stuck in
    `InvalidImageName`.

    ## Example
    ```yaml
    image: Example/API:1.0
    ```

    ## Use instead
    ```yaml
    image: example/api:1.0
    ```
    """
    for c in iter_containers(obj, init=True, ephemeral=True):
        image = c.data.get("image")
        if not isinstance(image, str) or is_placeholder_text(image) or not image.strip():
            continue
        reason = image_problem(image)
        if reason:
            yield Violation(
                c.path + ("image",),
                f'{c.describe} has an invalid image "{image.strip()}": it {reason}',
                fix="write [registry/]name[:tag][@digest] in lower case",
            )


@rule(
    id="KL507",
    name="missing-image",
    severity=Severity.ERROR,
    applies_to=(Format.KUBERNETES,),
    kinds=WORKLOAD_KINDS,
    category="images",
)
def missing_image(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a container (init and ephemeral ones included) without an `image`,
    or with an empty one.

    Severity: error: the API server rejects the pod (`image: Required value`),
    although the OpenAPI schema lets it through.

    ## Why is this bad?
    The object cannot be created; for a workload, its pods are never created and
    the error only shows in the controller's events.

    ## Example
    ```yaml
    containers:
      - name: api
    ```

    ## Use instead
    ```yaml
    containers:
      - name: api
        image: example/api:1.4.2
    ```
    """
    for c in iter_containers(obj, init=True, ephemeral=True):
        image = c.data.get("image")
        if image is None or (isinstance(image, str) and not image.strip()):
            where = c.path + ("image",) if "image" in c.data else c.path
            yield Violation(where, f"{c.describe} has no image", fix="set image")


RULES = (
    mutable_tag_not_pulled,
    image_pull_policy_not_always,
    image_registry_not_allowed,
    image_not_pinned_by_digest,
    invalid_image_reference,
    missing_image,
)
