"""Which IP addresses are public: the address check behind the webhook SSRF guard.

``ipaddress``'s ``is_global`` judges an IPv6 address by its own prefix only, so forms that
carry an IPv4 address inside pass even when that IPv4 address is loopback or the cloud
metadata service: IPv4-compatible ``::127.0.0.1``, NAT64 ``64:ff9b::a9fe:a9fe`` (the
translator connects to 169.254.169.254), 6to4 ``2002:7f00:1::``. An address is public here
only when it and every IPv4 address it embeds are global.
"""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052
NAT64_LOCAL_USE = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: inside a network only
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # RFC 4291 §2.5.5.1 (deprecated)


def embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for (mapped, compatible, NAT64, 6to4,
    Teredo server and client)."""
    if address.version == 4:
        return []
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address in IPV4_COMPATIBLE or address in NAT64_WELL_KNOWN:
        found.append(low32)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    return found


def is_public(address: IPAddress) -> bool:
    """True when a connection to ``address`` can only reach the public internet."""
    if address.version == 6 and address in NAT64_LOCAL_USE:
        return False
    return address.is_global and all(v4.is_global for v4 in embedded_ipv4(address))
