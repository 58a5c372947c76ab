"""XLSForm import: a Kobo-style form loads whole or not at all, with its row named."""
# ruff: noqa: RUF001 - Kazakh and Russian texts on purpose

from __future__ import annotations

import importlib.util
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

from surveys.models import DesignChange, Option, Question, Survey

FORMS = Path(__file__).resolve().parents[1] / "data" / "xlsforms"
FORM = FORMS / "youth-sport-2026.xlsx"
SLUG = "youth-sport-2026"

_spec = importlib.util.spec_from_file_location("make_youth_sport", FORMS / "make_youth_sport.py")
assert _spec is not None and _spec.loader is not None
maker: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(maker)


def load(path: Path) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("load_questionnaire", str(path), stdout=out)
    return out.getvalue()


def variant(tmp_path: Path, rows: list[list] | None = None, **settings: str) -> Path:
    path = tmp_path / "variant.xlsx"
    maker.build(rows, {**maker.SETTINGS, **settings} if settings else None).save(path)
    return path


def refused(path: Path) -> str:
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("load_questionnaire", str(path), stdout=io.StringIO())
    assert not Survey.objects.filter(slug=SLUG).exists(), "nothing may be half-loaded"
    return str(error.value)


@pytest.fixture
def youth(db: None) -> Survey:
    assert f"Loaded {SLUG}: 11 questions" in load(FORM)
    return Survey.objects.get(slug=SLUG)


def test_a_kobo_style_form_becomes_a_survey_with_pages_roles_rules_and_three_languages(
    youth: Survey,
) -> None:
    pages = youth.ordered_pages()
    assert [page.code for page in pages] == ["screening", "sport", "no_sport", "about"]
    assert pages[2].relevant == "${plays_sport} = 'no'"
    assert youth.eligibility == "${student} = 'yes' and ${age} >= 16"
    assert youth.form_version == "2026-01"
    assert (youth.title_en, youth.title_ru) == (
        "Students and sport (2026)",
        "Студенты и спорт (2026)",
    )
    assert youth.role_codes() == {
        "country": "city",
        "gender": "gender",
        "network_size": "students_known",
    }
    age = Question.objects.get(survey=youth, code="age")
    assert age.kind == "integer" and age.required and age.constraint == ". >= 14 and . <= 35"
    assert age.constraint_message_kk == "Жасыңызды 14 пен 35 аралығында жазыңыз."
    comments = Question.objects.get(survey=youth, code="comments")
    assert not comments.required
    assert Question.objects.get(survey=youth, code="no_sport_note").kind == "note"


def test_or_other_gets_the_platforms_own_other_option_in_every_language(youth: Survey) -> None:
    other = Option.objects.get(
        question__survey=youth, question__code="sports_played", is_other=True
    )
    assert (other.code, other.label_en, other.label_ru, other.label_kk) == (
        "other",
        "Other",
        "Другое",
        "Басқа",
    )


def test_the_loaded_form_opens_at_its_form_id_in_kazakh(youth: Survey) -> None:
    page = Client().get(f"/kk/s/{SLUG}/")
    assert page.status_code == 200
    client = Client()
    client.post(f"/kk/s/{SLUG}/", {"consent": "on"})
    first = client.get(f"/kk/s/{SLUG}/p/1/").content.decode()
    assert "Сіз студентсіз бе?" in first and "Жасыңыз нешеде?" in first


def test_loading_the_same_form_twice_changes_nothing(youth: Survey) -> None:
    load(FORM)
    assert Survey.objects.filter(slug=SLUG).count() == 1
    assert Question.objects.filter(survey=youth).count() == 11
    assert not DesignChange.objects.filter(survey=youth).exists()


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("geopoint", "the question type “geopoint” is not supported"),
        ("begin_repeat", "the question type “begin_repeat” is not supported"),
        ("calculate", "the column “calculation” is not supported"),
    ],
)
def test_an_unsupported_type_is_refused_with_its_row_and_nothing_is_loaded(
    db: None, tmp_path: Path, kind: str, reason: str
) -> None:
    rows = list(maker.SURVEY)
    extra = {"calculation": "random()"} if kind == "calculate" else {}
    rows.insert(3, maker.row(kind, "where", ("Where?", "Где?", "Қайда?"), **extra))
    if kind == "begin_repeat":
        rows.insert(4, maker.row("end_repeat"))
    message = refused(variant(tmp_path, rows))
    assert "sheet “survey”, row 5" in message and reason in message


def test_a_condition_that_does_not_parse_is_refused_with_its_row(db: None, tmp_path: Path) -> None:
    rows = list(maker.SURVEY)
    rows[8] = maker.row(
        "integer", "hours_week", ("Hours?", "Часы?", "Сағат?"), relevant="${plays_sport} = = 'yes'"
    )
    message = refused(variant(tmp_path, rows))
    assert "row 10" in message and "hours_week: relevant: does not parse" in message


def test_a_condition_naming_an_unknown_option_is_refused_with_its_row(
    db: None, tmp_path: Path
) -> None:
    rows = list(maker.SURVEY)
    rows[8] = maker.row(
        "integer",
        "hours_week",
        ("Hours?", "Часы?", "Сағат?"),
        relevant="selected(${sports_played}, 'golf')",
    )
    message = refused(variant(tmp_path, rows))
    assert "row 10" in message and "unknown option “golf”" in message


def test_an_eligibility_rule_naming_an_unknown_question_is_refused_on_the_settings_sheet(
    db: None, tmp_path: Path
) -> None:
    message = refused(variant(tmp_path, eligibility="${enrolled} = 'yes'"))
    assert "sheet “settings”, row 2" in message and "'enrolled'" in message


@pytest.mark.parametrize(
    ("changed", "reason"),
    [
        ({"form_id": "youth sport/2026"}, "form_id “youth sport/2026” must be letters"),
        ({"form_id": ""}, "form_id is missing"),
    ],
)
def test_a_form_id_that_is_no_slug_is_refused(
    db: None, tmp_path: Path, changed: dict[str, str], reason: str
) -> None:
    assert reason in refused(variant(tmp_path, **changed))


def test_an_unknown_role_or_language_is_refused_with_its_row(db: None, tmp_path: Path) -> None:
    rows = list(maker.SURVEY)
    rows[2] = maker.row("select_one yesno", "student", ("Student?",), role="income")
    message = refused(variant(tmp_path, rows))
    assert "row 4" in message and "the role “income” is not one of" in message


def test_a_reload_may_not_change_the_kind_of_an_answered_question(
    youth: Survey, tmp_path: Path
) -> None:
    from tests.fixtures.factories import ResponseFactory

    ResponseFactory(survey=youth, answers={"student": "yes", "age": 20})
    rows = list(maker.SURVEY)
    rows[3] = maker.row("text", "age", ("Age?", "Возраст?", "Жасы?"), required="yes")
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("load_questionnaire", str(variant(tmp_path, rows)), stdout=io.StringIO())
    assert "row 5" in str(error.value) and "already has responses" in str(error.value)
    assert Question.objects.get(survey=youth, code="age").kind == "integer"


def test_a_reload_with_a_changed_rule_writes_the_design_change_log(
    youth: Survey, tmp_path: Path
) -> None:
    load(variant(tmp_path, eligibility="${student} = 'yes' and ${age} >= 18"))
    change = DesignChange.objects.get(survey=youth)
    assert change.what == "eligibility" and change.new.endswith(">= 18")
