"""Every organizer, analyst, payments and admin address against every kind of visitor.

Anonymous visitors and respondents (a browser that answered, with no login) are sent to the
login page; staff without the page's permission get 403; the right role gets the page.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from exports.models import ExportJob
from surveys.models import SeedLink, Survey
from tests.fixtures.staff import logged_in
from tests.flow import complete_survey

ROLES = ("anonymous", "respondent", "analyst", "organizer", "payments", "admin")
ORGANIZE = {"organizer", "admin"}
ANALYSE = {"analyst", "admin"}
# Whoever pays sees the payout contacts; organizers and analysts do not.
PAY = {"payments", "admin"}
ADMIN = {"admin"}


def _urls(seed: SeedLink, job: ExportJob) -> list[tuple[str, str, set[str]]]:
    s = seed.survey.slug
    return [
        ("get", "/en/organize/", ORGANIZE),
        ("get", f"/en/organize/{s}/", ORGANIZE),
        ("get", f"/en/organize/{s}/seeds/new/", ORGANIZE),
        ("post", f"/en/organize/{s}/seeds/new/", ORGANIZE),
        ("post", f"/en/organize/{s}/seeds/{seed.pk}/deactivate/", ORGANIZE),
        ("post", f"/en/organize/{s}/seeds/{seed.pk}/reopen/", ORGANIZE),
        ("get", f"/en/organize/{s}/seeds/{seed.pk}/qr.svg", ORGANIZE),
        ("get", f"/en/organize/{s}/tree/{seed.pk}/", ORGANIZE),
        ("get", f"/en/organize/{s}/tree/{seed.pk}.json", ORGANIZE),
        ("get", f"/en/organize/{s}/recruitment.csv", ORGANIZE),
        ("get", f"/en/organize/{s}/seeds/{seed.pk}/edit/", ORGANIZE),
        ("get", f"/en/organize/{s}/flagged/", ORGANIZE),
        ("get", f"/en/organize/{s}/digest/", ORGANIZE),
        ("get", f"/en/organize/{s}/alerts/thresholds/", ORGANIZE),
        ("get", f"/en/organize/{s}/incentives/", ORGANIZE),
        ("get", f"/en/organize/{s}/payouts/", PAY),
        ("post", f"/en/organize/{s}/payouts/contacts/", PAY),
        ("post", f"/en/organize/{s}/payouts/download/", PAY),
        ("post", f"/en/organize/{s}/alerts/snooze/", ORGANIZE),
        ("get", f"/en/organize/{s}/settings/", ORGANIZE),
        ("get", "/en/analytics/", ANALYSE),
        ("post", "/en/analytics/rebuild/", ANALYSE),
        ("get", f"/en/analytics/{s}/rds/awareness/", ANALYSE),
        ("get", "/en/analytics/exports/", ANALYSE),
        ("get", f"/en/analytics/{s}/population/", ANALYSE),
        ("get", f"/en/analytics/{s}/population/estimate/", ANALYSE),
        ("get", f"/en/analytics/exports/?survey={s}&kind=responses", ANALYSE),
        ("get", f"/en/analytics/exports/{s}/bundle/", ANALYSE),
        ("get", f"/en/analytics/exports/{job.pk}/", ANALYSE),
        ("get", f"/en/analytics/exports/{job.pk}/status/", ANALYSE),
        ("get", "/en/admin/", ADMIN),
        ("get", "/en/admin/surveys/response/", ADMIN),
        ("get", "/en/admin/surveys/question/", ADMIN),
        ("get", "/en/admin/auth/user/", ADMIN),
    ]


def _account(username: str, *options: str) -> User:
    """Return an account made the way a study team makes one: with create_staff."""
    call_command("create_staff", f"--username={username}", "--password-env=MATRIX_PW", *options)
    return User.objects.get(username=username)


@pytest.fixture
def clients(sco_survey: Survey, monkeypatch: pytest.MonkeyPatch) -> dict[str, Client]:
    monkeypatch.setenv("MATRIX_PW", "x-very-long-password-1")
    respondent = Client()
    complete_survey(respondent, sco_survey)
    return {
        "anonymous": Client(),
        "respondent": respondent,
        "analyst": logged_in(
            _account("matrix-analyst", "--role=analyst", f"--survey={sco_survey.slug}")
        ),
        "organizer": logged_in(
            _account("matrix-organizer", "--role=organizer", f"--survey={sco_survey.slug}")
        ),
        "payments": logged_in(
            _account("matrix-payer", "--role=payments", f"--survey={sco_survey.slug}")
        ),
        "admin": logged_in(_account("root", "--role=both", "--superuser")),
    }


def test_every_staff_address_admits_only_its_roles(
    sco_survey: Survey, clients: dict[str, Client]
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="matrix seed")
    # The analyst's own job: an analyst sees their jobs, the admin sees all.
    owner = User.objects.get(username="matrix-analyst")
    job = ExportJob.objects.create(owner=owner, survey=sco_survey, kind="responses", file_name="x")
    checked = 0
    for method, url, allowed in _urls(seed, job):
        for role in ROLES:
            data = (
                # One label per role: a survey refuses a second seed link with the same label.
                {"survey": sco_survey.slug, "label": f"from the matrix, {role}"}
                if method == "post"
                else {}
            )
            reply = getattr(clients[role], method)(url, data)
            status = reply.status_code
            if role in allowed:
                assert status in {200, 302}, (role, method, url, status)
                # A staff page holds a study's data: no browser or proxy keeps a copy.
                assert "no-store" in reply.headers.get("Cache-Control", ""), (role, url)
                if status == 302:
                    assert "login" not in reply.headers["Location"], (role, url)
            elif role in {"anonymous", "respondent"}:
                assert status == 302 and "login" in reply.headers["Location"], (role, url, status)
            elif url.startswith("/en/admin/"):
                # Staff without admin rights meet the admin's own login page.
                assert status == 302 and "/admin/login/" in reply.headers["Location"], (role, url)
            else:
                assert status == 403, (role, method, url, status)
            checked += 1
    assert checked == len(ROLES) * len(_urls(seed, job))
    # Refused POSTs changed nothing: one seed link from the organizer and one from the admin.
    assert SeedLink.objects.filter(label__startswith="from the matrix").count() == 2


def test_an_export_job_is_hidden_from_other_analysts(
    sco_survey: Survey, clients: dict[str, Client]
) -> None:
    owner = User.objects.get(username="root")
    job = ExportJob.objects.create(owner=owner, survey=sco_survey, kind="responses", file_name="x")
    for url in (f"/en/analytics/exports/{job.pk}/", f"/en/analytics/exports/{job.pk}/download/"):
        assert clients["analyst"].get(url).status_code == 404
