"""The questionnaire as data: the shipped file, its loader, and edits refused once answered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction

from surveys.models import Option, Page, Question, Survey
from surveys.questionnaire.loader import (
    questionnaire_load,
    questionnaire_read,
    shipped_questionnaires,
)
from tests.flow import complete_survey

SPEC = Path(__file__).resolve().parents[1] / "data" / "questionnaire.md"


def _spec_codes() -> dict[str, list[str]]:
    """Read question codes and their option codes from the specification's tables."""
    codes: dict[str, list[str]] = {}
    for line in SPEC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) < 5 or not cells[1].startswith("`") or cells[1].startswith("`consent"):
            continue
        code = re.match(r"`([a-z_0-9]+)`", cells[1]).group(1)
        option_cell = cells[4] if code in _BLOCK_B else cells[3]
        codes[code] = re.findall(r"`([a-z_0-9]+)`", option_cell)
    return codes


_BLOCK_B = {
    "awareness",
    "impact",
    "initiatives",
    "platforms",
    "trust",
    "threats",
    "conflict_prevention",
}


def test_it_ships_every_question_and_option_code_of_the_specification(sco_survey: Survey) -> None:
    spec = _spec_codes()
    assert set(spec) <= set(sco_survey.questions.values_list("code", flat=True))
    for code, options in spec.items():
        stored = list(
            Option.objects.filter(question__survey=sco_survey, question__code=code)
            .order_by("position")
            .values_list("code", flat=True)
        )
        assert stored[: len(options)] == options, code


def test_multiple_choice_and_integer_kinds_match_the_specification(sco_survey: Survey) -> None:
    kinds = dict(sco_survey.questions.values_list("code", "kind"))
    assert kinds["platforms"] == kinds["conflict_prevention"] == "multiple"
    assert kinds["awareness"] == kinds["threats"] == "single"
    network = sco_survey.questions.get(code="network_size")
    assert (network.kind, network.min_value, network.max_value) == ("integer", 0, 5000)


def test_other_options_take_a_text(sco_survey: Survey) -> None:
    others = Option.objects.filter(question__survey=sco_survey, is_other=True)
    assert {o.question.code for o in others} >= {"country", "platforms", "threats", "status"}
    assert all(o.code == "other" for o in others)


def test_every_questionnaire_text_exists_in_russian_kazakh_and_english(sco_survey: Survey) -> None:
    objects = [sco_survey, *sco_survey.pages.all(), *sco_survey.questions.all()]
    objects += list(Option.objects.filter(question__survey=sco_survey))
    fields = {
        Survey: ["title", "consent", "consent_label"],
        Page: ["title"],
        Question: ["text"],
        Option: ["label"],
    }
    for obj in objects:
        for field in fields[type(obj)]:
            for language in ("ru", "kk", "en"):
                assert getattr(obj, f"{field}_{language}").strip(), (obj, field, language)


def test_kazakh_texts_are_written_in_kazakh(sco_survey: Survey) -> None:
    kazakh_letters = set("әғқңөұүһі")
    texts = " ".join(q.text_kk for q in sco_survey.questions.all())
    assert kazakh_letters & set(texts.lower())
    assert sco_survey.questions.get(code="awareness").text_kk != (
        sco_survey.questions.get(code="awareness").text_ru
    )


def test_loading_twice_changes_nothing(sco_survey: Survey) -> None:
    before = (Page.objects.count(), Question.objects.count(), Option.objects.count())
    call_command("load_questionnaire")
    call_command("load_questionnaire")
    assert (Page.objects.count(), Question.objects.count(), Option.objects.count()) == before
    assert Survey.objects.count() == 1


def test_loading_updates_edited_wording(sco_survey: Survey) -> None:
    data = questionnaire_read(path=shipped_questionnaires()[0])
    data["pages"][0]["questions"][0]["text"]["en"] = "Have you heard of digital diplomacy?"
    questionnaire_load(data=data)
    assert sco_survey.questions.get(code="awareness").text_en == (
        "Have you heard of digital diplomacy?"
    )


def test_it_refuses_recoding_a_question_once_the_survey_has_responses(
    sco_survey: Survey, client
) -> None:
    question = sco_survey.questions.get(code="awareness")
    question.code = "awareness_renamed"
    question.full_clean()  # no responses yet: allowed
    question.code = "awareness"
    complete_survey(client, sco_survey)
    question.code = "awareness_renamed"
    with pytest.raises(ValidationError) as refused:
        question.full_clean()
    assert refused.value.error_dict["__all__"][0].code == "questionnaire_locked"
    question.code, question.kind = "awareness", "multiple"
    with pytest.raises(ValidationError):
        question.full_clean()


def test_it_refuses_deleting_answered_questions_and_options(sco_survey: Survey, client) -> None:
    complete_survey(client, sco_survey)
    with pytest.raises(ValidationError, match="already has responses"), transaction.atomic():
        sco_survey.questions.get(code="trust").delete()
    with pytest.raises(ValidationError, match="already has responses"), transaction.atomic():
        Option.objects.filter(question__code="trust", code="rather_no").delete()
    option = Option.objects.get(question__code="trust", code="rather_no")
    option.code = "maybe_not"
    with pytest.raises(ValidationError):
        option.full_clean()
    assert sco_survey.questions.filter(code="trust").exists()


def test_the_admin_shows_a_message_instead_of_deleting_an_answered_question(
    sco_survey: Survey, client, admin_client
) -> None:
    complete_survey(client, sco_survey)
    question = sco_survey.questions.get(code="trust")
    reply = admin_client.post(
        f"/en/admin/surveys/question/{question.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert reply.status_code == 200
    assert "already has responses" in reply.content.decode()
    assert Question.objects.filter(pk=question.pk).exists()
