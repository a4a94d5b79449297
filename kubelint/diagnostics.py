"""Diagnostics the engine itself emits (input, parsing, suppressions, crashes).

They are rules like any other for selection, severities, suppressions, docs and
SARIF metadata, but have no check function: the engine reports them while loading
and while applying suppressions.
"""

from __future__ import annotations

from kubelint.model import Severity
from kubelint.rule import Rule, summary_of


def _diag(id: str, name: str, severity: Severity, docs: str, *, default_enabled: bool = True) -> Rule:
    import inspect

    text = inspect.cleandoc(docs)
    return Rule(
        id=id,
        name=name,
        severity=severity,
        summary=summary_of(text),
        docs=text,
        check=None,
        default_enabled=default_enabled,
        category="input",
    )


YAML_SYNTAX_ERROR = _diag(
    "KL001",
    "yaml-syntax-error",
    Severity.ERROR,
    """
    ## What it does
    Reports YAML that cannot be parsed, at the position the parser stopped.

    ## Why is this bad?
    Neither kubectl nor Compose can read the file.  Other documents of the same file
    (after the next `---`) are still linted.

    ## Example
    ```yaml
    ports: [80, 443
    ```

    ## Use instead
    ```yaml
    ports: [80, 443]
    ```
    """,
)

DUPLICATE_KEY = _diag(
    "KL002",
    "duplicate-key",
    Severity.ERROR,
    """
    ## What it does
    Reports a mapping key written twice in the same mapping.

    ## Why is this bad?
    Kubernetes and Compose reject the file ("mapping key already defined"); tools
    that accept it silently keep only one of the values.

    ## Example
    ```yaml
    env:
      image: nginx:1.27
      image: nginx:1.25
    ```

    ## Use instead
    Keep one key.
    """,
)

UNREADABLE_FILE = _diag(
    "KL003",
    "unreadable-file",
    Severity.ERROR,
    """
    ## What it does
    Reports a path that could not be read as YAML text: missing, unreadable,
    binary, not valid UTF-8/UTF-16, larger than the size limit, a broken symbolic
    link or a link loop, or not a regular file (a FIFO, socket or device is never
    opened for reading).

    ## Why is this bad?
    Nothing in it can be checked.  The rest of the run goes on.

    ## Example
    A binary file named `values.yaml`.

    ## Use instead
    Fix or exclude the file (`exclude:` in `.kubelint.yaml`).
    """,
)

NOT_AN_OBJECT = _diag(
    "KL004",
    "not-an-object",
    Severity.WARNING,
    """
    ## What it does
    Reports a document that is a scalar or a list in a file that otherwise holds
    Kubernetes or Compose manifests.

    ## Why is this bad?
    `kubectl apply` fails on it; usually a stray line or a broken indentation.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    ---
    - just a list
    ```

    ## Use instead
    Remove the document or make it a manifest.
    """,
)

MISSING_TYPE_META = _diag(
    "KL005",
    "missing-api-version-or-kind",
    Severity.ERROR,
    """
    ## What it does
    Reports a Kubernetes-looking document (it has `apiVersion`, `kind`, or
    `metadata` and `spec`) that lacks `apiVersion` or `kind`.

    ## Why is this bad?
    The API server cannot tell what the object is and rejects it.

    ## Example
    ```yaml
    kind: Deployment
    metadata: {name: web}
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    ```
    """,
)

TEMPLATE_NOT_LINTED = _diag(
    "KL006",
    "template-not-linted",
    Severity.INFO,
    """
    ## What it does
    Notes, once per file, that a file is a template (Helm or Jinja `{{ ... }}`) and
    was not linted as plain YAML.

    ## Why is this bad?
    It is not bad: it says that the file's contents were not checked.  Render the
    chart and lint the output to check it.

    ## Example
    ```yaml
    replicas: {{ .Values.replicaCount }}
    ```

    ## Use instead
    `helm template . | kubelint check -`
    """,
)

NOT_A_MANIFEST = _diag(
    "KL007",
    "not-a-manifest",
    Severity.INFO,
    """
    ## What it does
    Notes YAML files that are neither Kubernetes objects nor Compose files (CI
    workflows, Helm values, application config).  Off by default: such files are
    skipped quietly.

    ## Why is this bad?
    It is not: turn it on to see which files a run skipped.

    ## Example
    `.github/workflows/ci.yaml`

    ## Use instead
    Nothing to change.
    """,
    default_enabled=False,
)

DOCUMENT_TOO_COMPLEX = _diag(
    "KL008",
    "document-too-complex",
    Severity.ERROR,
    """
    ## What it does
    Reports a document that is nested too deeply or whose aliases expand to a huge
    tree (a "billion laughs" alias bomb).  The document is not linted.

    ## Why is this bad?
    Such a document is either an attack on the tools that read it or a generator
    gone wrong; the API server refuses it too.

    ## Example
    ```yaml
    a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    ```

    ## Use instead
    Write the data out, or split it.
    """,
)

UNKNOWN_TAG = _diag(
    "KL009",
    "unknown-yaml-tag",
    Severity.WARNING,
    """
    ## What it does
    Reports YAML tags other than the standard ones (`!!str`, `!!int`, ...), such as
    `!!python/object` or `!Ref`.  kubelint never constructs them: the value is read
    as plain data.

    ## Why is this bad?
    Kubernetes and Compose do not understand custom tags.

    ## Example
    ```yaml
    replicas: !!python/object:os.system "rm -rf /"
    ```

    ## Use instead
    Plain values.
    """,
)

COMPLEX_KEY = _diag(
    "KL010",
    "complex-mapping-key",
    Severity.ERROR,
    """
    ## What it does
    Reports a mapping or a list used as a mapping key (`? [a, b] : c`, or an
    unquoted `{{ }}` template expression outside a recognised template file).

    ## Why is this bad?
    JSON-based tools, Kubernetes and Compose included, cannot represent it.

    ## Example
    ```yaml
    {name: x}: value
    ```

    ## Use instead
    Use a string key.
    """,
)

INVALID_TYPE_META = _diag(
    "KL011",
    "invalid-api-version-or-kind",
    Severity.ERROR,
    """
    ## What it does
    Reports an `apiVersion` or `kind` that is not a non-empty string.

    ## Why is this bad?
    The API server rejects the object.

    ## Example
    ```yaml
    apiVersion: 1
    kind: [Deployment]
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    ```
    """,
)

NON_STRING_KEY = _diag(
    "KL012",
    "non-string-key",
    Severity.WARNING,
    """
    ## What it does
    Reports a plain (unquoted) mapping key that YAML reads as a number, a boolean or
    null (`80:`, `true:`, `~:`).

    ## Why is this bad?
    Kubernetes and Compose want string keys.  Some tools turn the key into a string
    (`80` becomes `"80"`, `0x50` becomes `"80"`), others reject the file, so what
    the key means depends on the tool.

    ## Example
    ```yaml
    data:
      8080: default/web:80
    ```

    ## Use instead
    ```yaml
    data:
      "8080": default/web:80
    ```
    """,
)

EMPTY_FILE = _diag(
    "KL013",
    "empty-file",
    Severity.INFO,
    """
    ## What it does
    Notes a file that holds no YAML content: empty, only whitespace, only comments,
    only `---` markers, or only `null` documents.

    ## Why is this bad?
    It is not wrong, but nothing in it is checked; often a file emptied by mistake or
    a template that rendered to nothing.

    ## Example
    ```yaml
    # TODO: add the Service
    ```

    ## Use instead
    Delete the file, or fill it in.
    """,
)

UNUSED_SUPPRESSION = _diag(
    "KL090",
    "unused-suppression",
    Severity.INFO,
    """
    ## What it does
    Reports a suppression (comment, annotation or `x-kubelint-ignore`) for a rule
    that ran but found nothing to suppress there.

    ## Why is this bad?
    Stale suppressions hide future problems and mislead readers.

    ## Example
    ```yaml
    image: nginx:1.27  # kubelint: disable=KL501
    ```

    ## Use instead
    Remove the suppression.
    """,
)

UNKNOWN_RULE_IN_SUPPRESSION = _diag(
    "KL091",
    "unknown-rule-in-suppression",
    Severity.ERROR,
    """
    ## What it does
    Reports a suppression that names a rule id or name that does not exist, with
    the closest valid one.

    ## Why is this bad?
    The suppression does nothing, so the finding it was meant for still shows (or
    a typo hides that the wrong rule is silenced).

    ## Example
    ```yaml
    image: nginx  # kubelint: disable=KL50l
    ```

    ## Use instead
    ```yaml
    image: nginx  # kubelint: disable=KL501
    ```
    """,
)

INTERNAL_ERROR = _diag(
    "KL099",
    "internal-error",
    Severity.ERROR,
    """
    ## What it does
    Reports that a rule crashed on one object.  The other rules and objects are
    still checked.

    ## Why is this bad?
    It is a bug in kubelint: please report it with the object that triggers it.

    ## Example
    (none)

    ## Use instead
    (none)
    """,
)

RENDER_ERROR = _diag(
    "KL030",
    "render-error",
    Severity.ERROR,
    """
    ## What it does
    Reports a Helm chart that fails to render (a template error, a missing value,
    values that break the chart's `values.schema.json`) or a kustomization that fails
    to build, at the file and line the renderer names.

    ## Why is this bad?
    `helm install` / `kubectl apply -k` fail the same way; nothing of that chart or
    overlay is linted until it renders.

    ## Example
    ```yaml
    image: {{ .Values.image.missing.tag }}
    ```

    ## Use instead
    Fix the template, or give the value (`helm.charts.<dir>.values` in the config).
    """,
)

NOT_RENDERED = _diag(
    "KL031",
    "not-rendered",
    Severity.INFO,
    """
    ## What it does
    Notes, once per chart or kustomization, that it was not rendered because no
    renderer is installed (`pip install kubelint[helm]` for charts — or a `helm`
    binary on PATH — and `kubectl` for kustomizations), so its templates were not
    linted.

    ## Why is this bad?
    It is not: it says what was not checked.

    ## Example
    A chart directory in a run without helm-python-sdk or helm.

    ## Use instead
    `pip install 'kubelint[helm,kustomize]'`
    """,
)

DIAGNOSTICS: tuple[Rule, ...] = (
    YAML_SYNTAX_ERROR,
    DUPLICATE_KEY,
    UNREADABLE_FILE,
    NOT_AN_OBJECT,
    MISSING_TYPE_META,
    TEMPLATE_NOT_LINTED,
    NOT_A_MANIFEST,
    DOCUMENT_TOO_COMPLEX,
    UNKNOWN_TAG,
    COMPLEX_KEY,
    INVALID_TYPE_META,
    NON_STRING_KEY,
    EMPTY_FILE,
    UNUSED_SUPPRESSION,
    UNKNOWN_RULE_IN_SUPPRESSION,
    INTERNAL_ERROR,
    RENDER_ERROR,
    NOT_RENDERED,
)

LOAD_PROBLEM_RULES: dict[str, Rule] = {
    "syntax": YAML_SYNTAX_ERROR,
    "duplicate-key": DUPLICATE_KEY,
    "complex-key": COMPLEX_KEY,
    "non-string-key": NON_STRING_KEY,
    "unknown-tag": UNKNOWN_TAG,
    "too-large": DOCUMENT_TOO_COMPLEX,
    "too-deep": DOCUMENT_TOO_COMPLEX,
    "merge": COMPLEX_KEY,
}
