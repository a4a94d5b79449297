"""Compose shapes rules share: services, published ports, environment entries."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kubelint.model import ComposeFile
from kubelint.positions import Path


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    path: Path  # ("services", name)
    data: Mapping[str, Any]


def iter_services(compose: ComposeFile) -> Iterator[Service]:
    for name, data in compose.services.items():
        if isinstance(data, dict):
            yield Service(str(name), ("services", name), data)


class PortSyntaxError(ValueError):
    """A port mapping Compose would reject."""


@dataclass(frozen=True, slots=True)
class PublishedPort:
    """A host port range a service publishes (host_start..host_end inclusive)."""

    host_ip: str  # "" means every address
    host_start: int
    host_end: int
    protocol: str

    def overlaps(self, other: PublishedPort) -> bool:
        if self.protocol != other.protocol:
            return False
        if self.host_ip and other.host_ip and not _same_ip(self.host_ip, other.host_ip):
            return False
        return self.host_start <= other.host_end and other.host_start <= self.host_end

    def describe(self) -> str:
        ports = (
            str(self.host_start) if self.host_start == self.host_end else f"{self.host_start}-{self.host_end}"
        )
        where = f"{self.host_ip}:" if self.host_ip else ""
        return f"{where}{ports}/{self.protocol}"


_WILDCARDS = frozenset({"", "0.0.0.0", "::", "[::]"})


def _same_ip(a: str, b: str) -> bool:
    a, b = a.strip("[]"), b.strip("[]")
    if a in _WILDCARDS or b in _WILDCARDS or a == "::" or b == "::":
        return True
    return a == b


_RANGE_RE = re.compile(r"^([0-9]{1,9})(?:-([0-9]{1,9}))?$")
_PROTOCOLS = ("tcp", "udp", "sctp")


def _port_range(text: str, what: str, lowest: int = 1) -> tuple[int, int]:
    match = _RANGE_RE.match(text)
    if not match:
        raise PortSyntaxError(f"{what} {text!r} is not a port number or range")
    start = int(match.group(1))
    end = int(match.group(2)) if match.group(2) else start
    for p in (start, end):
        if not lowest <= p <= 65535:
            raise PortSyntaxError(f"{what} {p} is out of range (1-65535)")
    if end < start:
        raise PortSyntaxError(f"{what} range {text!r} ends before it starts")
    return start, end


def parse_short_port(spec: Any) -> PublishedPort | None:
    """Parse `[HOST_IP:][HOST_PORT[-R]:]CONTAINER_PORT[-R][/PROTO]`.

    Returns the published host range, None when nothing is published on a fixed
    host port (container port only, or an ephemeral host port), and raises
    PortSyntaxError for what Compose rejects.
    """
    if isinstance(spec, bool) or not isinstance(spec, (str, int)):
        raise PortSyntaxError(f"a port must be a string or a number, not {type(spec).__name__}")
    text = str(spec).strip()
    protocol = "tcp"
    if "/" in text:
        text, _, protocol = text.rpartition("/")
        if protocol not in _PROTOCOLS:
            raise PortSyntaxError(f"unknown protocol {protocol!r} (use tcp, udp or sctp)")
    host_ip = ""
    if text.startswith("["):  # [ipv6]:host:container
        end = text.find("]")
        if end < 0:
            raise PortSyntaxError(f"unclosed IPv6 address in {spec!r}")
        host_ip = text[1:end]
        text = text[end + 1 :].lstrip(":")
        parts = text.split(":")
        if len(parts) == 1:
            parts = ["", parts[0]]
    else:
        parts = text.split(":")
        if len(parts) == 3:
            host_ip = parts[0]
            parts = parts[1:]
        elif len(parts) > 3:  # an IPv6 address without brackets (::1:8080:80)
            host_ip = ":".join(parts[:-2])
            parts = parts[-2:]
    if len(parts) == 1:
        _port_range(parts[0], "container port")
        return None
    host, container = parts
    c_start, c_end = _port_range(container, "container port")
    if not host:
        return None
    h_start, h_end = _port_range(host, "host port", lowest=0)
    if h_start == h_end == 0:  # 0: any free port, like an empty host port
        return None
    if h_end - h_start != c_end - c_start and h_start != h_end:
        raise PortSyntaxError(f"host range {host} and container range {container} have different sizes")
    return PublishedPort(host_ip, h_start, h_end, protocol)


def parse_long_port(spec: Mapping[str, Any]) -> PublishedPort | None:
    published = spec.get("published")
    if published in (None, ""):
        return None
    protocol = str(spec.get("protocol") or "tcp")
    start, end = _port_range(str(published), "published port")
    return PublishedPort(str(spec.get("host_ip") or ""), start, end, protocol)


def iter_published_ports(service: Service) -> Iterator[tuple[Path, PublishedPort]]:
    """Every fixed host port a service publishes (skipping what cannot be read,
    including values still holding `${...}` interpolation)."""
    ports = service.data.get("ports")
    if not isinstance(ports, list):
        return
    for i, spec in enumerate(ports):
        path = service.path + ("ports", i)
        try:
            if isinstance(spec, dict):
                if "$" in str(spec.get("published", "")):
                    continue
                port = parse_long_port(spec)
            else:
                if isinstance(spec, str) and "$" in spec:
                    continue
                port = parse_short_port(spec)
        except PortSyntaxError:
            continue
        if port is not None:
            yield path, port


@dataclass(frozen=True, slots=True)
class EnvEntry:
    path: Path  # path of the value (map form) or of the list item (list form)
    name: str
    value: Any  # None when only the name is given (taken from the shell)
    key_form: bool  # map form: the finding can sit on the key


def iter_environment(service: Service) -> Iterator[EnvEntry]:
    env = service.data.get("environment")
    base = service.path + ("environment",)
    if isinstance(env, dict):
        for name, value in env.items():
            yield EnvEntry(base + (name,), str(name), value, True)
    elif isinstance(env, list):
        for i, item in enumerate(env):
            if not isinstance(item, str):
                continue
            name, sep, value = item.partition("=")
            yield EnvEntry(base + (i,), name.strip(), value if sep else None, False)
