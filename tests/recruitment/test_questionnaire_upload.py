"""Organizers upload an XLSForm: a new survey, a refused form with its row, another study kept."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from membership.models import Membership
from surveys.models import Survey
from tests.fixtures.staff import logged_in, member_of, staff_user
from tests.surveys.test_xlsform import FORM, SLUG, maker

URL = "/{lang}/organize/questionnaire/upload/"


def upload(user: User, path: Path, lang: str = "en") -> object:
    data = SimpleUploadedFile("form.xlsx", path.read_bytes())
    return logged_in(user).post(URL.format(lang=lang), {"form_file": data})


def test_an_organizer_uploads_an_xlsform_and_organizes_the_new_survey(db: None) -> None:
    organizer = staff_user("olga-organizer", "Organizers", surveys=[])
    assert logged_in(organizer).get(URL.format(lang="en")).status_code == 200
    reply = upload(organizer, FORM)
    assert reply.status_code == 302 and reply["Location"].endswith(f"/organize/{SLUG}/")
    survey = Survey.objects.get(slug=SLUG)
    assert survey.questions.count() == 11
    assert Membership.objects.filter(survey=survey, user=organizer, role="organizer").exists()


def test_a_broken_form_is_refused_in_kazakh_with_its_row_and_nothing_is_loaded(
    organizer: User, tmp_path: Path
) -> None:
    rows = list(maker.SURVEY)
    rows.insert(3, maker.row("geopoint", "where", ("Where?",)))
    path = tmp_path / "broken.xlsx"
    maker.build(rows).save(path)
    reply = upload(organizer, path, lang="kk")
    assert reply.status_code == 400
    page = reply.content.decode()
    assert "«survey» парағы, 5-жол" in page and "«geopoint» сұрақ түріне" in page
    assert not Survey.objects.filter(slug=SLUG).exists()


def test_an_upload_cannot_reload_a_survey_of_another_study(db: None) -> None:
    owner = staff_user("aigerim-organizer", "Organizers", surveys=[])
    organizer = staff_user("olga-organizer", "Organizers", surveys=[])
    upload(owner, FORM)
    survey = Survey.objects.get(slug=SLUG)
    reply = upload(organizer, FORM)
    assert reply.status_code == 400
    assert "you do not organize it" in reply.content.decode()
    assert not Membership.objects.filter(survey=survey, user=organizer).exists()
    member_of(organizer, [survey])
    assert upload(organizer, FORM).status_code == 302


def test_an_analyst_may_not_upload_a_questionnaire(analyst: User) -> None:
    assert upload(analyst, FORM).status_code == 403
    assert not Survey.objects.filter(slug=SLUG).exists()
