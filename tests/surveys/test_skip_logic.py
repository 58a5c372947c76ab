"""Skip logic and answer checks: the server decides what is asked and what is stored."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from surveys.logic.expressions import ExpressionError, holds, parse
from surveys.models import Draft, Response, Survey
from surveys.questionnaire.loader import questionnaire_load
from tests.flow import pace

PATH = Path(__file__).resolve().parents[1] / "data" / "questionnaires" / "city-cycling-2026.json"
BASE = "/en/s/city-cycling-2026/"


def cycling_data() -> dict[str, Any]:
    return json.loads(PATH.read_text(encoding="utf-8"))


@pytest.fixture
def cycling(db: None) -> Survey:
    return questionnaire_load(data=cycling_data())


def started(language: str = "en") -> Client:
    client = Client()
    assert client.post(f"/{language}/s/city-cycling-2026/", {"consent": "on"}).status_code == 302
    return client


def post(client: Client, number: int, data: dict[str, Any], language: str = "en") -> Any:
    return client.post(f"/{language}/s/city-cycling-2026/p/{number}/", data)


def opening_tag(page: str, marker: str) -> str:
    start = page.index(marker)
    return page[start : page.index(">", start)]


def draft() -> Draft:
    return Draft.objects.get()


def test_the_parser_reads_the_xlsform_conditions_questionnaires_use() -> None:
    answers = {"a": "yes", "b": ["x", "y"], "n": 7, "d": 2.5}
    assert holds("${a} = 'yes' and not(${a} != 'yes')", answers)
    assert holds("selected(${b}, 'y') and count-selected(${b}) = 2", answers)
    assert holds("(${n} > 6.5 or ${a} = 'no') and ${d} <= 2.5", answers)
    assert holds(". >= 18", answers, 18) and not holds(". >= 18", answers, 17)
    # Unanswered: comparisons with numbers fail, "!=" holds, as in ODK.
    assert not holds("${missing} > 3", answers) and holds("${missing} != 'x'", answers)


@pytest.mark.parametrize(
    "text", ["${a} = ", "${a} == 'x'", "eval('1')", "${a} = 'x' and", "selected(${a})", "$a = 1"]
)
def test_an_expression_that_does_not_parse_is_refused_with_where_reading_stopped(
    text: str,
) -> None:
    with pytest.raises(ExpressionError, match="at character"):
        parse(text)


@pytest.mark.parametrize(
    ("page", "question", "column", "value", "reason"),
    [
        (1, 1, "relevant", "${nobody} = 'yes'", "unknown question ${nobody}"),
        (1, 1, "relevant", "${rides_bike} = 'sometimes'", "unknown option “sometimes”"),
        (1, 1, "relevant", "${km_week} > 3", "not asked before it"),
        (1, 2, "constraint", ". < ", "does not parse"),
    ],
)
def test_a_condition_naming_what_does_not_exist_is_a_load_error_and_nothing_is_loaded(
    db: None, page: int, question: int, column: str, value: str, reason: str
) -> None:
    data = cycling_data()
    data["pages"][page]["questions"][question][column] = value
    code = data["pages"][page]["questions"][question]["code"]
    with translation.override("en"), pytest.raises(ValidationError, match=re.escape(reason)) as e:
        questionnaire_load(data=data)
    assert code in str(e.value)
    assert not Survey.objects.filter(slug="city-cycling-2026").exists()


def test_a_reload_that_changes_a_condition_writes_the_design_change_log(cycling: Survey) -> None:
    data = cycling_data()
    data["pages"][1]["questions"][2]["constraint"] = ". <= 500"
    data["eligibility"] = "${lives_city} = 'yes'"
    questionnaire_load(data=data)
    logged = {(c.what, c.old, c.new) for c in cycling.design_changes.all()}
    assert ("eligibility", "${lives_city} = 'yes' and ${age} >= 18", "${lives_city} = 'yes'") in (
        logged
    )
    assert (
        "question_logic",
        "km_week: constraint = . <= 1000",
        "km_week: constraint = . <= 500",
    ) in (logged)


def test_a_question_depending_on_an_answer_on_the_same_page_is_there_but_hidden(
    cycling: Survey,
) -> None:
    client = started()
    pace(cycling)
    assert post(client, 1, {"lives_city": "yes", "age": "30"}).status_code == 302
    page = client.get(f"{BASE}p/2/").content.decode()
    assert 'id="q-bike_kind" data-relevant=' in page
    assert 'id="q-bike_kind" data-relevant="[&quot;cmp&quot;' in page
    fieldset = opening_tag(page, 'id="q-bike_kind"')
    assert " hidden" in fieldset


def test_without_javascript_the_server_shows_a_question_its_page_just_made_relevant(
    cycling: Survey,
) -> None:
    client = started()
    post(client, 1, {"lives_city": "yes", "age": "30"})
    refused = post(client, 2, {"rides_bike": "yes", "action": "next"})
    assert refused.status_code == 400
    page = refused.content.decode()
    fieldset = opening_tag(page, 'id="q-bike_kind"')
    assert " hidden" not in fieldset
    assert "Please answer this question." in page


def test_answers_to_a_hidden_question_posted_anyway_are_not_stored(cycling: Survey) -> None:
    client = started()
    post(client, 1, {"lives_city": "yes", "age": "30"})
    reply = post(client, 2, {"rides_bike": "no", "bike_kind": ["city"], "km_week": "12"})
    assert reply.status_code == 302 and reply["Location"].endswith("/p/3/")
    assert draft().answers == {"lives_city": "yes", "age": 30, "rides_bike": "no"}


def test_a_page_whose_condition_fails_is_skipped_both_ways(cycling: Survey) -> None:
    client = started()
    post(client, 1, {"lives_city": "yes", "age": "30"})
    reply = post(client, 2, {"rides_bike": "yes", "bike_kind": ["city"], "km_week": "40"})
    assert reply["Location"].endswith("/p/4/")
    assert client.get(f"{BASE}p/3/")["Location"].endswith("/p/4/")
    back = post(client, 4, {"action": "back"})
    assert back["Location"].endswith("/p/2/")


def test_going_back_and_changing_the_branch_drops_the_answers_it_no_longer_asks(
    cycling: Survey,
) -> None:
    client = started()
    post(client, 1, {"lives_city": "yes", "age": "30"})
    post(
        client,
        2,
        {"rides_bike": "yes", "bike_kind": ["city", "other"], "bike_kind__other": "Tandem"},
    )
    assert post(client, 2, {"rides_bike": "yes", "bike_kind": ["city"], "km_week": "40"})
    post(client, 4, {"action": "back"})
    post(client, 2, {"rides_bike": "no"})
    assert "bike_kind" not in draft().answers and "km_week" not in draft().answers
    post(client, 3, {"why_not": "safety"})
    pace(cycling)
    done = post(client, 4, {"district": "centre", "riders_known": "12", "action": "submit"})
    assert done["Location"].endswith("/thanks/")
    response = Response.objects.get()
    assert response.answers == {
        "lives_city": "yes",
        "age": 30,
        "rides_bike": "no",
        "why_not": "safety",
        "district": "centre",
        "riders_known": 12,
    }
    assert response.other_texts == {}


def test_a_failed_constraint_shows_its_message_in_the_respondents_language(
    cycling: Survey,
) -> None:
    client = started("kk")
    post(client, 1, {"lives_city": "yes", "age": "30"}, language="kk")
    refused = post(
        client, 2, {"rides_bike": "yes", "bike_kind": ["city"], "km_week": "5000"}, language="kk"
    )
    assert refused.status_code == 400
    assert "Аптасына 1000 шақырымнан көп болуы мүмкін емес." in refused.content.decode()
    assert "km_week" not in draft().answers
    refused = post(client, 1, {"lives_city": "yes", "age": "7"}, language="kk")
    assert "Жасыңызды 10 бен 100 аралығында жазыңыз." in refused.content.decode()


def test_the_shipped_questionnaire_without_conditions_asks_every_question(
    sco_survey: Survey,
) -> None:
    from tests.flow import SCO_ANSWERS, complete_survey

    response = complete_survey(Client(), sco_survey)
    asked = {k for k in SCO_ANSWERS if not k.endswith("__other")}
    assert set(response.answers) == asked


def test_a_json_questionnaire_keeps_loading_when_it_has_no_conditions(db: None) -> None:
    data = copy.deepcopy(cycling_data())
    del data["eligibility"]
    for page in data["pages"]:
        page.pop("relevant", None)
        for question in page["questions"]:
            question.pop("relevant", None)
            question.pop("constraint", None)
    survey = questionnaire_load(data=data)
    assert survey.eligibility == "" and not survey.questions.exclude(relevant="").exists()
