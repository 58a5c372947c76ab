"""Template tags of the organizers' pages."""

from __future__ import annotations

from django import template

from surveys.links import attribution

register = template.Library()


@register.simple_tag(takes_context=True)
def link_url(context: template.Context, code: str) -> str:
    """Return the absolute address of the seed or personal link with this code."""
    return attribution.link_url(request=context["request"], code=code)
