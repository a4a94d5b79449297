"""KL501: images with a mutable tag (`:latest` or none)."""

from __future__ import annotations

from collections.abc import Iterator

from kubelint.compose import iter_services
from kubelint.k8s import WORKLOAD_KINDS, iter_containers
from kubelint.model import ComposeFile, Format, K8sObject, Manifest, Severity, Violation
from kubelint.positions import Path
from kubelint.rule import Option, RuleContext, rule


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """(repository, tag, digest) of an image reference."""
    digest = None
    if "@" in image:
        image, _, digest = image.partition("@")
    slash = image.rfind("/")
    colon = image.rfind(":")
    tag = None
    if colon > slash:
        image, tag = image[:colon], image[colon + 1 :]
    return image, tag, digest


def _images(obj: Manifest) -> Iterator[tuple[Path, str, str]]:
    if isinstance(obj, K8sObject):
        for c in iter_containers(obj, init=True, ephemeral=True):
            image = c.data.get("image")
            if isinstance(image, str):
                yield c.path + ("image",), image, c.describe
    elif isinstance(obj, ComposeFile):
        for service in iter_services(obj):
            image = service.data.get("image")
            if isinstance(image, str):
                yield service.path + ("image",), image, f'service "{service.name}"'


@rule(
    id="KL501",
    name="latest-tag",
    severity=Severity.WARNING,
    applies_to=(Format.KUBERNETES, Format.COMPOSE),
    kinds=WORKLOAD_KINDS,
    options={
        "mutable-tags": Option(["latest"], "tags treated as mutable, like latest"),
    },
    category="images",
)
def latest_tag(obj: Manifest, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports container and service images that use the `latest` tag or no tag at
    all (which means `latest`).  Images pinned by digest are fine.  Images that
    are still `${VAR}` interpolations are not judged.

    ## Why is this bad?
    `latest` moves: two nodes (or two `docker compose up`s a week apart) run
    different code from the same manifest, rollbacks do not roll back, and
    Kubernetes pulls the image on every start (`imagePullPolicy: Always`).

    ## Example
    ```yaml
    image: flask:latest
    ```

    ## Use instead
    ```yaml
    image: flask:3.0.3        # or flask@sha256:...
    ```
    """
    mutable = {str(t) for t in ctx.options.get("mutable-tags", ["latest"])}
    for path, image, owner in _images(obj):
        if "$" in image or "{{" in image or not image.strip():
            continue
        _, tag, digest = split_image(image.strip())
        if digest:
            continue
        if tag is None:
            yield Violation(
                path,
                f'{owner} uses image "{image}" without a tag (that is "latest")',
                fix="pin a version tag or a digest",
            )
        elif tag in mutable:
            yield Violation(
                path,
                f'{owner} uses image "{image}" with the mutable tag "{tag}"',
                fix="pin a version tag or a digest",
            )


RULES = (latest_tag,)
