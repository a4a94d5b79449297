"""Schema validation: Kubernetes objects against the JSON schemas shipped in
kubernetes-validate (and against the CustomResourceDefinitions of the run),
Compose files against the compose-spec schema, and the deprecated-API table.

Everything here is loaded and compiled at most once per run: the callers keep the
catalogues in `RuleContext.cache`.
"""
