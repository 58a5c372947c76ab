"""The organizers' page of their survey's members: who sees it, in which role; add and remove."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from membership.access import organizer_required
from membership.forms import MemberForm
from membership.models import Role
from membership.selectors import survey_members
from membership.services import membership_add, membership_remove
from surveys.http import form_page, posted
from surveys.models import Survey


@organizer_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, survey: Survey) -> HttpResponse:
    form = MemberForm(posted(request))
    if request.method == "POST" and form.is_valid():
        user, role = form.cleaned_data["username"], form.cleaned_data["role"]
        membership_add(survey=survey, user=user, role=Role(role))
        messages.success(
            request,
            _("%(user)s is a member of this survey as %(role)s.")
            % {"user": user.username, "role": Role(role).label},
        )
        return redirect("membership:members", slug=survey.slug)
    context = {"survey": survey, "form": form, "members": survey_members(survey=survey)}
    return form_page(request, "organize/members.html", context)


@organizer_required
@require_POST
def member_remove(request: HttpRequest, survey: Survey, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(survey.memberships.select_related("user"), pk=membership_id)
    try:
        membership_remove(membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(user)s is no longer a member of this survey as %(role)s.")
            % {"user": membership.user.username, "role": membership.get_role_display()},
        )
    return redirect("membership:members", slug=survey.slug)
