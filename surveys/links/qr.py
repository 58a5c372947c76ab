"""QR codes of links, drawn as inline SVG so that pages load nothing from elsewhere."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(*, data: str) -> SafeString:
    """Return an inline SVG QR code of the data, sized by CSS through its viewBox."""
    code = segno.make(data, error="m")
    # segno draws the data as path geometry only (no title, no text), so nothing from the
    # request can reach the markup unescaped.
    svg = code.svg_inline(
        scale=1, border=2, omitsize=True, svgclass="qr-code", lineclass=None, light="#fff"
    )
    return mark_safe(svg)  # noqa: S308
