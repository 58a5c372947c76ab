"""Response filters refuse dates they cannot use, with an error beside the field, not a 500."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.http import HttpResponseBase

from aggregates.filters import ResponseFilter
from surveys.models import Survey
from tests.fixtures.analytics import submit
from tests.fixtures.staff import logged_in
from tests.flow import SCO_ANSWERS

FAR = "9999-12-31"


@pytest.fixture
def answered(sco_survey: Survey) -> Survey:
    submit(sco_survey, SCO_ANSWERS)
    return sco_survey


def _field_errors(page: str, field: str) -> str:
    """Return the text of the error shown for one field (crispy puts it after the input)."""
    start = page.index(f'id="id_{field}"')
    found = page.find("invalid-feedback", start)
    assert found != -1, f"no error is shown beside {field}"
    return html.unescape(page[found : page.index("</", found)])


def _export(analyst: User, survey: Survey, **dates: str) -> HttpResponseBase:
    """Ask the exports page for the wide responses under these dates."""
    form = {"survey": survey.slug, "kind": "responses", "labels": "codes", "delimiter": ","}
    return logged_in(analyst).post("/en/analytics/exports/", {**form, **dates})


@pytest.mark.parametrize(
    ("field", "day", "message"),
    [
        ("date_to", FAR, "less than or equal to 2100-12-31"),
        ("date_from", FAR, "less than or equal to 2100-12-31"),
        ("date_from", "0001-01-01", "greater than or equal to 2000-01-01"),
    ],
)
def test_the_dashboard_shows_a_far_date_as_an_error_beside_the_field(
    answered: Survey, analyst: User, field: str, day: str, message: str
) -> None:
    reply = logged_in(analyst).get("/en/analytics/", {"survey": answered.slug, field: day})
    assert reply.status_code == 200
    assert message in _field_errors(reply.content.decode(), field)


def test_the_dashboard_speaks_the_page_language_about_a_far_date(
    answered: Survey, analyst: User
) -> None:
    english = logged_in(analyst).get("/en/analytics/", {"date_to": FAR}).content.decode()
    russian = logged_in(analyst).get("/ru/analytics/", {"date_to": FAR}).content.decode()
    assert "Ensure this value is less than or equal to 2100-12-31." in _field_errors(
        english, "date_to"
    )
    assert "меньше либо равно 2100-12-31" in _field_errors(russian, "date_to")


def test_the_dashboard_shows_dates_in_the_wrong_order_beside_the_end_date(
    answered: Survey, analyst: User
) -> None:
    reply = logged_in(analyst).get(
        "/en/analytics/", {"date_from": "2026-05-01", "date_to": "2026-04-01"}
    )
    assert "The start date is after the end date." in _field_errors(
        reply.content.decode(), "date_to"
    )


def test_the_exports_page_refuses_a_far_date_with_an_error_beside_the_field(
    answered: Survey, analyst: User
) -> None:
    reply = _export(analyst, answered, date_to=FAR)
    assert reply.status_code == 400
    assert reply["Content-Type"].startswith("text/html")
    assert "2100-12-31" in _field_errors(reply.content.decode(), "date_to")


def test_the_exports_page_still_exports_within_the_range(answered: Survey, analyst: User) -> None:
    reply = _export(analyst, answered, date_from="2000-01-01", date_to="2100-12-31")
    assert reply.status_code == 200
    assert b"".join(reply.streaming_content).count(b"\n") == 2  # the header and one response


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--to", FAR], "outside 2000-01-01..2100-12-31"),
        (["--from", "1999-12-31"], "outside 2000-01-01..2100-12-31"),
        (["--from", "2026-05-01", "--to", "2026-04-01"], "is after the to date"),
        (["--to", "31.12.2026"], "is not a date YYYY-MM-DD"),
    ],
)
def test_the_export_command_refuses_impossible_dates_clearly(
    answered: Survey, tmp_path: Path, arguments: list[str], message: str
) -> None:
    output = tmp_path / "out.csv"
    with pytest.raises(CommandError, match=message):
        call_command("export_csv", "responses", "--output", str(output), *arguments)
    assert not output.exists()


def test_a_filter_cannot_be_made_with_a_date_it_cannot_use() -> None:
    with pytest.raises(ValueError, match="outside"):
        ResponseFilter(date_to=dt.date.max)
    assert ResponseFilter(date_to=dt.date(2100, 12, 31)).sql()[1]
