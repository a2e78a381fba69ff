"""The client's address, as the proxies the web server trusts tell it.

Why: behind a load balancer every request comes from the balancer's address;
counting failed logins by it would lock everyone out at once, and trusting any
X-Forwarded-For would let a client pick the address it is counted under. The
rule is gunicorn's and uvicorn's (WEB_FORWARDED_ALLOW_IPS, config/settings/server.py):
a request from a trusted proxy is from the last address in X-Forwarded-For
that is not itself a trusted proxy; a request from anyone else is from its own
address, whatever it sends. With ``*`` every proxy is trusted: the last
address, the one the balancer added, is taken (uvicorn takes the first, which
the client writes; give the balancers' addresses or networks instead of ``*``
where it matters).
"""

from __future__ import annotations

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(allowed: str) -> tuple[Network, ...] | None:
    """The trusted networks of WEB_FORWARDED_ALLOW_IPS; None for ``*`` (all)."""
    items = [item.strip() for item in allowed.split(",") if item.strip()]
    if "*" in items:
        return None
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address of X-Forwarded-For, with a port or brackets (``[::1]:80``) removed."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    peer = request.META.get("REMOTE_ADDR") or None
    networks = _trusted(settings.WEB_FORWARDED_ALLOW_IPS)
    peer_address = _address(peer) if peer else None

    def trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return networks is None or any(address in network for network in networks)

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if peer_address is None or not forwarded or not trusted(peer_address):
        return peer
    hops = [_address(hop) for hop in forwarded.split(",")]
    for hop in reversed(hops):
        if hop is None:  # not an address: the proxy's header cannot be read, keep the peer
            return peer
        if networks is None or not trusted(hop):
            return str(hop)
    return str(hops[0])  # every hop a trusted proxy: the first, as uvicorn takes it
