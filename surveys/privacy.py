"""Pseudonymous client fingerprints: a salted hash that rotates, never the raw address."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _hop_address(hop: str) -> IPAddress | None:
    """Return the address a forwarded hop names, without a port; None for anything else.

    Proxies write ``1.2.3.4:5678`` and ``[2001:db8::1]:5678``; dual-stack sockets report IPv4
    peers as ``::ffff:1.2.3.4``. Both are the same client as the bare address.
    """
    text = hop.strip()
    if text.startswith("["):  # [IPv6]:port
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # IPv4:port (an IPv6 address has at least two colons)
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_ip(request: HttpRequest) -> str:
    """Return the client's address: the first hop, from the right, that is not a trusted proxy.

    ``X-Forwarded-For`` is believed only as far as trusted proxies (``TRUSTED_PROXIES``) relay
    it: a visitor who writes the header themselves cannot pick the address they are counted as.
    Hops are read as addresses (ports stripped, IPv4-mapped IPv6 unwrapped); a hop that is not
    an address ends the walk at the hop after it, so that garbage never buys a fresh count.
    The walk is ours, from the TCP peer back: django-ipware 8, tried first, gave no address at
    all for a chain ending in a trusted loopback proxy.
    """
    peer_text = request.META.get("REMOTE_ADDR", "")
    peer = _hop_address(peer_text)
    if peer is None:
        return peer_text
    networks = settings.TRUSTED_PROXY_NETWORKS
    if not networks:
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    current = peer
    for hop in reversed([hop for hop in forwarded if hop.strip()]):
        if not any(current in network for network in networks):
            return str(current)
        address = _hop_address(hop)
        if address is None:
            return str(current)  # the trusted proxy that handed garbage on counts as the client
        current = address
    return str(current)


def client_network(request: HttpRequest) -> str:
    """Return what a throttle counts as one client: the IPv4 address, or the IPv6 /64.

    One IPv6 subscriber is handed a whole /64 and may use a new address for every request.
    """
    address = _hop_address(client_ip(request))
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address) if address is not None else client_ip(request)


def client_hash(request: HttpRequest) -> str:
    """Return a salted hash of the client's address and browser that changes every week."""
    year, week, _ = timezone.now().isocalendar()
    material = "|".join(
        [
            f"{year}-{week}",
            client_ip(request),
            request.META.get("HTTP_USER_AGENT", "")[:300],
        ]
    )
    return _salted_hash(material)


def client_address_hash(request: HttpRequest) -> str:
    """Return a salted weekly hash of the client's address (IPv6: its /64), for every throttle."""
    year, week, _ = timezone.now().isocalendar()
    return _salted_hash(f"{year}-{week}|{client_network(request)}")


def device_hash(token: str) -> str:
    """Return the salted hash of a device cookie's value, the only form in which it is stored."""
    # No week in the material, unlike client_hash: the point is to recognise the same browser
    # across the whole fieldwork. The cookie itself is random and says nothing about the person.
    return _salted_hash(f"device|{token}")


def _salted_hash(material: str) -> str:
    """Return the keyed hash (CLIENT_HASH_SALT) of the material, the form in which it is stored."""
    key = settings.CLIENT_HASH_SALT.encode()
    return hmac.new(key, material.encode(), hashlib.sha256).hexdigest()[:32]
