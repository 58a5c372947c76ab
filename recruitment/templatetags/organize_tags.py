"""Template tags of the organizers' pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from surveys.links import attribution

register = template.Library()


@register.simple_tag(takes_context=True)
def link_url(context: template.Context, code: str) -> str:
    """Return the absolute address of the seed or personal link with this code."""
    return attribution.link_url(request=context["request"], code=code)


@register.filter
def duration_words(seconds: int | None) -> str:
    """Return seconds as a reviewer reads them: «42 s», «3 min 05 s»."""
    if seconds is None:
        return "—"
    minutes, rest = divmod(int(seconds), 60)
    if not minutes:
        return _("%(s)s s") % {"s": rest}
    return _("%(m)s min %(s)02d s") % {"m": minutes, "s": rest}
