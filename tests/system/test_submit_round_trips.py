"""A final submit, with what runs after its commit, reads only what may have changed since.

The settings every submit consults (the survey's webhook endpoints, its incentives) are kept in
each process under the questionnaire's version; saving them makes the very next submit see them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from incentives.models import LedgerEntry
from surveys.models import Response, Survey
from tests.flow import SCO_ANSWERS, page_data
from tests.webhooks.receiver import free_port
from webhooks.models import WebhookDelivery

SETTINGS_TABLES = ("incentives_incentivesettings", "webhooks_webhookendpoint")


def _submit(survey: Survey, on_commit: Callable[..., Any]) -> tuple[Client, list[str]]:
    """Walk to the last page, then submit; return the client and the submit's statements."""
    client = Client()
    base = f"/en/s/{survey.slug}/"
    client.post(base, {"consent": "on"})
    for number in range(1, 5):
        data = {"action": "next", **page_data(survey, number, SCO_ANSWERS)}
        client.post(f"{base}p/{number}/", data)
    data = {"action": "submit", **page_data(survey, 5, SCO_ANSWERS)}
    # The test's transaction never commits: the receivers run as the block ends, counted too.
    with CaptureQueriesContext(connection) as captured, on_commit(execute=True):
        reply = client.post(f"{base}p/5/", data)
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/thanks/")
    return client, [query["sql"] for query in captured.captured_queries]


def _reads_settings(statements: list[str]) -> bool:
    return any(table in sql for sql in statements for table in SETTINGS_TABLES)


def test_a_submit_reads_the_incentive_and_webhook_settings_again_only_once_they_change(
    sco_survey: Survey, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    on_commit = django_capture_on_commit_callbacks
    _submit(sco_survey, on_commit)  # this process reads them once
    _, statements = _submit(sco_survey, on_commit)
    assert not _reads_settings(statements), statements
    assert not LedgerEntry.objects.exists() and not WebhookDelivery.objects.exists()

    # An organizer turns incentives on: the next respondent sees their amount at once.
    call_command("set_incentives", f"--survey={sco_survey.slug}", "--currency=KZT",
                 "--primary=2000", stdout=io.StringIO())  # fmt: skip
    client, statements = _submit(sco_survey, on_commit)
    assert _reads_settings(statements)
    newest = Response.objects.filter(survey=sco_survey).latest("pk")
    assert LedgerEntry.objects.get().beneficiary == newest
    assert "2000" in client.get(f"/en/s/{sco_survey.slug}/thanks/").content.decode().replace(
        "\xa0", ""
    ).replace(" ", "").replace(",", "")

    # An endpoint is added (nobody listens on its port; the delivery waits for a retry).
    call_command("add_webhook", f"--survey={sco_survey.slug}",
                 f"--url=http://127.0.0.1:{free_port()}/hook", "--events=response.completed",
                 stdout=io.StringIO())  # fmt: skip
    _submit(sco_survey, on_commit)
    newest = Response.objects.filter(survey=sco_survey).latest("pk")
    assert WebhookDelivery.objects.get().event == "response.completed"
    assert str(newest.pk) in WebhookDelivery.objects.get().body
    _, statements = _submit(sco_survey, on_commit)
    assert not any("incentives_incentivesettings" in sql for sql in statements)
    assert WebhookDelivery.objects.count() == 2 and LedgerEntry.objects.count() == 3
