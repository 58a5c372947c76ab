"""Not asked is not "no answer": CSV, SPSS, Stata, codebook and the aggregates' base."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pyreadstat
import pytest
from django.test import Client

from aggregates.counting import count_plan, count_python
from exports.formats import export_write
from exports.options import ExportOptions
from exports.stream import export_chunks
from surveys.models import Response, Survey
from tests.flow import pace
from tests.surveys.test_skip_logic import cycling  # noqa: F401 (fixture)


def respond(survey: Survey, riding: dict[str, Any], *, district: str = "centre") -> Response:
    client = Client()
    base = f"/en/s/{survey.slug}/"
    client.post(base, {"consent": "on"})
    client.post(f"{base}p/1/", {"lives_city": "yes", "age": "30"})
    client.post(f"{base}p/2/", riding)
    if riding["rides_bike"] == "no":
        client.post(f"{base}p/3/", {"why_not": "safety"})
    pace(survey)
    done = client.post(f"{base}p/4/", {"district": district, "riders_known": "7"})
    assert done["Location"].endswith("/thanks/"), done.content.decode()[:500]
    return client.get(f"{base}thanks/").context["response"]


@pytest.fixture
def answered(cycling: Survey) -> dict[str, Response]:  # noqa: F811
    return {
        "rider": respond(cycling, {"rides_bike": "yes", "bike_kind": ["city"], "km_week": "40"}),
        "silent rider": respond(cycling, {"rides_bike": "yes", "bike_kind": ["electric"]}),
        "walker": respond(cycling, {"rides_bike": "no"}, district="outskirts"),
    }


def column(rows: list[list[str]], name: str) -> list[str]:
    index = rows[0].index(name)
    return [row[index] for row in rows[1:]]


def test_the_csv_leaves_a_question_not_asked_empty(answered: dict[str, Response]) -> None:
    survey = answered["rider"].survey
    data = b"".join(export_chunks(survey=survey, options=ExportOptions(kind="responses")))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert column(rows, "km_week") == ["40", "", ""]
    assert column(rows, "bike_kind__city") == ["1", "0", ""]
    assert column(rows, "why_not") == ["", "", "safety"]


@pytest.mark.parametrize("extension", ["sav", "dta"])
def test_statistics_files_tell_not_asked_from_no_answer(
    answered: dict[str, Response], tmp_path: Path, extension: str
) -> None:
    survey = answered["rider"].survey
    path = tmp_path / f"responses.{extension}"
    export_write(
        survey=survey,
        options=ExportOptions(kind="responses", format=extension, labels="en"),
        path=path,
    )
    reader = pyreadstat.read_sav if extension == "sav" else pyreadstat.read_dta
    frame, meta = reader(str(path), user_missing=True)
    km = list(frame["km_week"])
    assert km[0] == 40
    assert km[1] != km[1], "a rider who left it empty gave no answer: system-missing"
    if extension == "sav":
        assert km[2] == -99
        assert meta.missing_ranges["km_week"] == [{"lo": -99.0, "hi": -99.0}]
        assert meta.variable_value_labels["km_week"][-99.0] == "not asked"
        assert list(frame["bike_kind__city"]) == [1, 0, -99]
    else:
        assert km[2] == "a"
        assert meta.missing_user_values["km_week"] == ["a"]
        assert list(frame["bike_kind__city"]) == [1, 0, "a"]


def test_the_codebook_states_each_condition_in_words(answered: dict[str, Response]) -> None:
    survey = answered["rider"].survey
    data = b"".join(export_chunks(survey=survey, options=ExportOptions(kind="codebook")))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    header = rows[0]
    asked_when = {
        row[1]: dict(zip(header, row, strict=True)) for row in rows if row[3] == "asked_when"
    }
    assert set(asked_when) == {"bike_kind", "km_week", "why_not"}
    assert asked_when["bike_kind"]["wording_en"].startswith(
        "Asked when «Do you ride a bicycle?» is “Yes”; otherwise not asked"
    )
    assert asked_when["why_not"]["wording_ru"].startswith(
        "Задаётся, если «Вы ездите на велосипеде?» — это “Нет”; иначе не задаётся"
    )
    assert (
        "the number of choices at «Which bicycles do you ride?» is at least 1"
        in (asked_when["km_week"]["wording_en"])
    )
    (eligibility,) = [
        dict(zip(header, row, strict=True)) for row in rows if row[3] == "eligibility"
    ]
    assert eligibility["wording_en"] == (
        "(«Do you live in the city?» is “Yes”) and («How old are you?» is at least 18)"
    )


def test_the_aggregates_base_of_a_conditional_question_counts_those_asked(
    answered: dict[str, Response],
) -> None:
    survey = answered["rider"].survey
    cells = count_python(survey=survey, plan=count_plan(survey=survey))
    assert cells[("", "", "lives_city", "")] == 3
    assert cells[("", "", "bike_kind", "")] == 2
    assert cells[("", "", "why_not", "")] == 1
    # Crosstabs too: the walker from the outskirts was not asked which bicycles.
    assert cells[("district", "outskirts", "bike_kind", "")] == 0
    assert cells[("district", "centre", "bike_kind", "")] == 2
