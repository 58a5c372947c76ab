"""The margins page's forms: one share per option of each margin question, or a CSV."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from estimates.margins.reader import MarginRow
from estimates.margins.selectors import MarginQuestion

MAX_UPLOAD_BYTES = 1_000_000


def share_field_name(question: str, option: str) -> str:
    """Return the form field of one option's share."""
    return f"share__{question}__{option}"


class MarginsForm(forms.Form):
    """Every option of every margin question as a share between 0 and 1, blank for none."""

    def __init__(self, *args: Any, questions: list[MarginQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for entry in questions:
            for option in entry.question.options.all():
                name = share_field_name(entry.question.code, option.code)
                self.fields[name] = forms.FloatField(
                    label=option.label,
                    required=False,
                    min_value=0,
                    max_value=1,
                    initial=entry.shares.get(option.code),
                    widget=forms.NumberInput(
                        attrs={"step": "any", "class": "form-control form-control-sm"}
                    ),
                )

    def rows(self) -> list[MarginRow]:
        """Return the entered shares; a question left wholly blank has no margin."""
        rows = []
        for entry in self.questions:
            for option in entry.question.options.all():
                share = self.cleaned_data.get(share_field_name(entry.question.code, option.code))
                if share is not None:
                    rows.append(MarginRow(entry.question.code, option.code, share))
        return rows

    def grouped(self) -> list[tuple[MarginQuestion, list[forms.BoundField]]]:
        """Return each question with the bound fields of its options, for the template."""
        return [
            (
                entry,
                [
                    self[share_field_name(entry.question.code, option.code)]
                    for option in entry.question.options.all()
                ],
            )
            for entry in self.questions
        ]


class MarginsUploadForm(forms.Form):
    """A margins CSV (question, option, share) as a file or pasted text."""

    file = forms.FileField(label=_("CSV file"), required=False)
    csv = forms.CharField(
        label=_("or paste the CSV"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control form-control-sm"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(
                    _("The file is too large (limit %(limit)s)."),
                    code="too_large",
                    params={"limit": filesizeformat(MAX_UPLOAD_BYTES)},
                )
            try:
                cleaned["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise forms.ValidationError(
                    _("The file is not UTF-8 text."), code="not_utf8"
                ) from error
        else:
            cleaned["text"] = cleaned.get("csv") or ""
        if not cleaned["text"].strip():
            raise forms.ValidationError(_("Choose a CSV file or paste one."), code="empty")
        return cleaned
