"""The client address of a request: the direct peer unless that peer is a trusted proxy.

With trusted reverse proxies (``SHOPBOT_TRUSTED_PROXIES``, CIDRs), ``X-Forwarded-For`` is walked
from the right, skipping trusted hops, and the first untrusted address is the client; anyone
else's forwarded header is ignored, so a visitor cannot choose the address they are counted
under. The web app's request limits and the console's login limits both count by it, so it
lives here, below both.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c.strip())


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in net for net in networks)


def client_address(peer: str, forwarded_for: str | None, networks: tuple[Network, ...]) -> str:
    """The client's address: X-Forwarded-For believed only as far as trusted proxies reach.

    Walks the header from the right (the hop our proxy added) and stops at the first address
    that is not a trusted proxy; the untrusted left part could be anything a client sent.
    """
    if not forwarded_for or not _trusted(peer, networks):
        return peer
    address = peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:  # garbage or an obfuscated id: the last trusted hop is all we know
            return address
        address = hop
        if not _trusted(hop, networks):
            break
    return address


def scope_client(scope: Scope, networks: tuple[Network, ...]) -> str:
    """The client address of an ASGI request behind ``networks`` (the trusted proxies)."""
    peer = (scope.get("client") or ("unknown", 0))[0]
    values = [v.decode("latin-1") for k, v in scope.get("headers") or [] if k == b"x-forwarded-for"]
    return client_address(peer, ",".join(values), networks)
