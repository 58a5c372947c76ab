"""A respondent who takes a person's time over each page, without waiting for it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from surveys.models import Draft, Response, Survey
from surveys.paradata.timing import SERVED_FIELD, served_stamp
from tests.flow import SCO_ANSWERS, page_data


def answer_at_pace(
    client: Client,
    survey: Survey,
    *,
    seconds_per_page: int,
    start_path: str | None = None,
    extra: dict[int, dict[str, Any]] | None = None,
) -> Response:
    """Answer as a person does: open each page, spend the seconds on it, then go on.

    Time passing is written where the server reads it: the page's stamp says it was served
    that long ago, and the draft was last saved that long ago.
    """
    if start_path:
        assert client.get(start_path).status_code == 302
    base = f"/en/s/{survey.slug}/"
    assert client.post(base, {"consent": "on"}).status_code == 302
    draft = Draft.objects.latest("id")
    pages = survey.ordered_pages()
    for number, page in enumerate(pages, start=1):
        assert client.get(f"{base}p/{number}/").status_code == 200
        earlier = timezone.now() - timedelta(seconds=seconds_per_page)
        Draft.objects.filter(pk=draft.pk).update(updated_at=earlier)
        data = {
            "action": "submit" if number == len(pages) else "next",
            SERVED_FIELD: served_stamp(position=page.position, at=earlier),
            **page_data(survey, number, SCO_ANSWERS),
            **(extra or {}).get(number, {}),
        }
        reply = client.post(f"{base}p/{number}/", data)
        assert reply.status_code == 302, reply.content.decode()[:1000]
    return client.get(f"{base}thanks/").context["response"]
