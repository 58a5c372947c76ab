"""Adding and removing a survey's members."""

from __future__ import annotations

from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from membership.models import Membership, Role
from surveys.models import Survey


@transaction.atomic
def membership_add(*, survey: Survey, user: User, role: Role) -> Membership:
    """Make the user a member of the survey in the role; adding twice changes nothing.

    The user also joins the staff group that holds the role's permission (if there is one), so
    that the role's pages open for them: the group says which kind of page, the membership
    which study."""
    membership, _created = Membership.objects.get_or_create(survey=survey, user=user, role=role)
    group = Group.objects.filter(permissions__codename=role).order_by("pk").first()
    if group is not None:
        user.groups.add(group)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """Remove a membership, but never the survey's last organizer's."""
    if (
        membership.role == Role.ORGANIZER
        and not Membership.objects.filter(survey_id=membership.survey_id, role=Role.ORGANIZER)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError(
            _("The survey's last organizer cannot be removed."), code="last_organizer"
        )
    membership.delete()
