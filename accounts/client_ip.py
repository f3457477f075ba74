"""The client's address, the one place that reads it (login throttling, allauth's rate limits).

Behind reverse proxies every request comes from the last proxy, so the address has to be read
from `X-Forwarded-For`; but anyone can send that header, so only the entries appended by our
own proxies are believed: with `ALLAUTH_TRUSTED_PROXY_COUNT` proxies, each appending the address
it saw, the client is the entry that many places from the right. With 0 (the default) the
header is ignored. A proxy that writes the client into a header of its own (`X-Real-IP`) can
be named with `ALLAUTH_TRUSTED_CLIENT_IP_HEADER` instead.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

UNKNOWN = "0.0.0.0"  # noqa: S104 - a key for "no usable address", never bound to


def client_ip(request: HttpRequest) -> str:
    """The client's address, as far as our own proxies vouch for it."""
    header = getattr(settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None)
    if header:
        return _clean(request.headers.get(header, "")) or _remote_addr(request)
    proxies = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    forwarded = request.headers.get("x-forwarded-for", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        # Fewer entries than proxies: the request skipped the outer ones (came straight to
        # the inner proxy); the left-most entry is then the one our proxy appended.
        candidate = hops[-proxies] if len(hops) >= proxies else hops[0]
        return _clean(candidate) or _remote_addr(request)
    return _remote_addr(request)


def client_network(request: HttpRequest) -> str:
    """The address to count attempts against: an IPv6 client owns a whole /64, so it is
    counted as one, else it could change address at every attempt."""
    address = ipaddress.ip_address(client_ip(request))
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address)
    return str(address)


def _remote_addr(request: HttpRequest) -> str:
    return _clean(request.META.get("REMOTE_ADDR", "")) or UNKNOWN


def _clean(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None
