"""The client's address, as counted by the lockout.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only when
the request comes from a proxy named in TRUSTED_PROXIES, and then read from the right: each
trusted proxy appends the address it received the request from, so the right-most address
that is not one of ours is the first one no proxy of ours vouches for. Anything to its
left was written by the client and could name anyone (an attacker would otherwise lock
out a colleague, or get a fresh address for every guess).
"""

import functools
import ipaddress

from django.conf import settings


@functools.cache
def _networks(trusted: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(network, strict=False) for network in trusted)


def _parse(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_address(request) -> str | None:
    """axes' AXES_CLIENT_IP_CALLABLE."""
    remote = request.META.get("REMOTE_ADDR")
    trusted = _networks(tuple(settings.TRUSTED_PROXIES))
    address = _parse(remote or "")
    if address is None or not trusted:
        return remote

    def is_trusted(candidate) -> bool:
        return any(candidate in network for network in trusted)

    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    while is_trusted(address) and hops:
        previous = _parse(hops.pop())
        if previous is None:
            break  # garbage where a proxy of ours should have written an address: stop at that proxy
        address = previous
    return str(address)
