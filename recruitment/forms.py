"""The organizers' forms: a new seed link."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recruitment.seed_links import seed_label_taken
from surveys.links import policy
from surveys.models import Survey


class SeedLinkForm(forms.Form):
    label = forms.CharField(
        label=_("Label"),
        max_length=200,
        help_text=_("Whom or where the link goes to, e.g. “Almaty students, Telegram”."),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        help_text=_("Optional: country, channel, contact person."),
    )
    coupon_limit = forms.IntegerField(
        label=_("Completed responses allowed"),
        min_value=1,
        max_value=1_000_000,
        required=False,
        help_text=_("Leave empty for no limit. Starts at the limit of a personal link."),
    )
    valid_through = forms.DateField(
        label=_("Valid through"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Optional: the last day on which the link works."),
    )

    def __init__(self, *args: object, survey: Survey, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.survey = survey
        # A seed brings as many people as a personal link unless the organizer says otherwise.
        self.fields["coupon_limit"].initial = policy.personal_limit(survey=survey)

    def clean_label(self) -> str:
        label = self.cleaned_data["label"].strip()
        if not label:
            raise ValidationError(_("Give the link a label."), code="required")
        # Two links with one label cannot be told apart on the monitor or in the exports.
        if seed_label_taken(survey=self.survey, label=label):
            raise ValidationError(
                _("Another seed link of this survey already has this label."),
                code="duplicate_label",
            )
        return label

    def clean_valid_through(self) -> date | None:
        day = self.cleaned_data["valid_through"]
        if day is not None and day < timezone.localdate():
            raise ValidationError(
                _("The last valid day cannot be in the past."), code="expiry_in_past"
            )
        return day
