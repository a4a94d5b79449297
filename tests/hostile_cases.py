"""A fixed regression corpus of hostile and broken input files.

`write_hostile_tree(root)` writes every case below `root` and returns the names of
the files a run must mention (each yields a finding or a message of its own).
Cases that cannot be made on this platform (FIFOs, unreadable files as root) are
left out.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:latest
"""

# name -> content (str is written as UTF-8, bytes as is)
TEXT_CASES: dict[str, str | bytes] = {
    "bad-indent.yaml": "apiVersion: v1\nkind: Service\n metadata:\n  name: x\n",
    "tabs.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n\tname: x\n",
    "unclosed-quote.yaml": 'apiVersion: v1\nkind: ConfigMap\ndata:\n  a: "never closed\n',
    "unclosed-bracket.yaml": "apiVersion: v1\nkind: ConfigMap\ndata: {a: [1, 2\n",
    "unclosed-flow-map.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: x\n",
    "duplicate-keys.yaml": "apiVersion: v1\nkind: Service\nkind: Service\nmetadata: {name: x}\n",
    "invalid-escape.yaml": 'apiVersion: v1\nkind: ConfigMap\ndata: {a: "\\q"}\n',
    "binary.yaml": bytes(range(256)) * 8,
    "nul-bytes.yaml": b"apiVersion: v1\nkind: ConfigMap\x00\ndata: {}\n",
    "nul-late.yaml": b"apiVersion: v1\nkind: ConfigMap\n" + b"# pad\n" * 3000 + b"data: {a: \x00}\n",
    "invalid-utf8.yaml": b"apiVersion: v1\nkind: ConfigMap\ndata: {a: \xff\xfe\xfa}\n",
    "utf16-bom.yaml": codecs.BOM_UTF16_LE + DEPLOYMENT.encode("utf-16-le"),
    "utf16-be-bom.yaml": codecs.BOM_UTF16_BE + DEPLOYMENT.encode("utf-16-be"),
    "utf8-bom.yaml": codecs.BOM_UTF8 + DEPLOYMENT.encode(),
    "bom-mid-stream.yaml": DEPLOYMENT + "---\n\ufeffapiVersion: v1\nkind: Service\n",
    "crlf.yaml": DEPLOYMENT.replace("\n", "\r\n"),
    "cr-only.yaml": DEPLOYMENT.replace("\n", "\r"),
    "empty.yaml": "",
    "only-whitespace.yaml": "   \n\n  \n",
    "only-comments.yaml": "# nothing here\n# at all\n",
    "only-separators.yaml": "---\n---\n---\n",
    "scalar-doc.yaml": "just a string\n",
    "list-doc.yaml": "- a\n- b\n",
    "null-doc.yaml": "null\n",
    "mixed-docs.yaml": DEPLOYMENT + "---\n42\n---\n- x\n---\nnull\n",
    "non-string-keys.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: k}\ndata:\n  1: one\n  true: yes\n  null: x\n  2.5: y\n",
    "complex-keys.yaml": "apiVersion: v1\nkind: ConfigMap\n? [a, b]\n: c\n{x: 1}: d\n",
    "long-line.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: long}\ndata:\n  a: "
    + "x" * 2_000_000
    + "\n",
    "long-key.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: long}\ndata:\n  "
    + "k" * 100_000
    + ": v\n",
    "deep-block.yaml": "".join("  " * i + f"k{i}:\n" for i in range(3000)) + "  " * 3000 + "v\n",
    "deep-flow.yaml": "a: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "deep-flow-map.yaml": "a: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n",
    "deep-just-allowed.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata: "
    + "{a: " * 198
    + "x"
    + "}" * 198
    + "\n",
    "deep-just-too-deep.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata: "
    + "[" * 300
    + "]" * 300
    + "\n",
    "compose.deep.yaml": "services:\n  web:\n    image: nginx:1.27\n    environment: "
    + "{a: " * 195
    + "x"
    + "}" * 195
    + "\n    x-deep: "
    + "[" * 195
    + "]" * 195
    + "\n",
    "deep-unclosed.yaml": "a: " + "[" * 10_000 + "\n",
    "alias-bomb.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(9)
    ),
    "alias-bomb-k8s.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: bomb}\n"
    "x0: &x0 [a, a, a, a, a, a, a, a, a, a]\n"
    + "".join(f"x{i}: &x{i} [" + ", ".join([f"*x{i - 1}"] * 10) + "]\n" for i in range(1, 9)),
    "alias-recursive-merge.yaml": "a: &a {b: 1}\nc: &c\n  <<: *a\n  d: *a\n",
    "undefined-alias.yaml": "apiVersion: v1\nkind: Service\nmetadata: *nowhere\n",
    "python-tags.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: t}\n"
    'data:\n  a: !!python/object/apply:os.system ["echo pwned"]\n'
    "  b: !!python/name:os.system\n  c: !custom {x: 1}\n  d: !!binary aGVsbG8=\n",
    "helm-template.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n"
    "{{- if .Values.x }}\nspec: {}\n{{- end }}\n",
    "jinja-template.yaml": "apiVersion: v1\nkind: ConfigMap\n{% for x in y %}\ndata: {{ x }}\n{% endfor %}\n",
    "kind-wrong-type.yaml": "apiVersion: [v1]\nkind: {a: 1}\nmetadata: {name: x}\n",
    "kind-int.yaml": "apiVersion: 1\nkind: 2\n",
    "kind-empty.yaml": "apiVersion: ''\nkind: ''\n",
    "kind-null.yaml": "apiVersion:\nkind:\n",
    "huge-int.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: big}\nspec:\n  replicas: "
    + "9" * 5000
    + "\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n"
    "    spec:\n      containers:\n        - name: c\n          image: nginx:1.27\n"
    "          ports: [{containerPort: " + "1" * 5000 + "}]\n",
    "huge-float.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: f}\ndata: {a: 1e999999, b: .nan}\n",
    "hex-octal.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: h}\nspec:\n  ports: [{port: 0x50}, {port: 0o777777777777777777777777}]\n",
    "many-syntax-errors.yaml": "".join("---\nkey: [unclosed\n" for _ in range(2000)),
    "many-documents.yaml": "".join(
        f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\n" for i in range(3000)
    ),
    "containers-string.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: nginx\n",
    "containers-weird.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n"
    "  selector: {matchLabels: [a]}\n  template:\n    metadata: {labels: 5}\n    spec:\n"
    "      containers:\n        - null\n        - 5\n        - [a]\n        - name: {x: 1}\n"
    "          image: [x]\n          ports: '80'\n          env: {A: b}\n"
    "          resources: {limits: [1], requests: cpu}\n"
    "          livenessProbe: {httpGet: {port: [1]}}\n",
    "metadata-weird.yaml": "apiVersion: v1\nkind: Service\nmetadata: [a, b]\nspec: 5\n",
    "compose-weird.yaml": "services:\n  web:\n    image: 5\n    ports: 80\n    environment: A=b\n"
    "    depends_on: 3\n    healthcheck: [x]\n  db: null\n  x: [1]\n",
    "docker-compose.yml": "services: [a, b]\nvolumes: 5\n",
    "compose.yaml": "",
    "list-kind.yaml": "apiVersion: v1\nkind: List\nitems:\n  - 5\n  - null\n  - {kind: Pod}\n"
    "  - {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: 7}}\n",
    "bare-document-end.yaml": "...\n...\n",
    "directive.yaml": "%YAML 1.1\n%TAG ! tag:example.com,2000:\n---\napiVersion: v1\nkind: Service\n",
    "bad-directive.yaml": "%YAML 9.9\n---\na: 1\n",
    "control-chars.yaml": 'apiVersion: v1\nkind: ConfigMap\ndata: {a: "\x07\x1b[31m"}\n',
    "ansi-in-key.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n\x1b[31mdata: {}\n",
    "surrogates.yaml": 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\ndata: {a: "\\ud800"}\n',
    "unicode-separators.yaml": "apiVersion: v1\u2028kind: Service\u2029metadata: {name: x}\x85\n",
    "merge-non-mapping.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\ndata:\n  <<: [1, 2]\n  <<: x\n",
}


def write_hostile_tree(root: Path) -> list[str]:
    """Write every case below `root`; return the relative paths a run must report."""
    root.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    for name, content in TEXT_CASES.items():
        path = root / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8", "surrogatepass"))
        names.append(name)
    (root / "dir.yaml").mkdir()  # a directory named like a YAML file
    (root / "dir.yaml" / "inner.yaml").write_text(DEPLOYMENT)
    names.append("dir.yaml/inner.yaml")
    (root / "broken-link.yaml").symlink_to(root / "does-not-exist.yaml")
    names.append("broken-link.yaml")
    (root / "loop").mkdir()
    (root / "loop" / "again").symlink_to(root / "loop")
    (root / "loop" / "self.yaml").symlink_to(root / "loop" / "self.yaml")  # a link to itself
    names.append("loop/self.yaml")
    (root / "link-a.yaml").symlink_to(root / "link-b.yaml")
    (root / "link-b.yaml").symlink_to(root / "link-a.yaml")
    names.extend(["link-a.yaml", "link-b.yaml"])
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "fifo.yaml")
        names.append("fifo.yaml")
    if os.geteuid() != 0:
        unreadable = root / "unreadable.yaml"
        unreadable.write_text(DEPLOYMENT)
        unreadable.chmod(0)
        names.append("unreadable.yaml")
        closed = root / "closed-dir"
        closed.mkdir()
        (closed / "inside.yaml").write_text(DEPLOYMENT)
        closed.chmod(0)
        names.append("closed-dir")
    return names


def restore_permissions(root: Path) -> None:
    """Make the tree removable again (pytest's tmp_path cleanup)."""
    for path in (root / "unreadable.yaml", root / "closed-dir"):
        if path.exists() and not path.is_symlink():
            path.chmod(0o755)
