"""The POST of one delivery, to an address checked after DNS resolution and connected to as checked.

An endpoint's name could resolve to the newsroom's own network (a database, a metadata
service at 169.254.169.254): a webhook would then be a way to reach it from outside.
So the name is resolved here, every address it resolves to is checked (no private,
loopback, link-local, multicast, reserved or unspecified one), and the connection is
made to the address that was checked, not to the name again (which a hostile DNS server
could answer differently the second time: DNS rebinding). For HTTPS the certificate is
still verified for the name (SNI and hostname check). ``WEBHOOK_ALLOW_PRIVATE=1`` lifts
the check (the tests' servers listen on 127.0.0.1). Redirects are not followed: a 3xx is a
failure (``Redirected``). WEBHOOK_TIMEOUT_SECONDS is a deadline for the whole request.
"""

import http.client
import ipaddress
import os
import socket
import ssl
import threading
import time
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


# NAT64's well-known prefix: the last 32 bits are an IPv4 address the gateway connects to.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses a tunnel's IPv6 address leads to: 6to4, Teredo's client, NAT64.

    (Mapped and IPv4-compatible addresses are that IPv4 address, and _forbidden reads them first.)
    """
    found = [ip.sixtofour, ip.teredo[1] if ip.teredo else None]
    if ip in _NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return [address for address in found if address is not None]


def _local(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)
        or not ip.is_global  # 0.0.0.0/8, 100.64.0.0/10 (carrier-grade NAT), documentation ranges ...
    )


def _forbidden(address: str) -> bool:
    """True for an address on someone's own network, or one that leads to one (6to4, Teredo, mapped ...)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if not isinstance(ip, ipaddress.IPv6Address):
        return _local(ip)
    if ip.ipv4_mapped or int(ip) >> 32 == 0:
        # ::ffff:a.b.c.d and ::a.b.c.d are that IPv4 address (:: and ::1 themselves are refused as such).
        return _local(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)) or ip.is_unspecified or ip.is_loopback
    # A tunnel (6to4, Teredo, NAT64) is refused if what it leads to is, and so is its own address if it is.
    return _local(ip) or any(_local(inner) for inner in _embedded(ip))


def shown(url: str) -> str:
    """The address as logs and emails show it: scheme://host[:port]/path, never a query or user:password."""
    parts = urlsplit(url)
    if not parts.scheme:
        return parts.path  # a relative redirect
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}{port}{parts.path}"


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


class _Deadline:
    """Ends a connection's request at a moment, whatever it is doing: reading, writing, a TLS handshake.

    A timer shuts the connected socket down (by its descriptor, which the TLS socket shares)
    when the time is up: a blocked read or write returns at once, and the attempt fails as
    a timeout. The lock keeps the timer from touching a descriptor already closed (and reused).
    """

    def __init__(self, seconds: float):
        self.at = time.monotonic() + seconds
        self.expired = threading.Event()
        self.lock = threading.Lock()
        self.fd: int | None = None
        self.done = False
        self.timer = threading.Timer(seconds, self.cut)
        self.timer.daemon = True

    def remaining(self) -> float:
        return max(self.at - time.monotonic(), 0.01)

    def connected(self, sock: socket.socket) -> None:
        with self.lock:
            self.fd = sock.fileno()
        if self.expired.is_set():
            raise TimeoutError("timed out")

    def cut(self) -> None:
        with self.lock:
            self.expired.set()
            if self.fd is None or self.done:
                return
            try:
                with socket.socket(fileno=os.dup(self.fd)) as twin:
                    twin.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def finish(self) -> None:
        self.timer.cancel()
        with self.lock:
            self.done = True


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, address, port, deadline):
        super().__init__(host, port, timeout=deadline.remaining())
        self._address, self._deadline = address, deadline

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self._deadline.remaining())
        self._deadline.connected(self.sock)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, address, port, deadline):
        super().__init__(host, port, timeout=deadline.remaining(), context=ssl.create_default_context())
        self._address, self._deadline = address, deadline

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self._deadline.remaining())
        self._deadline.connected(sock)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class Redirected(Exception):
    """The endpoint answered with a redirect: not followed (it could lead anywhere, a private address too)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body``; raises Refused for a forbidden address, OSError (timeouts too) when it cannot be sent.

    WEBHOOK_TIMEOUT_SECONDS bounds the whole request, not each socket operation: a partner
    that trickles its answer a byte at a time would otherwise hold the sender for as long as
    it likes (``_Deadline``).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"refused: {shown(url)} is not an http(s) address")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    deadline = _Deadline(timeout)
    deadline.timer.start()
    try:
        address = resolve(parts.hostname, port)
        connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(parts.hostname, address, port, deadline)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request("POST", path, body=body, headers={**headers, "user-agent": USER_AGENT})
            response = connection.getresponse()
            text = response.read(2000).decode("utf-8", "replace")
        except (http.client.HTTPException, OSError, ValueError) as error:
            if deadline.expired.is_set() or isinstance(error, TimeoutError):
                raise TimeoutError(f"timed out: no whole answer within {timeout} s") from None
            if isinstance(error, http.client.HTTPException):
                raise OSError(f"bad answer: {error!r}") from None
            raise
        finally:
            deadline.finish()
            connection.close()
    finally:
        deadline.finish()
    if deadline.expired.is_set():
        raise TimeoutError(f"timed out: no whole answer within {timeout} s")
    if 300 <= response.status < 400:
        location = response.getheader("location") or ""
        raise Redirected(
            response.status, f"HTTP {response.status}: a redirect (to {shown(location) or '?'}), not followed"
        )
    return Answer(response.status, text)
