"""The organizers' page of the survey's own settings: state, coupons, the too-fast rule, contact."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from membership.access import organizer_required
from recruitment.forms import SurveySettingsForm
from recruitment.views import _monitor_path
from surveys.http import form_page, posted
from surveys.models import Survey
from surveys.quality import design_log


@organizer_required
@require_http_methods(["GET", "POST"])
def survey_settings(request: HttpRequest, survey: Survey) -> HttpResponse:
    form = SurveySettingsForm(posted(request), instance=survey)
    if request.method == "POST" and form.is_valid():
        design_log.survey_form_save(form=form, user=request.user)
        messages.success(request, _("Survey settings saved. The design-change log records them."))
        return redirect(_monitor_path(survey) + "#changes")
    context = {"survey": survey, "form": form}
    return form_page(request, "organize/survey_settings.html", context)
