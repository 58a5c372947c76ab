"""Organizers and analysts set their survey's settings on their own pages, logged in the log."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils import translation

from estimates.models import EstimationSettings
from surveys.models import DesignChange, Survey
from tests.fixtures.staff import logged_in

What = DesignChange.What


def _settings(survey: Survey, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "coupon_limit": survey.coupon_limit,
        "min_completion_seconds": survey.min_completion_seconds,
        "contact": survey.contact,
    }
    if survey.is_open:
        data["is_open"] = "on"
    if survey.allow_unattributed:
        data["allow_unattributed"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_an_organizer_sets_the_coupon_limit_and_contact_and_the_design_log_records_it(
    sco_survey: Survey, organizer: User
) -> None:
    browser = logged_in(organizer)
    page = browser.get("/ru/organize/sco-2025/settings/")
    assert page.status_code == 200 and 'name="coupon_limit"' in page.content.decode()
    data = _settings(sco_survey, coupon_limit=5, contact="study@example.org")
    reply = browser.post("/ru/organize/sco-2025/settings/", data)
    assert reply.status_code == 302
    sco_survey.refresh_from_db()
    assert sco_survey.coupon_limit == 5 and sco_survey.contact == "study@example.org"
    change = DesignChange.objects.get(what=What.SURVEY_COUPON_LIMIT)
    assert (change.old, change.new, change.changed_by) == ("3", "5", organizer)
    monitor = browser.get("/en/organize/sco-2025/").content.decode()
    assert 'href="/en/organize/sco-2025/settings/"' in monitor


def test_closing_the_survey_on_the_settings_page_reads_as_a_state_in_the_log(
    sco_survey: Survey, organizer: User
) -> None:
    browser = logged_in(organizer)
    data = _settings(sco_survey)
    data.pop("is_open")
    assert browser.post("/en/organize/sco-2025/settings/", data).status_code == 302
    sco_survey.refresh_from_db()
    assert not sco_survey.is_open
    log = browser.get("/en/organize/sco-2025/").content.decode()
    assert "survey state" in log and "open → closed" in log
    assert "seed link open" not in log


def test_a_bad_coupon_limit_is_refused_in_kazakh_and_nothing_changes(
    sco_survey: Survey, organizer: User
) -> None:
    reply = logged_in(organizer).post(
        "/kk/organize/sco-2025/settings/", _settings(sco_survey, coupon_limit=-1)
    )
    assert reply.status_code == 400
    with translation.override("kk"):
        assert translation.gettext("Survey settings") in reply.content.decode()
    sco_survey.refresh_from_db()
    assert sco_survey.coupon_limit == 3 and not DesignChange.objects.exists()


def test_an_analyst_cannot_open_the_organizers_settings(sco_survey: Survey, analyst: User) -> None:
    assert logged_in(analyst).get("/en/organize/sco-2025/settings/").status_code == 403


def test_an_analyst_sets_the_population_size_and_its_range_and_the_log_records_it(
    sco_survey: Survey, analyst: User
) -> None:
    browser = logged_in(analyst)
    assert browser.get("/en/analytics/sco-2025/population/").status_code == 200
    data = {"population_size": 50000, "population_size_low": 20000, "population_size_high": 90000}
    assert browser.post("/en/analytics/sco-2025/population/", data).status_code == 302
    stored = EstimationSettings.objects.get(survey=sco_survey)
    assert stored.population_sizes()[0] == 20000 and stored.population_size == 50000
    change = DesignChange.objects.get(what=What.POPULATION_SIZE)
    assert (change.old, change.new) == ("unknown", "50000 (20000-90000)")
    dashboard = browser.get("/en/analytics/?survey=sco-2025").content.decode()
    assert 'href="/en/analytics/sco-2025/population/"' in dashboard


def test_a_population_size_outside_its_range_is_refused_in_russian(
    sco_survey: Survey, analyst: User
) -> None:
    data = {"population_size": 500, "population_size_low": 20000, "population_size_high": 90000}
    reply = logged_in(analyst).post("/ru/analytics/sco-2025/population/", data)
    with translation.override("ru"):
        message = translation.gettext(
            "The population size must lie between its low and high guesses."
        )
    assert reply.status_code == 400 and message in reply.content.decode()
    assert not EstimationSettings.objects.filter(survey=sco_survey).exists()


def test_an_organizer_without_the_analyst_role_cannot_set_the_population_size(
    sco_survey: Survey, organizer: User
) -> None:
    reply = logged_in(organizer).post(
        "/en/analytics/sco-2025/population/", {"population_size": 100}
    )
    assert reply.status_code == 403
