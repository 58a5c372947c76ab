"""The export request: what, in which file format, labels and CSV dialect, under which filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from analytics.forms import FilterForm, small_fields
from exports.options import KINDS, LABELLED_FORMATS, ExportOptions


def codebook_label(names: list[str]) -> str:
    """Return the codebook choice's label, naming the questionnaire's languages."""
    return _("Codebook (codes with wording in %(languages)s)") % {"languages": ", ".join(names)}


class ExportForm(FilterForm):
    """What to export, in which file format, labels and CSV dialect."""

    kind = forms.ChoiceField(
        label=_("Export"),
        choices=[
            ("responses", _("Responses, one row per response (wide)")),
            ("long", _("Answers, one row per answer (long)")),
            (
                "paradata",
                _(
                    "Paradata: seconds per page, language switches and device, "
                    "one row per response and page (long)"
                ),
            ),
            ("aggregates", _("Aggregate table (counts and shares)")),
            ("crosstabs", _("Crosstabs by every breakdown question, language and wave")),
            ("codebook", ""),  # names the languages: set in __init__
        ],
    )
    format = forms.ChoiceField(
        label=_("File"),
        choices=[
            ("csv", _("CSV")),
            ("xlsx", _("Excel workbook (.xlsx), with the codebook on a second sheet")),
            ("sav", _("SPSS (.sav), with variable and value labels")),
            ("dta", _("Stata (.dta), with variable and value labels")),
        ],
        initial="csv",
        required=False,  # CSV when left out, as before there was a choice
    )
    labels = forms.ChoiceField(label=_("Answers as"), initial="codes")
    delimiter = forms.ChoiceField(
        label=_("Separator"),
        choices=[(",", _("comma ,")), (";", _("semicolon ; (Excel in many locales)"))],
        initial=",",
    )
    bom = forms.BooleanField(
        label=_("Byte order mark, so that Excel reads Cyrillic and Kazakh letters"),
        required=False,
        initial=True,
    )

    field_order = ["kind", "format", "labels", "delimiter", "bom"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = [str(name) for _code, name in settings.LANGUAGES]
        kinds = self.fields["kind"].choices
        self.fields["kind"].choices = [
            (kind, label if kind != "codebook" else codebook_label(names)) for kind, label in kinds
        ]
        self.fields["labels"].choices = [("codes", _("codes"))] + [
            (code, _("%(language)s labels") % {"language": name})
            for code, name in settings.LANGUAGES
        ]
        self.order_fields(self.field_order)
        self.helper = small_fields(
            self,
            columns={"kind": "col-12 col-lg-6", "format": "col-12 col-md-6 col-lg-4"},
            default="col-6 col-md-4 col-lg-2",
            gutter="gx-3",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if cleaned.get("format") in LABELLED_FORMATS and kind and kind != "responses":
            self.add_error(
                "format",
                ValidationError(
                    _("SPSS and Stata files hold the responses (one row per response) only."),
                    code="format_kind",
                ),
            )
        return cleaned

    def options(self) -> ExportOptions:
        """Return the export options of a valid form."""
        data = self.cleaned_data
        assert data["kind"] in KINDS
        return ExportOptions(
            kind=data["kind"],
            labels=data["labels"],
            delimiter=data["delimiter"],
            bom=bool(data.get("bom")),
            filters=self.filters(),
            format=data.get("format") or "csv",
        )
