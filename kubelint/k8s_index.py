"""Run-wide Kubernetes indexes for the cross-resource rules (KL7xx).

Built once per run (through `cross_index(ctx)`, cached in the run cache) in one
pass over the workspace, so every lookup a rule makes is a dictionary access:

* pod templates (every workload, and bare Pods) by namespace, with their labels and
  container ports, plus an inverted index (namespace, label key, value) -> templates
  so that a selector only looks at the templates that carry one of its labels;
* which kinds the run holds in which namespace (to tell a partial run from a
  reference that resolves nowhere);
* objects that *create* other objects (SealedSecret, ExternalSecret, cert-manager
  Certificate, kustomize generators, StatefulSet volumeClaimTemplates);
* the `external:` declarations of the configuration;
* HPAs by target, LimitRange defaults, Services' nodePorts and pods' host ports.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from kubelint.k8s import as_list, as_mapping, dig, iter_containers, pod_labels, pod_spec, pod_template_path
from kubelint.loader import load_stream
from kubelint.model import K8sObject, Related
from kubelint.positions import Path
from kubelint.rule import RuleContext, Settings
from kubelint.selectors import Selector
from kubelint.workspace import Workspace

# Labels that name the application a pod belongs to, most specific first.
APP_LABELS = ("app.kubernetes.io/name", "app", "k8s-app", "name")
COMPONENT_LABELS = ("app.kubernetes.io/component", "component", "tier")
# Kinds whose replica count is spec.replicas (default 1).
REPLICATED_KINDS = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"})
SCALABLE_KINDS = REPLICATED_KINDS


def int_value(value: Any) -> int | None:
    """An integer written as a number or a string of digits (not a bool)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        return int(value.strip())
    return None


_DIGITS = re.compile(r"[0-9]{1,18}")  # ASCII digits only, and no huge numbers


def label_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class TemplatePort:
    number: int | None
    name: str | None
    protocol: str
    container: str
    path: Path  # the port mapping inside the object
    host_port: int | None
    host_ip: str


@dataclass(eq=False)
class PodTemplate:
    """The pods one object creates: a workload's template, or a bare Pod."""

    obj: K8sObject
    namespace: str
    ordinal: int
    labels: dict[str, str]
    ports: list[TemplatePort]
    host_network: bool
    node_selector: dict[str, str]
    custom: bool = False  # pods an operator creates for a custom resource: ports unknown

    @property
    def describe(self) -> str:
        return f"{self.obj.kind} {self.obj.name}"

    @property
    def labels_path(self) -> Path:
        if self.obj.kind == "Pod":
            return ("metadata", "labels")
        base = pod_template_path(self.obj) or ()
        return base + ("metadata", "labels")

    @property
    def port_names(self) -> set[str]:
        return {p.name for p in self.ports if p.name}

    @property
    def port_numbers(self) -> set[int]:
        return {p.number for p in self.ports if p.number is not None}

    def app_identity(self) -> tuple[str, str] | None:
        """(application, component) the pods belong to, from their labels ("" when
        there is no component label); None when they carry no application label."""
        app = next((self.labels[k] for k in APP_LABELS if k in self.labels), None)
        if app is None:
            return None
        component = next((self.labels[k] for k in COMPONENT_LABELS if k in self.labels), "")
        return (app, component)

    def replicas(self) -> int | None:
        """How many pods it runs, when the manifest says (None for DaemonSets, Jobs)."""
        if self.custom:
            return None
        if self.obj.kind == "Pod":
            return 1
        if self.obj.kind in REPLICATED_KINDS:
            value = dig(self.obj.data, "spec", "replicas")
            if value is None:
                return 1
            return int_value(value)
        return None


def _template(obj: K8sObject, namespace: str, ordinal: int) -> PodTemplate | None:
    found = pod_spec(obj)
    if found is None:
        return None
    _, spec = found
    ports: list[TemplatePort] = []
    for c in iter_containers(obj, init=True):
        if c.init and c.data.get("restartPolicy") != "Always":
            continue
        for path, port in c.ports():
            protocol = port.get("protocol")
            host_ip = port.get("hostIP")
            name = port.get("name")
            ports.append(
                TemplatePort(
                    number=int_value(port.get("containerPort")),
                    name=name if isinstance(name, str) and name else None,
                    protocol=protocol.upper() if isinstance(protocol, str) else "TCP",
                    container=c.name,
                    path=path,
                    host_port=int_value(port.get("hostPort")),
                    host_ip=host_ip if isinstance(host_ip, str) else "",
                )
            )
    labels = {str(k): label_text(v) for k, v in pod_labels(obj).items()}
    if obj.kind == "Job" and obj.name:  # the Job controller adds these to its pods
        labels.setdefault("job-name", obj.name)
        labels.setdefault("batch.kubernetes.io/job-name", obj.name)
    selector = {str(k): label_text(v) for k, v in as_mapping(spec.get("nodeSelector")).items()}
    return PodTemplate(obj, namespace, ordinal, labels, ports, spec.get("hostNetwork") is True, selector)


KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

# Labels a controller sets per pod (pod name, index, hashes): no template carries
# them, so selectors using them cannot be judged.
GENERATED_LABEL_KEYS = frozenset(
    {
        "statefulset.kubernetes.io/pod-name",
        "apps.kubernetes.io/pod-index",
        "controller-revision-hash",
        "pod-template-hash",
        "controller-uid",
        "batch.kubernetes.io/controller-uid",
        "batch.kubernetes.io/job-completion-index",
    }
)
# Custom kinds known not to own pods (monitoring, certificates, routing).
NON_POD_CUSTOM_KINDS = frozenset(
    {
        "ServiceMonitor",
        "PodMonitor",
        "Probe",
        "PrometheusRule",
        "Certificate",
        "Issuer",
        "ClusterIssuer",
        "VirtualService",
        "DestinationRule",
        "Gateway",
        "HTTPRoute",
        "GRPCRoute",
        "BackendConfig",
        "FrontendConfig",
        "ManagedCertificate",
    }
)


def is_custom(obj: K8sObject) -> bool:
    """Whether the object is a custom resource (not a built-in API group)."""
    group = obj.group
    if "." not in group:
        return False
    return not (group.endswith(".k8s.io") and not group.endswith("x-k8s.io"))


# A custom resource with one of these spec fields is taken to own pods (an operator
# creates them): Prometheus, Alertmanager, Argo Rollout, database clusters...
POD_OWNER_FIELDS = ("template", "podMetadata", "podTemplate", "replicas", "instances", "image", "nodeSets")


def _custom_pod_owner(obj: K8sObject, namespace: str, ordinal: int) -> PodTemplate | None:
    """Pods an operator creates for a custom resource, labelled (by convention) like
    the resource itself, its `spec.podMetadata` or its `spec.template`."""
    if not is_custom(obj):
        return None
    spec = as_mapping(obj.data.get("spec"))
    if not any(f in spec for f in POD_OWNER_FIELDS):
        return None
    labels: dict[str, str] = {str(k): label_text(v) for k, v in obj.labels.items()}
    for path in (("podMetadata",), ("template", "metadata"), ("podTemplate", "metadata")):
        for k, v in as_mapping(dig(spec, *path, "labels")).items():
            labels[str(k)] = label_text(v)
    if not labels:
        return None
    return PodTemplate(obj, namespace, ordinal, labels, [], False, {}, custom=True)


def matches_external(settings: Settings, kind: str, namespace: str, name: str) -> bool:
    """Whether the configuration declares this object as living outside the run
    (`external:` entries are fnmatch patterns; a missing key matches anything)."""
    for entry in settings.external:
        if not fnmatch.fnmatchcase(kind, str(entry.get("kind", "*"))):
            continue
        if not fnmatch.fnmatchcase(namespace, str(entry.get("namespace", "*"))):
            continue
        if fnmatch.fnmatchcase(name, str(entry.get("name", "*"))):
            return True
    return False


@dataclass
class CrossIndex:
    workspace: Workspace
    settings: Settings
    templates: list[PodTemplate] = field(default_factory=list)
    by_object: dict[int, PodTemplate] = field(default_factory=dict)
    by_namespace: dict[str, list[PodTemplate]] = field(default_factory=lambda: defaultdict(list))
    by_label: dict[tuple[str, str, str], list[PodTemplate]] = field(default_factory=lambda: defaultdict(list))
    by_label_key: dict[tuple[str, str], list[PodTemplate]] = field(default_factory=lambda: defaultdict(list))
    kinds_in_namespace: set[tuple[str, str]] = field(default_factory=set)
    # (kind, namespace or "*", name) created by another object of the run
    provided: set[tuple[str, str, str]] = field(default_factory=set)
    # names whose keys are unknown (generated objects): (kind, namespace or "*", name)
    claim_prefixes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    hpas_by_target: dict[tuple[str, str, str], list[K8sObject]] = field(
        default_factory=lambda: defaultdict(list)
    )
    limit_defaults: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # nodePort -> (Service, path of the nodePort), in run order
    node_ports: dict[int, list[tuple[K8sObject, Path]]] = field(default_factory=lambda: defaultdict(list))
    # (host port, protocol) -> (template, port), in run order; hostNetwork pods use containerPort
    host_ports: dict[tuple[int, str], list[tuple[PodTemplate, TemplatePort]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # (group, kind, namespace, name) -> objects, in run order
    identities: dict[tuple[str, str, str, str], list[K8sObject]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # (namespace, name) -> a custom resource that may own pods (an operator's)
    custom_by_name: dict[tuple[str, str], K8sObject] = field(default_factory=dict)
    # absolute paths of files a Kustomization of the run uses as patches
    patch_files: set[str] = field(default_factory=set)

    def build(self) -> CrossIndex:
        ws = self.workspace
        for obj in ws.kubernetes:
            ns = ws.namespace_of(obj)
            self.kinds_in_namespace.add((obj.kind, ns))
            template = _template(obj, ns, len(self.templates)) or _custom_pod_owner(
                obj, ns, len(self.templates)
            )
            if template is not None:
                self.templates.append(template)
                self.by_object[id(obj)] = template
                self.by_namespace[ns].append(template)
                for key, value in template.labels.items():
                    self.by_label[(ns, key, value)].append(template)
                    self.by_label_key[(ns, key)].append(template)
                for port in template.ports:
                    host = (
                        port.host_port if port.host_port else port.number if template.host_network else None
                    )
                    if host:
                        self.host_ports[(host, port.protocol)].append((template, port))
            if isinstance(obj.metadata.get("name"), str) and obj.metadata.get("name"):
                self.identities[(obj.group, obj.kind, ns, obj.name)].append(obj)
            if obj.name and obj.kind not in NON_POD_CUSTOM_KINDS and is_custom(obj):
                self.custom_by_name.setdefault((ns, obj.name), obj)
            if obj.kind == "Service":
                for i, port in enumerate(as_list(dig(obj.data, "spec", "ports"))):
                    node_port = int_value(as_mapping(port).get("nodePort"))
                    if node_port:
                        self.node_ports[node_port].append((obj, ("spec", "ports", i, "nodePort")))
            self._providers(obj, ns)
        self._kustomization_files()
        return self

    def _kustomization(self, data: Mapping[str, Any], base: str) -> None:
        """What a kustomization (in directory `base`) tells: its patch files hold
        partial objects, and its generators create ConfigMaps and Secrets."""
        files: list[Any] = list(as_list(data.get("patchesStrategicMerge")))
        files += [as_mapping(p).get("path") for p in as_list(data.get("patches"))]
        files += [as_mapping(p).get("path") for p in as_list(data.get("patchesJson6902"))]
        for f in files:
            if isinstance(f, str) and f and "\n" not in f:
                self.patch_files.add(os.path.normpath(os.path.join(base, f)))
        target_ns = data.get("namespace")
        where = target_ns if isinstance(target_ns, str) and target_ns else "*"
        for section, provided_kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
            for item in as_list(data.get(section)):
                if isinstance(dig(item, "name"), str):
                    self.provided.add((provided_kind, where, item["name"]))

    def _kustomization_files(self) -> None:
        """Kustomization files next to the plain files of the run.  The engine does not
        lint them (it renders them when it can; rendered objects then carry the
        generated names), so read the ones beside files that were linted as they are."""
        directories = {
            os.path.dirname(obj.source.absolute) for obj in self.workspace.kubernetes if obj.source.absolute
        }
        for directory in sorted(directories):
            for name in KUSTOMIZATION_FILES:
                path = os.path.join(directory, name)
                if not os.path.isfile(path):
                    continue
                try:
                    with open(path, encoding="utf-8") as handle:
                        text = handle.read()
                except (OSError, UnicodeDecodeError):
                    continue
                loaded = load_stream(text)
                data = loaded.documents[0].data if loaded.documents else None
                if isinstance(data, dict):
                    self._kustomization(data, directory)
                break

    def _providers(self, obj: K8sObject, ns: str) -> None:
        spec = as_mapping(obj.data.get("spec"))
        kind = obj.kind
        if kind == "SealedSecret":
            name = dig(spec, "template", "metadata", "name") or obj.name
            self.provided.add(("Secret", ns, str(name)))
        elif kind == "ExternalSecret":
            name = dig(spec, "target", "name") or obj.name
            self.provided.add(("Secret", ns, str(name)))
        elif kind == "Certificate" and isinstance(spec.get("secretName"), str):
            self.provided.add(("Secret", ns, spec["secretName"]))
        elif kind == "SecretProviderClass":
            for item in as_list(spec.get("secretObjects")):
                if isinstance(dig(item, "secretName"), str):
                    self.provided.add(("Secret", ns, item["secretName"]))
        elif kind == "Kustomization":
            self._kustomization(obj.data, os.path.dirname(obj.source.absolute or obj.source.path))
        elif kind == "StatefulSet":
            for item in as_list(spec.get("volumeClaimTemplates")):
                claim = dig(item, "metadata", "name")
                if isinstance(claim, str) and obj.name:
                    self.claim_prefixes[ns].append(f"{claim}-{obj.name}-")
                    self.provided.add(("PersistentVolumeClaim", ns, claim))
        elif kind == "HorizontalPodAutoscaler":
            target = as_mapping(spec.get("scaleTargetRef"))
            if isinstance(target.get("kind"), str) and isinstance(target.get("name"), str):
                self.hpas_by_target[(ns, target["kind"], target["name"])].append(obj)
        elif kind == "LimitRange":
            for limit in as_list(spec.get("limits")):
                if dig(limit, "type") not in (None, "Container"):
                    continue
                for section in ("defaultRequest", "default"):
                    for resource in as_mapping(dig(limit, section)):
                        self.limit_defaults[ns].add(str(resource))

    # -- lookups -------------------------------------------------------------

    def template_of(self, obj: K8sObject) -> PodTemplate | None:
        return self.by_object.get(id(obj))

    def select(self, namespace: str, selector: Selector) -> list[PodTemplate]:
        """Pod templates of `namespace` whose labels the selector matches.

        Looks only at the smallest candidate list the selector's own labels give
        (an equality, an `In`, an `Exists`), never at every template of the run."""
        candidates: Sequence[PodTemplate] | None = None
        for key, value in selector.equals:
            found = self.by_label.get((namespace, key, value), [])
            if candidates is None or len(found) < len(candidates):
                candidates = found
        for req in selector.requirements:
            if req.operator == "In":
                merged = {
                    t.ordinal: t for v in req.values for t in self.by_label.get((namespace, req.key, v), [])
                }
                found = [merged[k] for k in sorted(merged)]
            elif req.operator == "Exists":
                found = self.by_label_key.get((namespace, req.key), [])
            else:
                continue
            if candidates is None or len(found) < len(candidates):
                candidates = found
        if candidates is None:
            candidates = self.by_namespace.get(namespace, [])
        return [t for t in candidates if selector.matches(t.labels)]

    def unknowable(self, referrer: K8sObject, namespace: str, selector: Selector) -> str | None:
        """Why the selector's pods cannot be known from the run (None if they can):
        it uses a label a controller sets per pod, or names a custom resource of the
        namespace whose operator creates the pods (`cnpg.io/cluster: main` and a
        `Cluster main`)."""
        for key, value in selector.equals:
            if key in GENERATED_LABEL_KEYS:
                return f"label {key} is set per pod by a controller"
            owner = self.custom_by_name.get((namespace, value))
            if owner is not None:
                return f"pods of {owner.kind} {owner.name} are created by an operator"
        return None

    def select_for(self, referrer: K8sObject, namespace: str, selector: Selector) -> list[PodTemplate]:
        """`select`, with alternative definitions of one workload (the same object in
        sibling overlays or provider bundles) narrowed to the one nearest the
        referring object: same file, else the longest common directory."""
        found = self.select(namespace, selector)
        groups: dict[tuple[str, str, str], list[PodTemplate]] = {}
        for t in found:
            groups.setdefault((t.obj.group, t.obj.kind, t.obj.name), []).append(t)
        if len(groups) == len(found):
            return found
        here = _location(referrer)
        chosen = {id(max(g, key=lambda t: _closeness(here, _location(t.obj)))) for g in groups.values()}
        return [t for t in found if id(t) in chosen]

    @staticmethod
    def nearest(referrer: K8sObject, templates: list[PodTemplate]) -> list[PodTemplate]:
        """The templates whose directory shares the longest prefix with the
        referrer's: a selector that also matches a look-alike application elsewhere
        in the run (another example, another bundle) is checked against its own."""
        chosen = nearest_objects(referrer, [t.obj for t in templates])
        keep = {id(o) for o in chosen}
        return [t for t in templates if id(t.obj) in keep]

    def holds(self, kind: str, namespace: str) -> bool:
        """Whether the run holds (or creates) at least one `kind` in `namespace`."""
        if (kind, namespace) in self.kinds_in_namespace:
            return True
        provided = self.provided_kinds
        return (kind, namespace) in provided or (kind, "*") in provided

    @cached_property
    def provided_kinds(self) -> set[tuple[str, str]]:
        return {(k, ns) for k, ns, _ in self.provided}

    def exists(self, kind: str, namespace: str, name: str) -> bool:
        """Whether `kind` `name` exists in `namespace`: in the run, created by an
        object of the run, or declared external in the configuration."""
        if self.workspace.find(kind, namespace, name):
            return True
        if (kind, namespace, name) in self.provided or (kind, "*", name) in self.provided:
            return True
        if kind == "PersistentVolumeClaim" and any(
            name.startswith(p) for p in self.claim_prefixes.get(namespace, [])
        ):
            return True
        return matches_external(self.settings, kind, namespace, name)

    def generated(self, kind: str, namespace: str, name: str) -> bool:
        return (kind, namespace, name) in self.provided or (kind, "*", name) in self.provided


def nearest_objects(referrer: K8sObject, objects: list[K8sObject]) -> list[K8sObject]:
    """The objects whose directory shares the longest prefix with the referrer's."""
    if len(objects) < 2:
        return objects
    here = _location(referrer)[:-1]
    scores = [_closeness(here, _location(o)[:-1]) for o in objects]
    best = max(scores)
    return [o for o, score in zip(objects, scores, strict=True) if score == best]


def _location(obj: K8sObject) -> list[str]:
    """Path parts of where the object is written, the last one standing for the file.
    Rendered output (a kustomize overlay, a Helm chart profile) sits in its overlay's
    or chart's directory, one "file" per render group, so that objects of one overlay
    are nearer each other than those of a sibling overlay."""
    group = render_group(obj)
    if group is not None:
        kind, _, rest = group.partition(":")
        where = rest.rpartition("@")[0] if kind == "helm" and "@" in rest else rest
        return os.path.abspath(where or ".").split(os.sep) + [f"[{group}]"]
    return (obj.source.absolute or os.path.abspath(obj.source.path)).split(os.sep)


def render_group(obj: K8sObject) -> str | None:
    """The render group of an object rendered from a chart or overlay (None for
    objects written as they are)."""
    group = getattr(obj.source, "group", None)
    return group if isinstance(group, str) and group else None


def _closeness(a: list[str], b: list[str]) -> int:
    """How many leading path parts two files share (the file name included)."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def cross_index(ctx: RuleContext) -> CrossIndex:
    """The run's cross-resource index (built on first use, shared by all rules)."""
    return ctx.cache("kubelint:cross-index", lambda: CrossIndex(ctx.workspace, ctx.settings).build())


def related(obj: K8sObject, path: Path, message: str, *, key: bool = False) -> Related:
    """A pointer to the other side of a mismatch."""
    return Related(message, obj.source.path, obj.span(path, key=key))


def describe_labels(labels: Mapping[str, str], limit: int = 3) -> str:
    items = [f"{k}={v}" for k, v in labels.items()]
    text = ",".join(items[:limit])
    return text + (",..." if len(items) > limit else "") if items else "no labels"


def names(items: Iterable[str]) -> str:
    listed = sorted(set(items))
    return ", ".join(listed) if listed else "none"
