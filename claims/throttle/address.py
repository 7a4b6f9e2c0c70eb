"""The client's address, for per-address limits: REMOTE_ADDR, unless a trusted proxy forwarded the request.

Behind a load balancer every request comes from the balancer's address, and the client's
is in X-Forwarded-For, which anyone can also write: only the hops added by proxies listed
in ``settings.TRUSTED_PROXIES`` (addresses or networks) are believed. The header is read
from its right end, skipping trusted proxies; the first other address is the client.
Without the setting, X-Forwarded-For is ignored.
"""

import functools
import ipaddress

from django.conf import settings


@functools.lru_cache(maxsize=8)
def _networks(proxies: tuple) -> tuple:
    return tuple(ipaddress.ip_network(str(proxy).strip(), strict=False) for proxy in proxies if str(proxy).strip())


def _ip(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(ip, networks) -> bool:
    return ip is not None and any(ip in network for network in networks)


def client_address(request) -> str:
    """The address the request came from, as text ("" if the server was not told)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXIES", ())
    if not proxies:
        return remote
    networks = _networks(tuple(proxies))
    if not _trusted(_ip(remote), networks):
        return remote
    client = remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        ip = _ip(hop)
        if ip is None:
            break  # not an address: nothing to its left can be believed
        client = str(ip)
        if not _trusted(ip, networks):
            break
    return client


def limit_key(address: str) -> str:
    """What a per-address limit counts by: the address, or its /64 for IPv6 (one subscriber's usual share)."""
    ip = _ip(address)
    if ip is None:
        return address or "unknown"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address) + "/64"
    return str(ip)


def lockout_address(request) -> str:
    """The address the sign-in lockout counts by (django-axes' AXES_CLIENT_IP_CALLABLE).

    As the rate limit counts: an IPv6 client is its /64, written as that network's first
    address (axes keeps it in an address column). One subscriber usually holds a whole
    /64, so counting single IPv6 addresses would give a guesser a fresh address, and five
    fresh guesses, for every attempt.
    """
    address = client_address(request)
    ip = _ip(address)
    if ip is not None and ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return address
