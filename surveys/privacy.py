"""Pseudonymous client fingerprints: a salted hash that rotates, never the raw address."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


def client_ip(request: HttpRequest) -> str:
    """Return the client's address: the first hop, from the right, that is not a trusted proxy.

    ``X-Forwarded-For`` is believed only as far as trusted proxies (``TRUSTED_PROXIES``) relay
    it: a visitor who writes the header themselves cannot pick the address they are counted as.
    The walk is ours, from the TCP peer back: django-ipware 8, tried first, gave no address at
    all for a chain ending in a trusted loopback proxy.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    networks = settings.TRUSTED_PROXY_NETWORKS
    if not networks:
        return peer
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in forwarded if hop] + [peer]
    for hop in reversed(hops):
        try:
            address = ipaddress.ip_address(hop)
        except ValueError:
            return hop  # not an address: whoever wrote it is the client, counted as written
        if not any(address in network for network in networks):
            return hop
    return hops[0]


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
    """Return a salted weekly hash of the client's address alone, for login throttling."""
    year, week, _ = timezone.now().isocalendar()
    return _salted_hash(f"{year}-{week}|{client_ip(request)}")


def device_hash(token: str) -> str:
    """Return the salted hash of a device cookie's value, the only form in which it is stored."""
    # No week in the material, unlike client_hash: the point is to recognise the same browser
    # across the whole fieldwork. The cookie itself is random and says nothing about the person.
    return _salted_hash(f"device|{token}")


def _salted_hash(material: str) -> str:
    """Return the keyed hash (CLIENT_HASH_SALT) of the material, the form in which it is stored."""
    key = settings.CLIENT_HASH_SALT.encode()
    return hmac.new(key, material.encode(), hashlib.sha256).hexdigest()[:32]
