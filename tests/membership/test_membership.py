"""Studies kept apart: a member of one survey sees its pages and nothing of another's."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import translation

from exports.models import ExportJob
from membership.models import Membership, Role
from surveys.models import SeedLink, Survey
from tests.fixtures.staff import logged_in, staff_user

CAMPUS = Path(__file__).resolve().parents[1] / "data" / "questionnaires" / "campus-media-2026.json"


@pytest.fixture
def campus(db: None) -> Survey:
    call_command("load_questionnaire", str(CAMPUS), stdout=io.StringIO())
    return Survey.objects.get(slug="campus-media-2026")


def _pages(survey: Survey, seed: SeedLink) -> list[str]:
    s = survey.slug
    return [
        f"/en/organize/{s}/",
        f"/en/organize/?survey={s}",
        f"/en/organize/{s}/tree/{seed.pk}/",
        f"/en/organize/{s}/tree/{seed.pk}.json",
        f"/en/organize/{s}/digest/",
        f"/en/organize/{s}/flagged/",
        f"/en/organize/{s}/recruitment.csv",
        f"/en/organize/{s}/members/",
        f"/en/analytics/?survey={s}",
        f"/en/analytics/exports/?survey={s}",
        f"/en/analytics/margins/{s}/",
        f"/en/analytics/exports/{s}/bundle/",
    ]


def test_a_member_of_one_survey_gets_its_pages_and_a_404_for_every_page_of_another(
    sco_survey: Survey, campus: Survey
) -> None:
    member = logged_in(staff_user("aigerim", "Organizers", "Analysts", surveys=[sco_survey]))
    own = SeedLink.objects.create(survey=sco_survey, label="own")
    other = SeedLink.objects.create(survey=campus, label="other")
    for url in _pages(sco_survey, own):
        assert member.get(url).status_code == 200, url
    for url in _pages(campus, other):
        assert member.get(url).status_code == 404, url
    # A POST to the other study changes nothing there.
    reply = member.post(f"/en/organize/{campus.slug}/seeds/new/", {"label": "sneaked in"})
    assert reply.status_code == 404
    assert not campus.seed_links.filter(label="sneaked in").exists()
    assert member.post("/en/analytics/rebuild/", {"survey": campus.slug}).status_code == 404


def test_the_menus_offer_only_the_surveys_one_is_a_member_of(
    sco_survey: Survey, campus: Survey
) -> None:
    member = logged_in(staff_user("aigerim", "Organizers", "Analysts", surveys=[sco_survey]))
    for url in ("/en/analytics/", "/en/analytics/exports/", "/en/organize/"):
        html = member.get(url).content.decode()
        assert sco_survey.slug in html, url
        assert campus.slug not in html and campus.title not in html, url
    # Someone in both sees both in the dashboard's survey menu.
    both = logged_in(staff_user("bota", "Analysts", surveys=[sco_survey, campus]))
    html = both.get("/en/analytics/").content.decode()
    assert f'value="{campus.slug}"' in html and f'value="{sco_survey.slug}"' in html


def test_the_default_survey_of_a_member_is_their_own_not_the_first_on_the_server(
    sco_survey: Survey, campus: Survey
) -> None:
    # "campus-media-2026" sorts before "sco-2025": a member of sco only must land on sco.
    member = logged_in(staff_user("aigerim", "Organizers", "Analysts", surveys=[sco_survey]))
    assert member.get("/en/organize/").context["survey"] == sco_survey
    assert member.get("/en/analytics/").context["survey"] == sco_survey


def test_a_staff_member_of_no_survey_sees_no_survey_at_all(
    sco_survey: Survey, campus: Survey
) -> None:
    member = logged_in(staff_user("nobody", "Organizers", "Analysts", surveys=[]))
    assert "survey" not in member.get("/en/organize/").context
    assert member.get("/en/analytics/").context.get("survey") is None
    assert member.get(f"/en/organize/{sco_survey.slug}/").status_code == 404


def test_a_membership_gives_only_its_role(sco_survey: Survey) -> None:
    # An analyst of the survey who is an organizer elsewhere does not organize this one.
    user = staff_user("dana", "Organizers", "Analysts", surveys=[])
    Membership.objects.create(survey=sco_survey, user=user, role=Role.ANALYST)
    client = logged_in(user)
    assert client.get(f"/en/analytics/margins/{sco_survey.slug}/").status_code == 200
    assert client.get(f"/en/organize/{sco_survey.slug}/").status_code == 404


def test_an_export_job_of_another_survey_is_out_of_reach_after_leaving_it(
    sco_survey: Survey, campus: Survey
) -> None:
    user = staff_user("erlan", "Analysts", surveys=[sco_survey, campus])
    job = ExportJob.objects.create(owner=user, survey=campus, kind="responses", file_name="x")
    client = logged_in(user)
    assert client.get(f"/en/analytics/exports/{job.pk}/").status_code == 200
    Membership.objects.filter(user=user, survey=campus).delete()
    for url in (f"/en/analytics/exports/{job.pk}/", f"/en/analytics/exports/{job.pk}/status/"):
        assert client.get(url).status_code == 404
    assert str(job.pk) not in client.get("/en/analytics/exports/").content.decode()


def test_a_superuser_sees_every_survey_without_a_membership(
    sco_survey: Survey, campus: Survey
) -> None:
    root = User.objects.create_superuser("root", password="x-very-long-password-1")
    client = logged_in(root)
    for survey in (sco_survey, campus):
        assert client.get(f"/en/organize/{survey.slug}/").status_code == 200
        assert client.get(f"/en/analytics/margins/{survey.slug}/").status_code == 200


def test_create_staff_adds_memberships_for_every_survey_named_and_again_when_rerun(
    sco_survey: Survey, campus: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PW", "x-very-long-password-1")
    out = io.StringIO()
    call_command(
        "create_staff",
        "--username=galym",
        "--password-env=PW",
        "--role=analyst",
        f"--survey={sco_survey.slug}",
        stdout=out,
    )
    assert f"Member of {sco_survey.slug} as analyst." in out.getvalue()
    call_command(
        "create_staff",
        "--username=galym",
        "--role=both",
        f"--survey={sco_survey.slug}",
        f"--survey={campus.slug}",
        stdout=io.StringIO(),
    )
    held = set(
        Membership.objects.filter(user__username="galym").values_list("survey__slug", "role")
    )
    assert held == {
        (s, r) for s in (sco_survey.slug, campus.slug) for r in ("organizer", "analyst")
    }
    with pytest.raises(CommandError, match="No survey with the slug nope"):
        call_command("create_staff", "--username=galym", "--survey=nope")


def test_an_organizer_adds_and_removes_members_of_their_survey_on_its_page(
    sco_survey: Survey, campus: Survey
) -> None:
    organizer = logged_in(staff_user("olga", "Organizers", surveys=[sco_survey]))
    colleague = staff_user("farida", surveys=[])
    page = f"/en/organize/{sco_survey.slug}/members/"
    added = organizer.post(page, {"username": "farida", "role": "analyst"}, follow=True)
    assert "farida is a member of this survey as analyst." in added.content.decode()
    # The new member's analyst pages open at once: the membership brought the permission.
    assert logged_in(colleague).get(f"/en/analytics/margins/{sco_survey.slug}/").status_code == 200
    membership = Membership.objects.get(user=colleague)
    organizer.post(f"{page}{membership.pk}/remove/")
    assert logged_in(colleague).get(f"/en/analytics/margins/{sco_survey.slug}/").status_code == 404
    # Nobody manages another study's members.
    other = f"/en/organize/{campus.slug}/members/"
    assert organizer.post(other, {"username": "olga", "role": "organizer"}).status_code == 404
    assert not Membership.objects.filter(survey=campus).exists()


def test_an_unknown_username_is_refused_in_the_pages_language(sco_survey: Survey) -> None:
    organizer = logged_in(staff_user("olga", "Organizers", surveys=[sco_survey]))
    reply = organizer.post(
        f"/kk/organize/{sco_survey.slug}/members/", {"username": "ghost", "role": "analyst"}
    )
    english = "No staff login with this username."
    with translation.override("kk"):
        kazakh = translation.gettext(english)
    assert reply.status_code == 400
    assert kazakh != english and kazakh in reply.content.decode()


def test_the_last_organizer_of_a_survey_cannot_be_removed(sco_survey: Survey) -> None:
    user = staff_user("olga", "Organizers", surveys=[sco_survey])
    organizer = logged_in(user)
    own = Membership.objects.get(user=user, role=Role.ORGANIZER)
    reply = organizer.post(f"/en/organize/{sco_survey.slug}/members/{own.pk}/remove/", follow=True)
    assert "The survey&#x27;s last organizer cannot be removed." in reply.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()


def test_the_admin_lists_the_members_of_each_study(sco_survey: Survey) -> None:
    staff_user("olga", "Organizers", surveys=[sco_survey])
    root = User.objects.create_superuser("root", password="x-very-long-password-1")
    html = logged_in(root).get("/en/admin/membership/membership/").content.decode()
    assert "olga" in html and sco_survey.slug in html


def test_whoever_pays_sees_the_payouts_of_their_survey_only(
    sco_survey: Survey, campus: Survey
) -> None:
    payer = logged_in(staff_user("pavel", "Payments", surveys=[sco_survey]))
    assert payer.get(f"/en/organize/{sco_survey.slug}/payouts/").status_code == 200
    assert payer.get(f"/en/organize/{campus.slug}/payouts/").status_code == 404
    reply = payer.post(f"/en/organize/{campus.slug}/payouts/download/")
    assert reply.status_code == 404
