"""KL600-KL605, KL612-KL614, KL617-KL618: container security context.

Severities: these are hardening rules, so they are warnings (what kube-linter's
defaults, kube-score's and Polaris' "warning" level lead users to expect); none of
them makes a manifest invalid.  Every container counts (regular, init and
ephemeral ones): the Pod Security Standards apply to all of them, and an init
container running privileged is as much of a risk as a long-running one.
Pod-level settings (`spec.securityContext.runAsNonRoot`, `runAsUser`,
`seccompProfile`) are inherited by containers that set none; a container's own
value wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from kubelint.k8s import WORKLOAD_KINDS, Container, as_mapping, iter_containers
from kubelint.model import Format, K8sObject, Severity, Violation
from kubelint.rule import CheckFunction, Option, Rule, RuleContext, rule
from kubelint.security_context import PodSecurity, as_int, is_false, is_true, pod_security

# Capabilities the Pod Security Standards' baseline profile allows to add.
BASELINE_CAPABILITIES = (
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
)


# What container runtimes grant by default (containerd, CRI-O, Docker).
RUNTIME_DEFAULT_CAPABILITIES = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "NET_RAW",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)


def _misplaced_hint(pod: PodSecurity, field: str) -> str:
    if pod.misplaced_in_pod(field):
        return f" (the pod-level securityContext.{field} has no effect: it is a container setting)"
    return ""


def _containers(obj: K8sObject) -> Iterator[tuple[PodSecurity, Container]]:
    pod = pod_security(obj)
    if pod is None:
        return
    for c in iter_containers(obj, init=True, ephemeral=True):
        yield pod, c


def _linux_containers(obj: K8sObject) -> Iterator[tuple[PodSecurity, Container]]:
    """Containers of pods that are not Windows pods (Linux-only settings)."""
    for pod, c in _containers(obj):
        if not pod.is_windows():
            yield pod, c


def _security_rule(
    *,
    id: str,
    name: str,
    security_severity: float,
    default_enabled: bool = True,
    options: dict[str, Option] | None = None,
) -> Callable[[CheckFunction], Rule]:
    """Hardening rules: warnings on every workload kind."""
    return rule(
        id=id,
        name=name,
        severity=Severity.WARNING,
        applies_to=(Format.KUBERNETES,),
        kinds=WORKLOAD_KINDS,
        category="security",
        security_severity=security_severity,
        default_enabled=default_enabled,
        options=options,
    )


@_security_rule(id="KL600", name="privileged-container", security_severity=9.0)
def privileged_container(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports containers (init and ephemeral ones included) with
    `securityContext.privileged: true`.

    Severity: warning, like every hardening rule (Polaris rates it "danger";
    raise it with `severity: {KL600: error}`).

    ## Why is this bad?
    A privileged container has every capability and access to all host devices:
    a process that escapes it owns the node.  The Pod Security Standards'
    baseline profile forbids it.

    ## Example
    ```yaml
    securityContext:
      privileged: true
    ```

    ## Use instead
    ```yaml
    securityContext:
      privileged: false
      capabilities:
        add: [NET_ADMIN]   # only the capability the workload needs
    ```
    """
    for _, c in _containers(obj):
        value = as_mapping(c.data.get("securityContext")).get("privileged")
        if is_true(value):
            yield Violation(
                c.path + ("securityContext", "privileged"),
                f"{c.describe} runs privileged",
                fix="remove privileged: true; add only the capabilities it needs",
            )


@_security_rule(
    id="KL601",
    name="privilege-escalation-allowed",
    security_severity=7.0,
    options={
        "flag-unset": Option(
            True, "also report containers that leave allowPrivilegeEscalation unset (it defaults to true)"
        )
    },
)
def privilege_escalation_allowed(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports containers whose `securityContext.allowPrivilegeEscalation` is `true`,
    or (option `flag-unset`, on by default) not set to `false`: the Linux default
    lets a process gain privileges through set-user-ID binaries.  Windows pods are
    not judged.  Set `flag-unset: false` to report only an explicit `true`
    (kube-linter's reading).

    Severity: warning (a hardening rule; Polaris: danger, kube-linter: default check).

    ## Why is this bad?
    A compromised process can become root inside the container through a setuid
    binary, which is the first step of most container escapes.  The Pod Security
    Standards' restricted profile requires `false`.

    ## Example
    ```yaml
    containers:
      - name: api
        image: example/api:1.4.2
    ```

    ## Use instead
    ```yaml
    containers:
      - name: api
        image: example/api:1.4.2
        securityContext:
          allowPrivilegeEscalation: false
    ```
    """
    flag_unset = ctx.options.get("flag-unset", True)
    for pod, c in _linux_containers(obj):
        setting = pod.setting(c, "allowPrivilegeEscalation")
        if is_true(setting.value):
            yield Violation(
                setting.path,
                f"{c.describe} allows privilege escalation",
                fix="set securityContext.allowPrivilegeEscalation: false",
            )
        elif flag_unset and not is_false(setting.value):
            yield Violation(
                setting.path,
                f"{c.describe} does not set allowPrivilegeEscalation: false (it defaults to true)"
                + _misplaced_hint(pod, "allowPrivilegeEscalation"),
                key=setting.path[-1] == "securityContext",
                fix="set securityContext.allowPrivilegeEscalation: false",
            )


@_security_rule(id="KL602", name="run-as-root", security_severity=6.0)
def run_as_root(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports containers that may run as root: `runAsUser: 0`, or neither
    `runAsNonRoot: true` nor a non-zero `runAsUser`, looking at the container's
    `securityContext` and then the pod's (which containers inherit).  Windows pods
    are not judged.

    Severity: warning (kube-linter's `run-as-non-root` and Polaris'
    `runAsRootAllowed` are on by default with the same meaning).

    ## Why is this bad?
    Most images run as root unless told otherwise.  Root in a container is root
    on the node's kernel: a container escape or a writable host mount becomes a
    node compromise.

    ## Example
    ```yaml
    spec:
      containers:
        - name: api
          image: example/api:1.4.2
    ```

    ## Use instead
    ```yaml
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
      containers:
        - name: api
          image: example/api:1.4.2
    ```
    """
    for pod, c in _linux_containers(obj):
        user = pod.setting(c, "runAsUser")
        non_root = pod.setting(c, "runAsNonRoot")
        uid = as_int(user.value)
        if uid == 0:
            yield Violation(
                user.path, f"{c.describe} runs as root (runAsUser: 0)", fix="use a non-zero runAsUser"
            )
            continue
        if is_true(non_root.value) or (uid is not None and uid > 0):
            continue
        if non_root.written:
            message = f"{c.describe} sets runAsNonRoot: false and no non-zero runAsUser"
        else:
            message = f"{c.describe} may run as root: neither runAsNonRoot: true nor a non-zero runAsUser"
        yield Violation(
            non_root.path,
            message,
            key=non_root.path[-1] == "securityContext",
            fix="set runAsNonRoot: true (and runAsUser) in the pod or container securityContext",
        )


@_security_rule(id="KL603", name="writable-root-filesystem", security_severity=4.0)
def writable_root_filesystem(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports containers without `securityContext.readOnlyRootFilesystem: true`
    (a container-only setting: the pod cannot set it).  Windows pods are not judged.

    Severity: warning (kube-linter's `no-read-only-root-fs`, kube-score's and
    Polaris' checks report the same).

    ## Why is this bad?
    An attacker who gets code execution can write tools and modify binaries in a
    writable root filesystem, and the container's state drifts from its image.

    ## Example
    ```yaml
    containers:
      - name: api
        image: example/api:1.4.2
    ```

    ## Use instead
    ```yaml
    containers:
      - name: api
        image: example/api:1.4.2
        securityContext:
          readOnlyRootFilesystem: true
        volumeMounts:
          - {name: tmp, mountPath: /tmp}   # an emptyDir for what must be written
    ```
    """
    for pod, c in _linux_containers(obj):
        setting = pod.setting(c, "readOnlyRootFilesystem")
        if is_true(setting.value):
            continue
        yield Violation(
            setting.path,
            f"{c.describe} has a writable root filesystem" + _misplaced_hint(pod, "readOnlyRootFilesystem"),
            key=setting.path[-1] == "securityContext",
            fix="set securityContext.readOnlyRootFilesystem: true (mount an emptyDir where it writes)",
        )


@_security_rule(
    id="KL604",
    name="dangerous-capability-added",
    security_severity=7.0,
    options={
        "allowed-capabilities": Option(
            list(BASELINE_CAPABILITIES),
            "capabilities that may be added (default: those the baseline Pod Security Standard allows)",
        )
    },
)
def dangerous_capability_added(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports each capability in `securityContext.capabilities.add` that the
    baseline Pod Security Standard does not allow: `ALL`, `SYS_ADMIN`,
    `NET_ADMIN`, `NET_RAW`, `SYS_PTRACE`, `SYS_MODULE`, ...  Allowed by default:
    AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,
    NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT (option
    `allowed-capabilities`).  `CAP_`-prefixed and lower-case names are recognised.

    Severity: warning (Polaris: danger for SYS_ADMIN/NET_ADMIN/ALL).

    ## Why is this bad?
    `SYS_ADMIN` is nearly root on the node; `NET_RAW` allows ARP and DNS
    spoofing of other pods; `SYS_PTRACE` reads other processes' memory.

    ## Example
    ```yaml
    securityContext:
      capabilities:
        add: [SYS_ADMIN]
    ```

    ## Use instead
    ```yaml
    securityContext:
      capabilities:
        drop: [ALL]
        add: [NET_BIND_SERVICE]
    ```
    """
    allowed = {str(c).upper().removeprefix("CAP_") for c in ctx.options.get("allowed-capabilities", [])}
    for pod, c in _containers(obj):
        for path, cap in pod.capabilities(c, "add"):
            if cap not in allowed:
                yield Violation(path, f"{c.describe} adds the capability {cap}", fix="do not add it")


@_security_rule(
    id="KL605",
    name="capabilities-not-dropped",
    security_severity=4.0,
    default_enabled=False,
    options={"required-drops": Option(["ALL"], "capabilities every container must drop (ALL covers all)")},
)
def capabilities_not_dropped(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports containers that do not drop the capabilities of option
    `required-drops` (default `ALL`, as the restricted Pod Security Standard
    requires; dropping `ALL` satisfies any list, e.g. `[NET_RAW]`, and so does
    dropping each of the 14 capabilities container runtimes grant by default:
    AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,
    NET_BIND_SERVICE, NET_RAW, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT).  Off by
    default: most images in the wild still need adjusting for it.  Windows pods
    are not judged.

    Severity: warning.

    ## Why is this bad?
    Containers start with the runtime's default capabilities (NET_RAW, SETUID,
    CHOWN, ...), which most processes never need and attackers like.

    ## Example
    ```yaml
    securityContext:
      runAsNonRoot: true
    ```

    ## Use instead
    ```yaml
    securityContext:
      runAsNonRoot: true
      capabilities:
        drop: [ALL]
    ```
    """
    required = [str(c).upper().removeprefix("CAP_") for c in ctx.options.get("required-drops", ["ALL"])]
    for pod, c in _linux_containers(obj):
        dropped = {cap for _, cap in pod.capabilities(c, "drop")}
        if "ALL" in dropped or dropped >= RUNTIME_DEFAULT_CAPABILITIES:
            continue  # dropping every capability the runtime grants is dropping ALL
        missing = [cap for cap in required if cap not in dropped]
        if not missing:
            continue
        context = as_mapping(c.data.get("securityContext"))
        if "capabilities" in context:
            path, key = (*c.path, "securityContext", "capabilities"), True
        elif "securityContext" in c.data:
            path, key = (*c.path, "securityContext"), True
        else:
            path, key = c.path, False
        yield Violation(
            path,
            f"{c.describe} does not drop {', '.join(missing)}" + _misplaced_hint(pod, "capabilities"),
            key=key,
            fix=f"add capabilities.drop: [{', '.join(missing)}]",
        )


_SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
_SECCOMP_CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/"


def _template_annotations(obj: K8sObject) -> tuple[tuple[str | int, ...], dict[str, object]]:
    from kubelint.k8s import dig, pod_template_path

    if obj.kind == "Pod":
        return ("metadata", "annotations"), dict(obj.annotations)
    base = pod_template_path(obj)
    if base is None:
        return (), {}
    return (*base, "metadata", "annotations"), dict(
        as_mapping(dig(obj.data, *base, "metadata", "annotations"))
    )


@_security_rule(id="KL612", name="seccomp-unconfined", security_severity=6.0)
def seccomp_unconfined(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a seccomp profile of type `Unconfined`: in the pod's
    `securityContext.seccompProfile` (when a container inherits it), in a
    container's, or in the legacy `seccomp.security.alpha.kubernetes.io/pod` and
    `container.seccomp.security.alpha.kubernetes.io/<name>` annotations.

    Severity: warning (the baseline Pod Security Standard forbids it).

    ## Why is this bad?
    Without seccomp every system call reaches the kernel, including the rarely
    used ones most kernel exploits go through.

    ## Example
    ```yaml
    securityContext:
      seccompProfile: {type: Unconfined}
    ```

    ## Use instead
    ```yaml
    securityContext:
      seccompProfile: {type: RuntimeDefault}
    ```
    """
    pod = pod_security(obj)
    if pod is None:
        return
    pod_profile = as_mapping(pod.context.get("seccompProfile"))
    inherits = []
    for c in iter_containers(obj, init=True, ephemeral=True):
        own = as_mapping(as_mapping(c.data.get("securityContext")).get("seccompProfile"))
        if own.get("type") == "Unconfined":
            yield Violation(
                (*c.path, "securityContext", "seccompProfile", "type"),
                f"{c.describe} runs without seccomp (Unconfined)",
                fix="use seccompProfile.type: RuntimeDefault",
            )
        elif not own.get("type"):
            inherits.append(c.name)
    if pod_profile.get("type") == "Unconfined" and inherits:
        yield Violation(
            (*pod.spec_path, "securityContext", "seccompProfile", "type"),
            f"the pod runs without seccomp (Unconfined) for {', '.join(repr(n) for n in inherits)}",
            fix="use seccompProfile.type: RuntimeDefault",
        )
    path, annotations = _template_annotations(obj)
    for key, value in annotations.items():
        if not isinstance(key, str) or not isinstance(value, str) or value.strip() != "unconfined":
            continue
        if key == _SECCOMP_POD_ANNOTATION or key.startswith(_SECCOMP_CONTAINER_ANNOTATION):
            yield Violation(
                (*path, key),
                f"annotation {key} turns seccomp off (unconfined)",
                fix="use securityContext.seccompProfile.type: RuntimeDefault",
            )


@_security_rule(
    id="KL613",
    name="missing-seccomp-profile",
    security_severity=4.0,
    default_enabled=False,
)
def missing_seccomp_profile(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports containers with no seccomp profile: neither their own
    `securityContext.seccompProfile` nor the pod's (nor a legacy seccomp
    annotation).  Off by default: the kubelet's `--seccomp-default` may already
    apply RuntimeDefault.  Windows pods are not judged.

    Severity: warning (the restricted Pod Security Standard requires a profile).

    ## Why is this bad?
    Without the kubelet's `--seccomp-default`, a container with no profile runs
    Unconfined.

    ## Example
    ```yaml
    spec:
      containers:
        - {name: api, image: example/api:1.4.2}
    ```

    ## Use instead
    ```yaml
    spec:
      securityContext:
        seccompProfile: {type: RuntimeDefault}
      containers:
        - {name: api, image: example/api:1.4.2}
    ```
    """
    _, annotations = _template_annotations(obj)
    if _SECCOMP_POD_ANNOTATION in annotations:
        return
    for pod, c in _linux_containers(obj):
        if f"{_SECCOMP_CONTAINER_ANNOTATION}{c.name}" in annotations:
            continue
        setting = pod.setting(c, "seccompProfile")
        if setting.written:
            continue
        yield Violation(
            setting.path,
            f"{c.describe} has no seccomp profile",
            key=setting.path[-1] == "securityContext",
            fix="set securityContext.seccompProfile.type: RuntimeDefault (pod or container)",
        )


@_security_rule(id="KL614", name="unmasked-proc-mount", security_severity=6.0)
def unmasked_proc_mount(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports containers with `securityContext.procMount: Unmasked`.

    Severity: warning (the baseline Pod Security Standard forbids it; kube-linter's
    `unsafe-proc-mount`).

    ## Why is this bad?
    The default `/proc` masks paths such as `/proc/kcore` and `/proc/sys`; an
    unmasked `/proc` exposes host kernel information and knobs to the container.

    ## Example
    ```yaml
    securityContext:
      procMount: Unmasked
    ```

    ## Use instead
    ```yaml
    securityContext:
      procMount: Default
    ```
    """
    for _, c in _containers(obj):
        if as_mapping(c.data.get("securityContext")).get("procMount") == "Unmasked":
            yield Violation(
                (*c.path, "securityContext", "procMount"),
                f"{c.describe} mounts /proc unmasked",
                fix="remove procMount (or use Default)",
            )


@_security_rule(
    id="KL617",
    name="low-user-id",
    security_severity=3.0,
    default_enabled=False,
    options={
        "min-user-id": Option(10000, "lowest acceptable runAsUser"),
        "min-group-id": Option(10000, "lowest acceptable runAsGroup"),
    },
)
def low_user_id(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports containers whose effective `runAsUser` or `runAsGroup` (the
    container's, else the pod's) is unset or below 10000 (options `min-user-id`,
    `min-group-id`), as kube-score's `container-security-context-user-group-id`
    does.  Off by default: it is a hardening policy, not a defect.  Windows pods
    are not judged.

    Severity: warning.

    ## Why is this bad?
    Low ids collide with users of the node (and of the image): a container
    escape lands as an existing host user with that user's file access.

    ## Example
    ```yaml
    securityContext:
      runAsUser: 1000
    ```

    ## Use instead
    ```yaml
    securityContext:
      runAsUser: 10001
      runAsGroup: 10001
    ```
    """
    limits = {
        "runAsUser": int(ctx.options.get("min-user-id", 10000)),
        "runAsGroup": int(ctx.options.get("min-group-id", 10000)),
    }
    for pod, c in _linux_containers(obj):
        for field, minimum in limits.items():
            setting = pod.setting(c, field)
            value = as_int(setting.value)
            if value is not None and value >= minimum:
                continue
            shown = "unset" if setting.value is None else str(setting.value)
            yield Violation(
                setting.path,
                f"{c.describe} runs with {field} {shown} (below {minimum})",
                key=setting.path[-1] == "securityContext",
                fix=f"set {field} to {minimum} or above",
            )


@_security_rule(id="KL618", name="windows-host-process", security_severity=9.0)
def windows_host_process(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports Windows containers that run as host processes:
    `securityContext.windowsOptions.hostProcess: true` on the container, or on the
    pod for every container that does not set it to `false` (reported once, at
    the pod's setting).

    Severity: warning, like the other hardening rules (Polaris `hostProcess`:
    danger; the baseline Pod Security Standard forbids it).

    ## Why is this bad?
    A HostProcess container runs directly on the Windows node with the node's
    network and filesystem, as a node user: it is the Windows equivalent of a
    privileged container with host namespaces.

    ## Example
    ```yaml
    securityContext:
      windowsOptions:
        hostProcess: true
    ```

    ## Use instead
    ```yaml
    securityContext:
      windowsOptions:
        runAsUserName: ContainerUser
    ```
    """
    pod = pod_security(obj)
    if pod is None:
        return
    pod_level = is_true(as_mapping(pod.context.get("windowsOptions")).get("hostProcess"))
    inherits = []
    for c in iter_containers(obj, init=True, ephemeral=True):
        own = as_mapping(as_mapping(c.data.get("securityContext")).get("windowsOptions"))
        if is_true(own.get("hostProcess")):
            yield Violation(
                (*c.path, "securityContext", "windowsOptions", "hostProcess"),
                f"{c.describe} runs as a Windows host process",
                fix="remove hostProcess: true",
            )
        elif own.get("hostProcess") is None:
            inherits.append(c.name)
    if pod_level and inherits:
        yield Violation(
            (*pod.spec_path, "securityContext", "windowsOptions", "hostProcess"),
            f"the pod runs {', '.join(repr(n) for n in inherits)} as Windows host processes",
            fix="remove hostProcess: true",
        )


RULES = (
    privileged_container,
    privilege_escalation_allowed,
    run_as_root,
    writable_root_filesystem,
    dangerous_capability_added,
    capabilities_not_dropped,
    seccomp_unconfined,
    missing_seccomp_profile,
    unmasked_proc_mount,
    low_user_id,
    windows_host_process,
)
