"""A process-wide network guard: outgoing connections go to this computer or to allow-listed hosts.

`install()` wraps `socket.socket.connect`, `connect_ex`, `sendto` and `socket.getaddrinfo`;
`uninstall()` restores them. Nothing is patched at import time. A refused attempt raises
`errors.NetworkBlocked` (also a `ConnectionRefusedError`, so libraries that handle "offline" keep
working) and is logged with the host and port only — never a URL path, a query or any payload.

Allowed: loopback (127.0.0.0/8, ::1, `localhost`), Unix sockets, and what the user allow-listed —
host names (for a vLLM server on the hospital LAN), IP addresses or networks (`10.1.0.0/16`). A name
is allowed to resolve only if it is allow-listed, so no DNS query leaks the names of other hosts.

Scope: Python sockets. Native code that opens its own sockets is not covered; the embedded engines
open none (the offline test runs a full `summarize` in a namespace with no network at all).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from desktop_app import errors

log = logging.getLogger(__name__)

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})

_lock = threading.RLock()
_guard: _Guard | None = None
_originals: dict[str, object] = {}


@dataclass(frozen=True)
class Posture:
    """What `emr-assist doctor` and the settings dialog show."""

    installed: bool
    allowed_hosts: tuple[str, ...]

    def describe(self) -> str:
        if not self.installed:
            return "network guard: OFF (outgoing connections are not restricted)"
        allowed = ", ".join(self.allowed_hosts) if self.allowed_hosts else "none"
        return f"network guard: ON (loopback only; allowed hosts: {allowed})"


class _Guard:
    def __init__(self, allowed_hosts: Iterable[str]) -> None:
        self.entries: tuple[str, ...] = tuple(h for h in (_clean(a) for a in allowed_hosts) if h)
        self.names: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in self.entries:
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self.names.add(entry)
        self.resolved: set[str] = set()  # addresses that allow-listed names resolved to

    def name_allowed(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return host in LOOPBACK_NAMES or host in self.names

    def address_allowed(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host.split("%", 1)[0])  # drop an IPv6 zone id
        except ValueError:
            return self.name_allowed(host)  # connect() accepts names and resolves them itself
        if address.is_loopback or host in self.resolved:
            return True
        mapped = getattr(address, "ipv4_mapped", None)
        if mapped is not None and mapped.is_loopback:
            return True
        return any(address in network for network in self.networks)

    def refuse(self, what: str, host: str, port: object) -> errors.NetworkBlocked:
        log.warning("network guard: refused %s to %s port %s", what, host, port)
        return errors.NetworkBlocked(host=host, allowed=", ".join(self.entries) or "none")


def _clean(entry: str) -> str:
    """'http://10.0.0.5:8000/v1' → '10.0.0.5'; 'Server.LAN.' → 'server.lan'."""
    entry = entry.strip()
    if "://" in entry:
        entry = urlsplit(entry).hostname or ""
    elif entry.count(":") == 1 and "/" not in entry:  # host:port (an IPv6 address has more colons)
        entry = entry.split(":", 1)[0]
    return entry.strip("[]").lower().rstrip(".")


def _host_port(address: object) -> tuple[str, object] | None:
    if isinstance(address, tuple) and address and isinstance(address[0], str | bytes):
        host = address[0].decode() if isinstance(address[0], bytes) else address[0]
        return host, address[1] if len(address) > 1 else None
    return None  # AF_UNIX paths and other local families


def _check(sock: socket.socket, address: object, what: str) -> None:
    guard = _guard
    if guard is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    parts = _host_port(address)
    if parts is not None and not guard.address_allowed(parts[0]):
        raise guard.refuse(what, *parts)


def _connect(self: socket.socket, address: object) -> None:
    _check(self, address, "a connection")
    return _originals["connect"](self, address)


def _connect_ex(self: socket.socket, address: object) -> int:
    _check(self, address, "a connection")
    return _originals["connect_ex"](self, address)


def _sendto(self: socket.socket, data: bytes, *args: object) -> int:
    _check(self, args[-1] if args else None, "a datagram")
    return _originals["sendto"](self, data, *args)


def _getaddrinfo(host: object, port: object, *args: object, **kwargs: object) -> list:
    guard = _guard
    if guard is not None and host not in (None, "", b""):
        name = host.decode() if isinstance(host, bytes) else str(host)
        try:
            ipaddress.ip_address(name.split("%", 1)[0])
            is_literal = True
        except ValueError:
            is_literal = False
        if not is_literal and not guard.name_allowed(name):
            raise guard.refuse("a name lookup", name, port)
        results = _originals["getaddrinfo"](host, port, *args, **kwargs)
        if not is_literal and name.lower().rstrip(".") in guard.names:
            guard.resolved.update(str(info[4][0]) for info in results)
        return results
    return _originals["getaddrinfo"](host, port, *args, **kwargs)


def is_allowed(host: str, allowed_hosts: Iterable[str]) -> bool:
    """Whether a connection to `host` (a name or an address) passes the guard with this allow-list:
    loopback, a listed name, a listed address, or an address inside a listed network (10.1.0.0/16).
    What the settings and the OCR endpoint check use, so they agree with the guard."""
    return _Guard(allowed_hosts).address_allowed(_clean(host))


def install(allowed_hosts: Iterable[str] = ()) -> None:
    """Turn the guard on for the whole process (again: replace the allow-list). Thread-safe."""
    global _guard
    with _lock:
        if _guard is None:
            _originals.update(connect=socket.socket.connect, connect_ex=socket.socket.connect_ex,
                              sendto=socket.socket.sendto, getaddrinfo=socket.getaddrinfo)
            socket.socket.connect = _connect
            socket.socket.connect_ex = _connect_ex
            socket.socket.sendto = _sendto
            socket.getaddrinfo = _getaddrinfo
        _guard = _Guard(allowed_hosts)
        log.info("network guard on; %d allowed host(s)", len(_guard.entries))


def uninstall() -> None:
    """Restore the functions `install()` replaced."""
    global _guard
    with _lock:
        if _guard is None:
            return
        socket.socket.connect = _originals["connect"]
        socket.socket.connect_ex = _originals["connect_ex"]
        socket.socket.sendto = _originals["sendto"]
        socket.getaddrinfo = _originals["getaddrinfo"]
        _originals.clear()
        _guard = None


def is_installed() -> bool:
    return _guard is not None


def posture() -> Posture:
    guard = _guard
    return Posture(guard is not None, guard.entries if guard else ())
