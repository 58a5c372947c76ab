"""Text typed by respondents or editors is shown as text everywhere staff look at it."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from aggregates.rebuild import aggregates_rebuild
from surveys.models import Option, Response, SeedLink, Survey
from tests.fixtures.staff import logged_in, staff_user
from tests.flow import SCO_ANSWERS, complete_survey

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_payloads_from_respondents_and_editors_are_escaped_on_staff_pages(
    sco_survey: Survey,
) -> None:
    # An editor's option label and a seed link's label, and a respondent's "other" text.
    Option.objects.filter(question__code="trust", code="rather_yes").update(label_en=PAYLOAD)
    seed = SeedLink.objects.create(survey=sco_survey, label=PAYLOAD, note=PAYLOAD)
    answers = {**SCO_ANSWERS, "platforms__other": PAYLOAD}
    complete_survey(Client(), sco_survey, answers=answers, start_path=f"/en/r/{seed.code}/")
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    admin = User.objects.create_superuser("root", password="x-very-long-password-1")
    pages = {
        "dashboard": logged_in(staff_user("x-analyst", "Analysts")).get("/en/analytics/"),
        "monitor": logged_in(staff_user("x-organizer", "Organizers")).get("/en/organize/"),
        "tree": logged_in(admin).get(f"/en/organize/sco-2025/tree/{seed.pk}/"),
        "admin": logged_in(admin).get(
            f"/en/admin/surveys/response/{Response.objects.get().pk}/change/"
        ),
        "respondent": Client().get("/en/s/sco-2025/"),
    }
    for name, reply in pages.items():
        assert reply.status_code == 200, name
        html = reply.content.decode()
        assert PAYLOAD not in html, name
        assert "<script>alert" not in html, name
    assert "&lt;script&gt;" in pages["monitor"].content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages["admin"].content.decode()
