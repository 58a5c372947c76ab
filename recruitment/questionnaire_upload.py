"""Organizers bring their own questionnaire: an XLSForm upload that creates or reloads a survey.

The form goes through the same reader and loader as ``manage.py load_questionnaire FORM.xlsx``:
all of it is loaded, or nothing, with the sheet, row and reason of the first problem. Reloading
a survey needs its organizer's membership, so an upload cannot overwrite another study; the
uploader of a new survey becomes its organizer.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from membership.access import organizer_required
from membership.models import Role
from membership.selectors import surveys_visible
from membership.services import membership_add
from surveys.models import Survey
from surveys.questionnaire.xlsform import XLSFormProblem, xlsform_load, xlsform_read

MAX_BYTES = 5 * 1024 * 1024


class QuestionnaireUploadForm(forms.Form):
    form_file = forms.FileField(
        label=gettext_lazy("XLSForm file (.xlsx)"),
        error_messages={"required": gettext_lazy("Choose an XLSForm file (.xlsx).")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_form_file(self) -> bytes:
        upload = self.cleaned_data["form_file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB.") % {"limit": MAX_BYTES // 1024 // 1024},
                code="too_large",
            )
        return upload.read()


@transaction.atomic
def questionnaire_upload(*, data: bytes, user: User) -> Survey:
    """Load an uploaded XLSForm; refuse to reload a survey the user does not organize."""
    slug = xlsform_read(source=data).data["slug"]
    exists = Survey.objects.filter(slug=slug).exists()
    if exists and not surveys_visible(user=user, role=Role.ORGANIZER).filter(slug=slug).exists():
        reason = _("a survey with the form_id “%(slug)s” exists and you do not organize it")
        raise XLSFormProblem("settings", 2, reason % {"slug": slug})
    survey = xlsform_load(source=data)
    if not exists:
        membership_add(survey=survey, user=user, role=Role.ORGANIZER)
    return survey


@organizer_required
@require_http_methods(["GET", "POST"])
def questionnaire_upload_view(request: HttpRequest) -> HttpResponse:
    form = QuestionnaireUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = questionnaire_upload(data=form.cleaned_data["form_file"], user=request.user)
        except XLSFormProblem as problem:
            form.add_error("form_file", str(problem))
        else:
            count = survey.questions.count()
            messages.success(
                request,
                _("Loaded %(slug)s: %(count)s questions.") % {"slug": survey.slug, "count": count},
            )
            return redirect("organize:survey", slug=survey.slug)
    status = 400 if form.is_bound else 200
    return render(request, "organize/questionnaire_upload.html", {"form": form}, status=status)
