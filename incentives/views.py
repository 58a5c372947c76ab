"""The respondent's payout contact (its own POST) and the organizers' incentive settings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from incentives.configure import FIELDS, incentive_settings_for, incentives_update
from incentives.contacts import payout_contact_save
from incentives.forms import IncentiveSettingsForm, PayoutContactForm
from membership.access import organizer_required
from surveys.http import form_page
from surveys.models import Survey
from surveys.quality.design_log import design_changes
from surveys.selectors import survey_get
from surveys.visitor import visitor_response


@never_cache
@require_POST
# An error report (the debug page, the admins' mail) never shows the contact typed.
@sensitive_post_parameters("payout_contact")
def payout_contact(request: HttpRequest, slug: str) -> HttpResponse:
    """Save the payout contact this browser's respondent typed, or show why it is refused."""
    survey = survey_get(slug=slug)
    response = visitor_response(request=request, survey=survey)
    if response is None:
        return redirect("surveys:start", slug=survey.slug)
    form = PayoutContactForm(request.POST)
    if form.is_valid():
        try:
            payout_contact_save(response=response, text=form.cleaned_data["payout_contact"])
        except ValidationError as error:
            form.add_error("payout_contact", error)
        else:
            return redirect(reverse("surveys:thanks", kwargs={"slug": survey.slug}) + "#payout")
    context = {"survey": survey, "form": form}
    return render(request, "incentives/payout_contact.html", context, status=400)


@organizer_required
@require_http_methods(["GET", "POST"])
def incentive_settings(request: HttpRequest, survey: Survey) -> HttpResponse:
    """Show and change the survey's incentives; the changes join the design-change log."""
    config = incentive_settings_for(survey=survey)
    form = IncentiveSettingsForm(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in FIELDS}
        try:
            incentives_update(survey=survey, user=request.user, **changes)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("incentives:settings", slug=survey.slug)
    changes = [
        change for change in design_changes(survey=survey) if change.what.startswith("incentive")
    ]
    context = {"survey": survey, "form": form, "changes": changes}
    return form_page(request, "incentives/settings.html", context)
