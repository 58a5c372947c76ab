"""The loader refuses a questionnaire whose slug or codes are not slugs; file names stay safe."""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from exports.bundle import bundle_write
from surveys.models import Survey
from surveys.questionnaire.loader import (
    questionnaire_load,
    questionnaire_read,
    shipped_questionnaires,
)


@pytest.fixture
def data() -> dict[str, Any]:
    return questionnaire_read(path=shipped_questionnaires()[0])


def _with(data: dict[str, Any], where: str, value: str) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    question = changed["pages"][0]["questions"][0]
    target = {
        "slug": changed,
        "page": changed["pages"][0],
        "question": question,
        "option": question["options"][0],
    }[where]
    target["slug" if where == "slug" else "code"] = value
    return changed


@pytest.mark.parametrize("where", ["slug", "page", "question", "option"])
@pytest.mark.parametrize("value", ["../../zipslip", "a/b", "with space", "", "é<script>"])
def test_a_slug_or_code_that_is_not_a_slug_is_refused_before_anything_is_written(
    db: None, data: dict[str, Any], where: str, value: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        questionnaire_load(data=_with(data, where, value))
    assert "is not a valid code" in str(refused.value)
    assert not Survey.objects.exists()


def test_the_bundle_names_its_files_from_safe_parts_even_for_a_slug_written_around_the_loader(
    sco_survey: Survey, tmp_path: Path
) -> None:
    Survey.objects.filter(pk=sco_survey.pk).update(slug="../../zipslip")
    output = tmp_path / "bundle.zip"
    survey = Survey.objects.get(pk=sco_survey.pk)
    bundle_write(survey=survey, path=output)
    with zipfile.ZipFile(output) as bundle:
        names = bundle.namelist()
    assert all(".." not in name and not name.startswith("/") for name in names), names
    assert "data/zipslip.sav" in names


def test_the_shipped_questionnaire_still_loads(db: None) -> None:
    call_command("load_questionnaire")
    assert Survey.objects.filter(slug="sco-2025").exists()
