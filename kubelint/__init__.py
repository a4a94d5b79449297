"""kubelint: a linter and static policy checker for Kubernetes manifests and Compose files."""

__version__ = "0.1.0"
