"""Where a webhook may be sent: resolve the host once, refuse internal addresses, pin the result.

Server-side request forgery is the risk of letting admins type a URL the server will call: a URL
naming (or resolving to) the server itself, the private network or a cloud metadata service would
turn Learnloop into a proxy into places its users can't reach. So a target is resolved here, every
address it resolves to is checked, and the connection is then made to the checked address (the
host name still goes in the Host header and TLS SNI), so a second DNS answer can't swap it.

Refused unless allowed: anything that is not a public unicast address: loopback, private (10/8,
172.16/12, 192.168/16, fc00::/7 unique-local), link-local (169.254/16 with the metadata service
169.254.169.254, fe80::/10), shared (100.64/10), multicast, unspecified, reserved and documentation
ranges, IPv4-mapped and NAT64/6to4/Teredo forms of any of these (fd00:ec2::254, the IPv6
metadata address, is unique-local). `LEARNLOOP_WEBHOOK_ALLOW` lists CIDRs or host names that are
allowed anyway, for on-premises receivers.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class TargetRefused(ValueError):
    """The URL may not be called; the message says why in words an admin understands."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written (lower case, no brackets): goes in Host and SNI
    port: int
    path: str  # path and query
    address: str  # the checked address to connect to


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4, Teredo), if any."""
    if address.version != 6:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def why_internal(address: IPAddress) -> str | None:
    """Why this address is not a public one (None when it is)."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        reason = why_internal(embedded)
        return f"{reason} (inside the IPv6 address {address})" if reason else None
    if address in METADATA:
        return "a cloud metadata address"
    for label, test in (
        ("a loopback address", address.is_loopback),
        ("an unspecified address", address.is_unspecified),
        ("a link-local address", address.is_link_local),
        ("a multicast address", address.is_multicast),
        ("a private address", address.is_private),
        ("a reserved address", address.is_reserved),
    ):
        if test:
            return label
    if not address.is_global:
        return "not a public address"
    return None


def _allow_list() -> tuple[list, set[str]]:
    networks, hosts = [], set()
    for item in settings.WEBHOOK_ALLOW:
        try:
            networks.append(ipaddress.ip_network(item.strip("[]"), strict=False))
        except ValueError:
            hosts.add(item.lower().rstrip("."))
    return networks, hosts


def check_address(address: IPAddress, *, host: str) -> None:
    networks, hosts = _allow_list()
    if host in hosts or any(address.version == net.version and address in net for net in networks):
        return
    reason = why_internal(address)
    if reason:
        shown = host if host == str(address) else f"{host} ({address})"
        raise TargetRefused(
            f"{shown} is {reason}: webhooks are not sent to internal addresses. "
            "An administrator can allow on-premises receivers with LEARNLOOP_WEBHOOK_ALLOW."
        )


def parse(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of an http(s) URL, or TargetRefused."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise TargetRefused(f"That is not a valid URL ({error}).") from None
    if parts.scheme not in {"http", "https"}:
        raise TargetRefused("Webhook URLs start with https:// (or http://).")
    if not parts.hostname:
        raise TargetRefused("The URL names no host.")
    if parts.username or parts.password:
        raise TargetRefused("Put no user name or password in the URL; receivers check the signature instead.")
    host = parts.hostname.lower().rstrip(".")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path


def resolve(url: str) -> Target:
    """Resolve and check the URL's host. Every address it resolves to must be allowed (a name with
    one public and one loopback address is refused), and the first is the one to connect to."""
    scheme, host, port, path = parse(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise TargetRefused(f"The host {host} could not be resolved ({error}).") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise TargetRefused(f"The host {host} has no address.")
    checked = []
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        check_address(address, host=host)
        checked.append(address)
    return Target(scheme=scheme, host=host, port=port, path=path, address=str(checked[0]))
