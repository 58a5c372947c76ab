"""Which studies a staff user may see: the one rule every staff page, export and menu asks."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from membership.models import Membership, Role
from surveys.models import Survey

StaffUser = AbstractBaseUser | AnonymousUser


def user_has_role(*, user: StaffUser, role: Role) -> bool:
    """Return whether the user holds the role's site-wide permission (the kind of page)."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    # By codename in any app: the payments permission belongs to whichever app pays.
    return any(name.split(".", 1)[1] == role for name in user.get_all_permissions())


def surveys_visible(*, user: StaffUser, role: Role) -> QuerySet[Survey]:
    """Return the surveys whose pages of this role the user may open, by slug.

    Superusers see every survey; anyone else needs the role's permission and a membership in
    that role of each survey they see."""
    if not user_has_role(user=user, role=role):
        return Survey.objects.none()
    if user.is_superuser:
        return Survey.objects.order_by("slug")
    return Survey.objects.filter(memberships__user=user, memberships__role=role).order_by("slug")


def survey_visible(*, user: StaffUser, role: Role, slug: str) -> Survey:
    """Return the survey with this slug if the user may see it in the role; else raise 404.

    Another study's pages answer exactly like a survey that does not exist."""
    survey = surveys_visible(user=user, role=role).filter(slug=slug).first()
    if survey is None:
        raise Http404("No such survey")
    return survey


def survey_members(*, survey: Survey) -> QuerySet[Membership]:
    """Return the survey's memberships, by username and role."""
    return survey.memberships.select_related("user").order_by("user__username", "role")


def survey_chosen(*, surveys: list[Survey], slug: str | None) -> Survey | None:
    """Return the survey with this slug, else the first one, else None.

    ``surveys`` are those the user may see: a slug outside them is a 404, as on every page."""
    for survey in surveys:
        if survey.slug == slug:
            return survey
    if slug:
        raise Http404("No such survey")
    return surveys[0] if surveys else None
