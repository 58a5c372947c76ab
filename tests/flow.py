"""Walk the respondent's way through Django's test client, as a browser would."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from surveys.models import Draft, Response, Survey

# One full set of valid answers to the SCO questionnaire, as a respondent would tick them.
SCO_ANSWERS: dict[str, Any] = {
    "awareness": "partially",
    "impact": "moderately_positive",
    "initiatives": "fairly_effective",
    "platforms": ["telegram", "youtube", "other"],
    "platforms__other": "Signal",
    "trust": "rather_yes",
    "threats": "cyberattacks",
    "conflict_prevention": ["fast_exchange", "build_trust"],
    "country": "kz",
    "age_group": "under_30",
    "gender": "female",
    "status": "student",
    "sphere": "education",
    "network_size": 25,
}


def page_data(survey: Survey, number: int, answers: dict[str, Any]) -> dict[str, Any]:
    """Return the POST data of one page, taken from a full set of answers."""
    page = survey.ordered_pages()[number - 1]
    data: dict[str, Any] = {}
    for question in page.questions.all():
        for key in (question.code, question.code + "__other"):
            if key in answers:
                data[key] = answers[key]
    return data


# A person's time on a page. Respondents in tests answer in milliseconds, which the platform
# flags as too fast (surveys.paradata.speed); tests about something else take a person's pace.
PACE = timedelta(seconds=45)


def pace(survey: Survey) -> None:
    """Let a person's time pass on the page in hand (pages are timed from the draft's last save)."""
    Draft.objects.filter(survey=survey).update(updated_at=timezone.now() - PACE)


def complete_survey(
    client: Client,
    survey: Survey,
    *,
    language: str = "en",
    answers: dict[str, Any] | None = None,
    start_path: str | None = None,
    paced: bool = True,
    thanks_seen: bool = True,
) -> Response:
    """Consent, answer every page at a person's pace (or racing) and submit; return it."""
    answers = SCO_ANSWERS if answers is None else answers
    if start_path:
        opened = client.get(start_path)
        assert opened.status_code == 302, opened.status_code
    base = f"/{language}/s/{survey.slug}/"
    consent = client.post(base, {"consent": "on"})
    assert consent.status_code == 302, consent.content[:500]
    total = len(survey.ordered_pages())
    for number in range(1, total + 1):
        action = "submit" if number == total else "next"
        if paced:
            pace(survey)
        reply = client.post(
            f"{base}p/{number}/", {"action": action, **page_data(survey, number, answers)}
        )
        assert reply.status_code == 302, (number, reply.content.decode()[:2000])
    if not thanks_seen:
        # The first thank-you page (with its one-time withdrawal code) is left to the test.
        return Response.objects.filter(survey=survey).latest("pk")
    thanks = client.get(f"{base}thanks/")
    assert thanks.status_code == 200
    return thanks.context["response"]
