"""The POST of one delivery, to an address checked after DNS resolution and connected to as checked.

An endpoint's name could resolve to the newsroom's own network (a database, a metadata
service at 169.254.169.254): a webhook would then be a way to reach it from outside.
So the name is resolved here, every address it resolves to is checked (no private,
loopback, link-local, multicast, reserved or unspecified one), and the connection is
made to the address that was checked, not to the name again (which a hostile DNS server
could answer differently the second time: DNS rebinding). For HTTPS the certificate is
still verified for the name (SNI and hostname check). ``WEBHOOK_ALLOW_PRIVATE=1`` lifts
the check (the tests' servers listen on 127.0.0.1). Redirects are not followed.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

USER_AGENT = "factcheck-webhooks/1"


class Refused(Exception):
    """The endpoint's address may not be called."""


@dataclass
class Answer:
    status: int
    body: str


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def resolve(host: str, port: int) -> str:
    """The address to connect to: the first of the name's addresses, all of them checked."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise OSError(f"cannot resolve {host}: {error}") from None
    addresses = [info[4][0] for info in infos]
    if not settings.WEBHOOK_ALLOW_PRIVATE:
        for address in addresses:
            if _forbidden(address):
                raise Refused(f"refused: {host} resolves to {address}, a private or local address")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, address, port, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, address, port, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body``; raises Refused for a forbidden address, OSError (timeouts too) when it cannot be sent."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"refused: {url} is not an http(s) address")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve(parts.hostname, port)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, address, port, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers={**headers, "user-agent": USER_AGENT})
        response = connection.getresponse()
        text = response.read(2000).decode("utf-8", "replace")
        return Answer(response.status, text)
    except http.client.HTTPException as error:
        raise OSError(f"bad answer: {error!r}") from None
    finally:
        connection.close()
