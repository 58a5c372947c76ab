"""The incentives' forms: the respondent's payout contact, the organizers' settings, a payment."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from incentives.configure import FIELDS
from incentives.models import IncentiveSettings


class PayoutContactForm(forms.Form):
    """The optional payout contact on the thank-you page: a phone number or an e-mail."""

    payout_contact = forms.CharField(
        label=_("Phone number or e-mail for your payment"),
        max_length=254,
        help_text=_(
            "Optional. Kept encrypted, apart from your answers, only to pay you, and erased "
            "after the last payment."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "text"}),
    )


class IncentiveSettingsForm(forms.ModelForm):
    """The organizers' settings; the service validates the model and logs the changes."""

    class Meta:
        model = IncentiveSettings
        fields = list(FIELDS)
        widgets = {
            "payout_methods_ru": forms.Textarea(attrs={"rows": 2}),
            "payout_methods_kk": forms.Textarea(attrs={"rows": 2}),
            "payout_methods_en": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "payout_methods_en": _("One method a line, e.g. Kaspi transfer; mobile top-up."),
            "budget": _("Optional. The monitor warns when the amounts reach 80 percent of it."),
        }


class PayBatchForm(forms.Form):
    """Mark the chosen respondents' approved amounts paid, with the payment's reference."""

    reference = forms.CharField(label=_("Payment reference"), max_length=100)
    respondent = forms.MultipleChoiceField(
        label=_("Respondents"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: object, codes: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["respondent"].choices = [(code, code) for code in codes]
