"""Which callback URLs the service may call: the allow-list of ``OCR_WEBHOOK_ALLOW``.

A callback is the one place the service fetches a URL a client chose, so it is
checked twice: when the job is submitted (a refused URL is a 422 and the host is
never contacted) and again before every delivery attempt (a name may resolve
elsewhere by then). A host passes when its name is listed, or when it is an IP
literal inside a listed network; then every address it resolves to must be
public, unless that address lies in a listed network: a public-looking name
that resolves to 127.0.0.1, 10.x or 169.254.169.254 (cloud metadata) is refused
unless an operator listed that network on purpose.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from app.errors import CallbackRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[..., list[Any]]

MAX_URL_CHARS: Final = 2000


@dataclass(frozen=True, slots=True)
class Target:
    """A checked callback URL, split up for a connection to one vetted address."""

    url: str
    scheme: str
    host: str
    port: int
    path: str
    """Path and query, as sent in the request line."""


@dataclass(frozen=True, slots=True)
class AllowList:
    """Host names and IP networks callbacks may go to (nothing: webhooks are off)."""

    names: frozenset[str]
    networks: tuple[IPNetwork, ...]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        """The list from the setting's entries: a network (CIDR or one address) or a name."""
        names: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in (e.strip().lower() for e in entries):
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                names.add(entry.rstrip("."))
        return cls(frozenset(names), tuple(networks))

    @property
    def enabled(self) -> bool:
        """Whether webhooks are on at all."""
        return bool(self.names or self.networks)

    def listed(self, address: IPAddress) -> bool:
        """Whether ``address`` lies in a listed network."""
        return any(address in net for net in self.networks if net.version == address.version)


def check_url(url: str, allow: AllowList) -> Target:
    """``url`` split up if its form and host are allowed; ``CallbackRefused`` otherwise.

    Never resolves or contacts anything (``resolve`` does the address check).
    """
    if not allow.enabled:
        raise CallbackRefused("Webhooks are off on this service (OCR_WEBHOOK_ALLOW is empty).")
    if len(url) > MAX_URL_CHARS:
        raise CallbackRefused(f"callback_url is longer than {MAX_URL_CHARS} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise CallbackRefused("callback_url is not a valid URL.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallbackRefused("callback_url must be an http or https URL with a host.")
    if parts.username is not None or parts.password is not None:
        raise CallbackRefused("callback_url must not carry credentials.")
    host = parts.hostname.lower().rstrip(".")
    literal = _address(host)
    if host not in allow.names and not (literal is not None and allow.listed(literal)):
        raise CallbackRefused("callback_url's host is not allowed (OCR_WEBHOOK_ALLOW).")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(url, parts.scheme, host,
                  port or (443 if parts.scheme == "https" else 80), path)


def resolve(target: Target, allow: AllowList,
            resolver: Resolver = socket.getaddrinfo) -> list[str]:
    """The addresses to connect to for ``target``, each public or in a listed network.

    Blocking (DNS): run it in a thread. ``CallbackRefused`` when the name does not
    resolve or any address is refused (one bad address refuses all: a client must
    not win by racing round-robin DNS).
    """
    literal = _address(target.host)
    if literal is not None:
        found = [literal]
    else:
        try:
            infos = resolver(target.host, target.port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise CallbackRefused("callback_url's host does not resolve.") from None
        found = [a for a in (_address(str(info[4][0])) for info in infos) if a is not None]
    if not found:
        raise CallbackRefused("callback_url's host does not resolve.")
    for address in found:
        plain = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
        checked = plain or address
        if not checked.is_global and not allow.listed(checked):
            raise CallbackRefused("callback_url resolves to a private, loopback or "
                                  "link-local address that is not allowed.")
    return list(dict.fromkeys(str(a) for a in found))


def _address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
