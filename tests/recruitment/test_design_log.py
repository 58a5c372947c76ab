"""Every change of the survey's design is logged (what, old → new, who, when) and shown."""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.models import User
from django.utils import timezone

from estimates.rds.importer import rds_import
from surveys.models import DesignChange, SeedLink, Survey
from surveys.quality.design_log import design_change_record, design_changes
from surveys.questionnaire.loader import (
    questionnaire_load,
    questionnaire_read,
    shipped_questionnaires,
)
from tests.fixtures.staff import logged_in

What = DesignChange.What


def _log(survey: Survey) -> list[tuple[str, str, str]]:
    return [(row.what, row.old, row.new) for row in DesignChange.objects.filter(survey=survey)]


def test_seed_links_created_changed_closed_and_reopened_on_the_monitor_are_logged(
    sco_survey: Survey, organizer: User
) -> None:
    client = logged_in(organizer)
    base = f"/en/organize/{sco_survey.slug}/seeds/"
    client.post(f"{base}new/", {"label": "Astana", "coupon_limit": 5})
    seed = SeedLink.objects.get()
    day = timezone.localdate() + timedelta(days=10)
    reply = client.post(
        f"{base}{seed.pk}/edit/", {"note": "", "coupon_limit": 8, "valid_through": day}
    )
    assert reply.status_code == 302
    client.post(f"{base}{seed.pk}/deactivate/")
    client.post(f"{base}{seed.pk}/reopen/")

    log = _log(sco_survey)
    assert log[:2] == [(What.SEED_LINK_ACTIVE, "", "open"), (What.SEED_LINK_LIMIT, "", "5")]
    assert (What.SEED_LINK_LIMIT, "5", "8") in log
    expiry = next(row for row in log if row[0] == What.SEED_LINK_EXPIRY)
    assert expiry[1] == "never" and expiry[2].startswith((day + timedelta(days=1)).isoformat())
    assert log[-2:] == [
        (What.SEED_LINK_ACTIVE, "open", "closed"),
        (What.SEED_LINK_ACTIVE, "closed", "open"),
    ]
    assert set(DesignChange.objects.values_list("changed_by", flat=True)) == {organizer.pk}

    page = client.get(f"/en/organize/{sco_survey.slug}/").content.decode()
    assert 'id="design-changes"' in page and "5 → 8" in page and "open → closed" in page
    assert "seed link&#x27;s limit" in page or "seed link's limit" in page


def test_saving_a_seed_link_unchanged_logs_nothing(sco_survey: Survey, organizer: User) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Bishkek", coupon_limit=3)
    client = logged_in(organizer)
    client.post(
        f"/en/organize/{sco_survey.slug}/seeds/{seed.pk}/edit/", {"note": "x", "coupon_limit": 3}
    )
    assert _log(sco_survey) == []
    assert (
        design_change_record(
            survey=sco_survey, what=What.POPULATION_SIZE, old="5", new="5", user=None
        )
        is None
    )


def test_the_admin_logs_the_coupon_limit_and_the_population_size(sco_survey: Survey) -> None:
    admin = User.objects.create_superuser("root", password="x-very-long-password-1")
    client = logged_in(admin)
    url = f"/en/admin/surveys/survey/{sco_survey.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, dict | list)
    }
    data.update(coupon_limit=5, is_open="on")
    reply = client.post(url, data)
    assert reply.status_code == 302, reply.context["adminform"].form.errors
    # N is the analysts' setting, with its own admin page since it left the survey's.
    sizes = {"population_size": 20000, "population_size_low": 15000, "population_size_high": 30000}
    reply = client.post(
        "/en/admin/estimates/estimationsettings/add/",
        {"survey": sco_survey.pk, "interval_method": "tree", **sizes},
    )
    assert reply.status_code == 302, reply.context["adminform"].form.errors
    assert sorted(_log(sco_survey)) == [
        (What.POPULATION_SIZE, "unknown", "20000 (15000-30000)"),
        (What.SURVEY_COUPON_LIMIT, "3", "5"),
    ]
    assert set(DesignChange.objects.values_list("changed_by", flat=True)) == {admin.pk}


def test_reloading_a_questionnaire_with_another_coupon_limit_is_logged(sco_survey: Survey) -> None:
    data = questionnaire_read(path=shipped_questionnaires()[0])
    questionnaire_load(data=data)
    assert _log(sco_survey) == []
    changed = copy.deepcopy(data)
    changed["coupon_limit"] = 0
    questionnaire_load(data=changed)
    assert _log(sco_survey) == [(What.SURVEY_COUPON_LIMIT, "3", "unlimited")]


def test_an_imported_data_set_logs_its_population_size(tmp_path: Path, db: None) -> None:
    path = tmp_path / "sample.csv"
    path.write_text("id,recruiter.id,network.size,X\n1,seed,5,a\n2,1,3,b\n", encoding="utf-8")
    result = rds_import(path=path, slug="imported", outcomes=["X"], population_size=1000)
    assert _log(result.survey) == [(What.POPULATION_SIZE, "", "1000")]


def test_the_selector_gives_the_changes_in_words_for_the_readme(
    sco_survey: Survey, organizer: User
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Minsk")
    design_change_record(
        survey=sco_survey,
        what=What.SEED_LINK_LIMIT,
        old="unlimited",
        new="4",
        user=organizer,
        seed_link=seed,
    )
    (change,) = design_changes(survey=sco_survey)
    assert (change.what_label, change.seed_link, change.old, change.new, change.changed_by) == (
        "seed link's limit",
        "Minsk",
        "unlimited",
        "4",
        organizer.username,
    )
