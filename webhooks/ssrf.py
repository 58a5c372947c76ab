"""Where a webhook may be sent: no internal address unless allowed (server-side request forgery).

In production only https, and only hosts whose every address is public, unless the host is in
WEBHOOK_ALLOWED_HOSTS. The embedded default also allows loopback, for local development. Checked
when an endpoint is added and again before every attempt (DNS may change in between).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise ValidationError(
            _("The webhook's host %(host)s cannot be resolved."),
            code="unresolvable",
            params={"host": host},
        ) from None
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def webhook_url_check(*, url: str) -> None:
    """Raise ValidationError unless the URL may receive webhooks under the current settings."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    allowed_schemes = {"https"} if settings.WEBHOOK_HTTPS_ONLY else {"https", "http"}
    if parts.scheme not in allowed_schemes or not host:
        raise ValidationError(_("A webhook URL must start with https://."), code="scheme")
    if host in settings.WEBHOOK_ALLOWED_HOSTS:
        return
    for address in _addresses(host):
        if address.is_loopback and settings.WEBHOOK_ALLOW_LOOPBACK:
            continue
        if not address.is_global or address.is_multicast:
            raise ValidationError(
                _(
                    "The webhook's host %(host)s is an internal address (%(address)s); only "
                    "public hosts, or those in WEBHOOK_ALLOWED_HOSTS, receive webhooks."
                ),
                code="internal_address",
                params={"host": host, "address": str(address)},
            )
