"""Which callback URLs Voicer will POST to.

A callback must be ``http://`` or ``https://`` and its host must resolve to public addresses
only: private (10/8, 172.16/12, 192.168/16, fc00::/7), loopback, link-local (169.254/16, where
cloud metadata lives), multicast, reserved and unspecified addresses are refused, so a caller
cannot make Voicer reach inside its own network. ``VOICER_WEBHOOK_ALLOWED_HOSTS`` names the
exceptions of an internal deployment: host names, addresses or networks.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

from voicer.errors import InvalidInput

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
LONGEST = 2_000  # characters of a callback URL


def check(url: str, allowed: Sequence[str], field: str = "webhook_url") -> str:
    """``url`` if Voicer may POST to it; ``InvalidInput`` naming ``field`` and why otherwise."""
    parts = urlsplit(url)
    if len(url) > LONGEST or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(field, f"{field} must be an http:// or https:// URL with a host, at "
                                  f"most {LONGEST:,} characters")
    host = parts.hostname.lower()
    if host in {name.lower() for name in allowed}:
        return url
    for address in _addresses(host, field):
        if _internal(address) and not _listed(address, allowed):
            raise InvalidInput(field, f"{field} host {host!r} is a private, loopback or "
                                      f"link-local address ({address}); callbacks go to public "
                                      "hosts (VOICER_WEBHOOK_ALLOWED_HOSTS lists exceptions)")
    return url


def _addresses(host: str, field: str) -> list[Address]:
    try:
        return [_unmapped(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise InvalidInput(field, f"{field} host {host!r} does not resolve") from None
    return [_unmapped(ipaddress.ip_address(str(info[4][0]).split("%")[0])) for info in found]


def _unmapped(address: Address) -> Address:
    """An IPv4 address written as IPv6 (``::ffff:10.0.0.1``) is judged as the IPv4 one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _internal(address: Address) -> bool:
    return (address.is_private or address.is_loopback or address.is_link_local
            or address.is_multicast or address.is_reserved or address.is_unspecified)


def _listed(address: Address, allowed: Sequence[str]) -> bool:
    for entry in allowed:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:  # a host name: matched by name above
            continue
    return False
