"""KL520: two Compose services publishing the same host port."""

from __future__ import annotations

from collections.abc import Iterator

from kubelint.compose import PublishedPort, iter_published_ports, iter_services
from kubelint.model import ComposeFile, Format, Related, Severity, Violation
from kubelint.positions import Path
from kubelint.rule import RuleContext, rule


@rule(
    id="KL520",
    name="host-port-clash",
    severity=Severity.ERROR,
    applies_to=(Format.COMPOSE,),
    category="ports",
)
def host_port_clash(obj: ComposeFile, ctx: RuleContext) -> Iterator[Violation]:
    """
    ## What it does
    Reports a host port that two services of a Compose file publish, taking the
    protocol (tcp/udp/sctp), the host IP (`127.0.0.1:5000` and `0.0.0.0:5000`
    clash; `127.0.0.1` and `127.0.0.2` do not) and port ranges into account.
    Each clash is reported on the later service, naming the earlier one.

    ## Why is this bad?
    The second container fails to start: "Bind for 0.0.0.0:5000 failed: port is
    already allocated".

    ## Example
    ```yaml
    services:
      web: {image: web:1.0, ports: ["5000:5000"]}
      api: {image: api:1.0, ports: ["5000:8000"]}
    ```

    ## Use instead
    ```yaml
    services:
      web: {image: web:1.0, ports: ["5000:5000"]}
      api: {image: api:1.0, ports: ["5001:8000"]}
    ```
    """
    seen: list[tuple[str, Path, PublishedPort]] = []
    for service in iter_services(obj):
        for path, port in iter_published_ports(service):
            for other_name, other_path, other in seen:
                if other_name == service.name or not port.overlaps(other):
                    continue
                span = obj.span(other_path)
                yield Violation(
                    path,
                    f"host port {port.describe()} is also published by service "
                    f'"{other_name}" (line {span.line})',
                    fix="publish a different host port",
                    related=(
                        Related(
                            f'service "{other_name}" publishes {other.describe()}',
                            obj.source.path,
                            span,
                        ),
                    ),
                    fingerprint=f"{service.name}/{port.describe()}/{other_name}",
                )
                break
            seen.append((service.name, path, port))


RULES = (host_port_clash,)
