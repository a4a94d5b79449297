"""Container image references: `[registry[:port]/]path[:tag][@algorithm:digest]`.

The grammar is the one container registries and the kubelet accept
(distribution/reference): a registry is the first component if it contains a '.'
or ':' or is `localhost`; path components are lowercase; a tag is up to 128
characters of `[A-Za-z0-9_.-]` starting with a word character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_REGISTRY = "docker.io"

_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_REGISTRY = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
)
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")


@dataclass(frozen=True, slots=True)
class ImageRef:
    registry: str | None  # as written; None when the reference names none (Docker Hub)
    repository: str
    tag: str | None
    digest: str | None

    @property
    def effective_registry(self) -> str:
        return self.registry or DEFAULT_REGISTRY

    @property
    def full_name(self) -> str:
        """Registry and repository as the runtime resolves them: Docker Hub's
        official images live under `library/`."""
        registry = self.effective_registry
        if registry == "index.docker.io":
            registry = DEFAULT_REGISTRY
        repository = self.repository
        if registry == DEFAULT_REGISTRY and "/" not in repository:
            repository = f"library/{repository}"
        return f"{registry}/{repository}"

    @property
    def name(self) -> str:
        """Registry and repository, without tag or digest."""
        return f"{self.registry}/{self.repository}" if self.registry else self.repository


def is_templated(image: str) -> bool:
    """An image still holding `${VAR}`, `$(VAR)` or `{{ }}`: not judged."""
    return "$" in image or "{{" in image


def parse_image(image: str) -> ImageRef | None:
    """The parts of `image`, or None if it is not a valid reference."""
    text = image
    digest = None
    if "@" in text:
        text, _, digest = text.partition("@")
        if not _DIGEST.fullmatch(digest):
            return None
    registry = None
    first, slash, rest = text.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost" or first.startswith("[")):
        if not _REGISTRY.fullmatch(first):
            return None
        registry, text = first, rest
    tag = None
    last_slash = text.rfind("/")
    colon = text.rfind(":")
    if colon > last_slash:
        text, tag = text[:colon], text[colon + 1 :]
        if not _TAG.fullmatch(tag):
            return None
    if not text or not all(_COMPONENT.fullmatch(part) for part in text.split("/")):
        return None
    if len(text) + len(registry or "") > 255:
        return None
    return ImageRef(registry, text, tag, digest)


def image_problem(image: str) -> str | None:
    """Why `image` is not a valid reference (a short reason), or None."""
    if image != image.strip():
        return "has leading or trailing whitespace"
    if not image:
        return "is empty"
    if parse_image(image) is not None:
        return None
    if "://" in image:
        return "contains a URL scheme"
    if any(ch.isupper() for ch in image.partition("@")[0].rpartition(":")[0] or image):
        return "has upper-case letters in its repository name"
    return "is not a valid reference ([registry/]name[:tag][@digest])"
