"""The organizers' forms: a new seed link."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
        help_text=_("Leave empty for no limit."),
    )
    valid_through = forms.DateField(
        label=_("Valid through"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Optional: the last day on which the link works."),
    )

    def clean_label(self) -> str:
        label = self.cleaned_data["label"].strip()
        if not label:
            raise ValidationError(_("Give the link a label."), code="required")
        return label

    def clean_valid_through(self) -> date | None:
        day = self.cleaned_data["valid_through"]
        if day is not None and day < timezone.localdate():
            raise ValidationError(
                _("The last valid day cannot be in the past."), code="expiry_in_past"
            )
        return day
