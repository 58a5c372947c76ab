"""The decorator every staff page of a survey goes through: the kind of page, then the study."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from membership.models import Role
from membership.selectors import survey_visible, user_has_role

View = Callable[..., HttpResponse]


def member_required(role: Role) -> Callable[[View], View]:
    """Refuse (403) users without the role; answer 404 for a survey they are no member of.

    The URL's ``slug`` names the survey: the view receives it, read once here, as ``survey``
    in place of the slug. Views without one choose among ``surveys_visible`` themselves. Put
    ``login_required`` outside, so visitors log in first.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not user_has_role(user=request.user, role=role):
                raise PermissionDenied
            slug = kwargs.pop("slug", None)
            if slug is not None:
                kwargs["survey"] = survey_visible(user=request.user, role=role, slug=slug)
            return view(request, *args, **kwargs)

        return guarded

    return decorate


def staff_page(role: Role) -> Callable[[View], View]:
    """Guard a staff page: never cached, log in first, then the role and the membership."""

    def decorate(view: View) -> View:
        return never_cache(login_required(member_required(role)(view)))

    return decorate


organizer_required = staff_page(Role.ORGANIZER)
payments_required = staff_page(Role.PAYMENTS)
