"""KL606-KL611, KL615-KL616: pods that share the node's namespaces or mount its filesystem.

Severities: warnings, like the other hardening rules (kube-linter reports them by
default; Polaris rates hostPID/hostIPC "danger" and hostNetwork "warning").  A
DaemonSet of a node agent may need them: suppress per object with the
`kubelint.io/ignore` annotation and say why.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from typing import Any

from kubelint.k8s import WORKLOAD_KINDS, as_list, as_mapping, iter_containers, pod_spec
from kubelint.model import Format, K8sObject, Severity, Violation
from kubelint.positions import Path
from kubelint.rule import CheckFunction, Option, Rule, RuleContext, rule
from kubelint.security_context import is_true

SENSITIVE_HOST_PATHS = (
    "/",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/proc",
    "/sys",
    "/usr",
    "/root",
    "/var/lib/kubelet",
    "/etc/kubernetes",
    "/var/lib/docker",
    "/var/lib/containerd",
)
RUNTIME_SOCKETS = (
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "cri-dockerd.sock",
    "dockershim.sock",
    "podman.sock",
)


def _host_rule(
    *,
    id: str,
    name: str,
    security_severity: float,
    default_enabled: bool = True,
    options: dict[str, Option] | None = None,
) -> Callable[[CheckFunction], Rule]:
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


def _host_namespace(obj: K8sObject, field: str, what: str) -> Iterator[Violation]:
    found = pod_spec(obj)
    if found is None:
        return
    path, spec = found
    if is_true(spec.get(field)):
        yield Violation(
            path + (field,), f"the pod shares the node's {what} ({field}: true)", fix=f"remove {field}"
        )


@_host_rule(id="KL606", name="host-network", security_severity=6.0)
def host_network(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports pods with `hostNetwork: true`.

    Severity: warning.

    ## Why is this bad?
    The pod sees every interface of the node, can bind any of its ports and
    bypasses NetworkPolicies; two replicas on one node clash on their ports.

    ## Example
    ```yaml
    spec:
      hostNetwork: true
    ```

    ## Use instead
    ```yaml
    spec:
      containers:
        - name: web
          ports: [{containerPort: 8080}]   # and a Service in front
    ```
    """
    yield from _host_namespace(obj, "hostNetwork", "network namespace")


@_host_rule(id="KL607", name="host-pid", security_severity=7.0)
def host_pid(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports pods with `hostPID: true`.

    Severity: warning (Polaris: danger).

    ## Why is this bad?
    The pod sees (and, as root, can signal or ptrace) every process of the node,
    including other pods' and the kubelet's, and reads their environments.

    ## Example
    ```yaml
    spec:
      hostPID: true
    ```

    ## Use instead
    ```yaml
    spec:
      shareProcessNamespace: true   # if it only needs its own pod's processes
    ```
    """
    yield from _host_namespace(obj, "hostPID", "process namespace")


@_host_rule(id="KL608", name="host-ipc", security_severity=6.0)
def host_ipc(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports pods with `hostIPC: true`.

    Severity: warning (Polaris: danger).

    ## Why is this bad?
    The pod shares the node's System V IPC and POSIX shared memory with every
    process on the node, and can read or corrupt it.

    ## Example
    ```yaml
    spec:
      hostIPC: true
    ```

    ## Use instead
    ```yaml
    spec:
      volumes:
        - {name: shm, emptyDir: {medium: Memory}}   # shared memory within the pod
    ```
    """
    yield from _host_namespace(obj, "hostIPC", "IPC namespace")


def _normalise(path: str) -> str:
    return posixpath.normpath(path.strip()) if path.strip() else ""


def _mounted_host_paths(obj: K8sObject) -> Iterator[tuple[Path, str, list[tuple[str, bool]]]]:
    """(path of hostPath.path, the host path, [(container description, read-only)])
    for every hostPath volume that some container mounts."""
    found = pod_spec(obj)
    if found is None:
        return
    spec_path, spec = found
    mounts: dict[str, list[tuple[str, bool]]] = {}
    for c in iter_containers(obj, init=True, ephemeral=True):
        for m in as_list(c.data.get("volumeMounts")):
            if isinstance(m, dict) and isinstance(m.get("name"), str):
                mounts.setdefault(m["name"], []).append((c.describe, is_true(m.get("readOnly"))))
    for i, volume in enumerate(as_list(spec.get("volumes"))):
        if not isinstance(volume, dict):
            continue
        host_path: Any = as_mapping(volume.get("hostPath")).get("path")
        name = volume.get("name")
        if not isinstance(host_path, str) or not isinstance(name, str) or name not in mounts:
            continue
        yield (*spec_path, "volumes", i, "hostPath", "path"), host_path, mounts[name]


def _is_runtime_socket(path: str) -> bool:
    return posixpath.basename(path) in RUNTIME_SOCKETS


@_host_rule(
    id="KL609",
    name="sensitive-host-path",
    security_severity=7.0,
    options={"paths": Option(list(SENSITIVE_HOST_PATHS), "host directories that must not be mounted")},
)
def sensitive_host_path(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a `hostPath` volume, mounted by a container, whose path is one of the
    node's system directories: `/`, `/boot`, `/dev`, `/etc`, `/lib`, `/proc`,
    `/sys`, `/usr`, `/root`, `/var/lib/kubelet`, `/etc/kubernetes`,
    `/var/lib/docker`, `/var/lib/containerd` (option `paths`; exact paths, after
    removing a trailing `/`).  Volumes no container mounts are not reported.
    Container runtime sockets are KL610.

    Severity: warning (kube-linter `sensitive-host-mounts`).

    ## Why is this bad?
    These directories hold the node's credentials, binaries and kernel
    interfaces: a container that can write them can take over the node, and one
    that can read them can read every pod's secrets.

    ## Example
    ```yaml
    volumes:
      - name: host-etc
        hostPath: {path: /etc}
    ```

    ## Use instead
    ```yaml
    volumes:
      - name: config
        configMap: {name: app-config}
    ```
    """
    sensitive = {_normalise(str(p)) for p in ctx.options.get("paths", SENSITIVE_HOST_PATHS)}
    for path, host_path, users in _mounted_host_paths(obj):
        if _normalise(host_path) in sensitive:
            who = ", ".join(sorted({u for u, _ in users}))
            yield Violation(path, f"host directory {host_path} is mounted into {who}", fix="do not mount it")


@_host_rule(id="KL610", name="container-runtime-socket-mount", security_severity=9.0)
def container_runtime_socket_mount(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a `hostPath` volume, mounted by a container, that is a container
    runtime socket: `docker.sock`, `containerd.sock`, `crio.sock`,
    `cri-dockerd.sock`, `dockershim.sock`, `podman.sock` (in any directory).

    Severity: warning, like the other hardening rules (it is the most severe of
    them: raise it with `severity: {KL610: error}`).

    ## Why is this bad?
    Whoever talks to the runtime socket can start a privileged container on the
    node: it is root on the node, whatever the pod's security context says.

    ## Example
    ```yaml
    volumes:
      - name: docker
        hostPath: {path: /var/run/docker.sock}
    ```

    ## Use instead
    Build images with a rootless builder (BuildKit rootless, kaniko) and read
    container metadata from the Kubernetes API instead of the runtime.
    """
    for path, host_path, users in _mounted_host_paths(obj):
        if _is_runtime_socket(_normalise(host_path)):
            who = ", ".join(sorted({u for u, _ in users}))
            yield Violation(
                path,
                f"the container runtime socket {host_path} is mounted into {who}",
                fix="do not mount the runtime socket",
            )


@_host_rule(id="KL611", name="writable-host-path", security_severity=5.0, default_enabled=False)
def writable_host_path(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a `hostPath` volume that a container mounts without
    `readOnly: true`.  Off by default: node agents (log shippers, CSI drivers)
    legitimately write host paths.

    Severity: warning (kube-linter `writable-host-mount`).

    ## Why is this bad?
    A container that can write to the node's filesystem can leave files behind
    for other pods or for the node itself to run.

    ## Example
    ```yaml
    volumeMounts:
      - {name: logs, mountPath: /var/log/host}
    ```

    ## Use instead
    ```yaml
    volumeMounts:
      - {name: logs, mountPath: /var/log/host, readOnly: true}
    ```
    """
    for path, host_path, users in _mounted_host_paths(obj):
        writers = sorted({who for who, read_only in users if not read_only})
        if writers:
            yield Violation(
                path,
                f"host path {host_path} is mounted writable into {', '.join(writers)}",
                fix="mount it with readOnly: true",
            )


@_host_rule(id="KL615", name="host-path-volume", security_severity=5.0, default_enabled=False)
def host_path_volume(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports every `hostPath` volume of a pod, mounted or not (the baseline Pod
    Security Standard forbids them all; Polaris `hostPathSet`).  Off by default:
    KL609 and KL610 already report the dangerous paths, and node agents need
    some host paths.

    Severity: warning.

    ## Why is this bad?
    A hostPath ties the pod to one node's filesystem layout and gives it access
    outside its sandbox; data written there outlives the pod and is shared with
    whatever else runs on the node.

    ## Example
    ```yaml
    volumes:
      - name: data
        hostPath: {path: /srv/data}
    ```

    ## Use instead
    ```yaml
    volumes:
      - name: data
        persistentVolumeClaim: {claimName: data}
    ```
    """
    found = pod_spec(obj)
    if found is None:
        return
    spec_path, spec = found
    for i, volume in enumerate(as_list(spec.get("volumes"))):
        if not isinstance(volume, dict) or not isinstance(volume.get("hostPath"), dict):
            continue
        host_path = volume["hostPath"].get("path")
        yield Violation(
            (*spec_path, "volumes", i, "hostPath"),
            f'volume "{volume.get("name", i)}" mounts the host path {host_path}',
            key=True,
            fix="use a PersistentVolumeClaim, emptyDir, ConfigMap or Secret",
        )


SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
        "net.ipv4.tcp_rmem",
        "net.ipv4.tcp_wmem",
    }
)


@_host_rule(
    id="KL616",
    name="unsafe-sysctl",
    security_severity=5.0,
    options={"allowed": Option([], "further sysctls your kubelets allow (--allowed-unsafe-sysctls)")},
)
def unsafe_sysctl(obj: K8sObject, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports `spec.securityContext.sysctls` entries outside Kubernetes' safe set
    (`kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
    `net.ipv4.ip_unprivileged_port_start`, `net.ipv4.tcp_syncookies`,
    `net.ipv4.ping_group_range`, `net.ipv4.ip_local_reserved_ports`, the
    `net.ipv4.tcp_keepalive_*`, `tcp_fin_timeout`, `tcp_rmem` and `tcp_wmem`
    ones).  Option `allowed` adds the sysctls your kubelets enable with
    `--allowed-unsafe-sysctls`.

    Severity: warning (kube-linter `unsafe-sysctls`; the baseline Pod Security
    Standard forbids them).

    ## Why is this bad?
    Unsafe sysctls are not fully namespaced: they can affect other pods on the
    node or the node itself.  Kubelets reject such pods (`SysctlForbidden`)
    unless explicitly configured to allow them.

    ## Example
    ```yaml
    securityContext:
      sysctls:
        - {name: kernel.sem, value: "250 32000 100 128"}
    ```

    ## Use instead
    ```yaml
    securityContext:
      sysctls:
        - {name: net.ipv4.ip_local_port_range, value: "1024 65000"}
    ```
    """
    found = pod_spec(obj)
    if found is None:
        return
    spec_path, spec = found
    allowed = SAFE_SYSCTLS | {str(a) for a in ctx.options.get("allowed", [])}
    sysctls = as_list(as_mapping(spec.get("securityContext")).get("sysctls"))
    for i, entry in enumerate(sysctls):
        name = as_mapping(entry).get("name")
        if isinstance(name, str) and name and name.replace("/", ".") not in allowed:
            yield Violation(
                (*spec_path, "securityContext", "sysctls", i, "name"),
                f'the pod sets the unsafe sysctl "{name}"',
                fix="remove it (or allow it on the kubelets and in the option `allowed`)",
            )


RULES = (
    host_network,
    host_pid,
    host_ipc,
    sensitive_host_path,
    container_runtime_socket_mount,
    writable_host_path,
    host_path_volume,
    unsafe_sysctl,
)
