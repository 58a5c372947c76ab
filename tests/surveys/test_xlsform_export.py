"""export_questionnaire writes an XLSForm that loads back into the same questionnaire."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from surveys.models import Survey
from surveys.questionnaire.loader import questionnaire_load, questionnaire_read

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = [
    ROOT / "surveys" / "questionnaires" / "sco-2025.json",
    ROOT / "tests" / "data" / "questionnaires" / "campus-media-2026.json",
    ROOT / "tests" / "data" / "questionnaires" / "city-cycling-2026.json",
]
SURVEY_FIELDS = [
    "slug", "title_ru", "title_kk", "title_en", "description_ru", "description_kk",
    "description_en", "consent_ru", "consent_kk", "consent_en", "consent_label_ru",
    "consent_label_kk", "consent_label_en", "coupon_limit", "min_completion_seconds",
    "eligibility",
]  # fmt: skip


def snapshot(survey: Survey) -> dict[str, Any]:
    """Return everything a questionnaire is, without database ids."""
    pages = []
    for page in survey.ordered_pages():
        questions = []
        for question in page.questions.all():
            fields = {
                name: getattr(question, name)
                for name in (
                    "code", "kind", "required", "min_value", "max_value", "role", "relevant",
                    "constraint", "text_ru", "text_kk", "text_en", "help_ru", "help_kk",
                    "help_en", "constraint_message_ru", "constraint_message_kk",
                    "constraint_message_en",
                )
            }  # fmt: skip
            fields["options"] = [
                (o.code, o.is_other, o.label_ru, o.label_kk, o.label_en)
                for o in question.options.all()
            ]
            questions.append(fields)
        page_fields = {
            name: getattr(page, name)
            for name in ("code", "relevant", "title_ru", "title_kk", "title_en", "intro_en")
        }
        pages.append({**page_fields, "questions": questions})
    return {**{name: getattr(survey, name) for name in SURVEY_FIELDS}, "pages": pages}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_an_exported_questionnaire_loads_back_into_the_same_questionnaire(
    db: None, tmp_path: Path, path: Path
) -> None:
    survey = questionnaire_load(data=questionnaire_read(path=path))
    before = snapshot(survey)
    output = tmp_path / "form.xlsx"
    out = io.StringIO()
    call_command(
        "export_questionnaire", "--survey", survey.slug, "--output", str(output), stdout=out
    )
    assert f"Wrote {output}" in out.getvalue()
    Survey.objects.filter(pk=survey.pk).delete()
    call_command("load_questionnaire", str(output), stdout=io.StringIO())
    after = snapshot(Survey.objects.get(slug=survey.slug))
    assert json.dumps(after, ensure_ascii=False, sort_keys=True, indent=1) == json.dumps(
        before, ensure_ascii=False, sort_keys=True, indent=1
    )
