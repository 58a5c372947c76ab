"""The organizers' page of their survey's API tokens: create (shown once), list, revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from api.tokens import api_token_create, api_token_revoke
from membership.access import organizer_required
from surveys.http import form_page, posted
from surveys.models import Survey


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “R pipeline” or “dashboard”."),
    )
    expires_days = forms.IntegerField(
        label=gettext_lazy("Expires after (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=gettext_lazy("Empty: never."),
    )


@organizer_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest, survey: Survey) -> HttpResponse:
    form = TokenForm(posted(request))
    created = ""
    if request.method == "POST" and form.is_valid():
        _token, created = api_token_create(
            survey=survey,
            name=form.cleaned_data["name"],
            expires_days=form.cleaned_data["expires_days"],
            created_by=request.user,
        )
        form = TokenForm()
    context = {
        "survey": survey,
        "form": form,
        # Shown on this one answer to the POST only; never stored, so never shown again.
        "created": created,
        "tokens": survey.api_tokens.select_related("created_by"),
    }
    return form_page(request, "organize/api_tokens.html", context)


@organizer_required
@require_POST
def token_revoke(request: HttpRequest, survey: Survey, token_id: int) -> HttpResponse:
    token = api_token_revoke(token=get_object_or_404(survey.api_tokens, pk=token_id))
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens:tokens", slug=survey.slug)
