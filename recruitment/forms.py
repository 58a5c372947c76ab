"""The organizers' forms: seed links, review decisions, alert snoozes and thresholds."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recruitment.health.snooze import SNOOZE_DAYS
from recruitment.health.thresholds import KINDS, SETTINGS, thresholds_for
from recruitment.seed_links import seed_label_taken, valid_through
from surveys.links import policy
from surveys.models import Review, SeedLink, Survey

# Far beyond any fieldwork, and far from the end of the calendar (9999-12-31).
MAX_VALIDITY = timedelta(days=10 * 366)


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
        # A date field accepts 9999-12-31, the day after which no calendar has.
        latest = timezone.localdate() + MAX_VALIDITY
        if day is not None and day > latest:
            raise ValidationError(
                _("The last valid day can be %(latest)s at the latest."),
                code="expiry_too_far",
                params={"latest": latest.isoformat()},
            )
        return day


class SeedLinkEditForm(forms.Form):
    """A seed link's note, limit and last valid day; the label and the code stay."""

    note = SeedLinkForm.base_fields["note"]
    coupon_limit = SeedLinkForm.base_fields["coupon_limit"]
    valid_through = SeedLinkForm.base_fields["valid_through"]

    def __init__(self, *args: object, seed_link: SeedLink, **kwargs: object) -> None:
        initial = {
            "note": seed_link.note,
            "coupon_limit": seed_link.coupon_limit,
            "valid_through": valid_through(seed_link),
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["coupon_limit"].help_text = _("Leave empty for no limit.")

    clean_valid_through = SeedLinkForm.clean_valid_through


class SurveySettingsForm(forms.ModelForm):
    """What organizers set about their survey without the admin, which they cannot open."""

    class Meta:
        model = Survey
        fields = [
            "is_open",
            "coupon_limit",
            "allow_unattributed",
            "min_completion_seconds",
            "contact",
        ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coupon_limit"].max_value = 1000
        self.fields["coupon_limit"].validators.append(MaxValueValidator(1000))
        self.fields["coupon_limit"].widget.attrs["max"] = 1000
        self.fields["min_completion_seconds"].max_value = 24 * 60 * 60
        self.fields["min_completion_seconds"].validators.append(MaxValueValidator(24 * 60 * 60))
        self.fields["min_completion_seconds"].widget.attrs["max"] = 24 * 60 * 60


class ReviewForm(forms.Form):
    """An organizer's decision on a flagged response: accept, exclude, or reset ("")."""

    decision = forms.ChoiceField(choices=Review.choices, required=False)
    # Where to go back to: the monitor or the review page, checked by the view.
    next = forms.CharField(required=False, max_length=500)


class SnoozeForm(forms.Form):
    kind = forms.ChoiceField(choices=[(kind, kind) for kind in KINDS])
    key = forms.CharField(required=False, max_length=100)
    days = forms.TypedChoiceField(
        choices=[(days, days) for days in SNOOZE_DAYS], coerce=int, required=False
    )


class ThresholdsForm(forms.Form):
    """The alerts' thresholds; one field per ``recruitment.health.thresholds.SETTINGS``."""

    def __init__(self, *args: object, survey: Survey, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        current = thresholds_for(survey=survey)
        for setting in SETTINGS:
            field_class = forms.IntegerField if setting.whole else forms.DecimalField
            extra = {} if setting.whole else {"decimal_places": 1}
            self.fields[setting.field] = field_class(
                label=setting.label,
                help_text=_("%(help)s Default: %(default)s.")
                % {"help": setting.help, "default": floatformat(setting.default, -1)},
                min_value=setting.minimum,
                max_value=setting.maximum,
                initial=current[setting.kind][setting.name],
                **extra,
            )
