"""Signed webhooks: delivered once to a receiver that was down, verified, SSRF refused."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from standardwebhooks import Webhook

from surveys.models import Response, Survey
from tests.fixtures.recruitment import make_response
from tests.fixtures.staff import logged_in, staff_user
from tests.flow import complete_survey
from tests.system.test_deploy import ROOT, production_env
from tests.webhooks.receiver import Receiver, free_port
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_deliveries_run, webhook_event_emit

EVENTS = "response.completed,response.withdrawn,review.decided,link.used_up"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    # Not started: the receiver is down until the test starts it.
    down = Receiver(free_port())
    yield down
    down.stop()


@pytest.fixture
def quick_retries(settings: object) -> None:
    settings.WEBHOOK_RETRY_FIRST_SECONDS = 1
    settings.WEBHOOK_RETRY_MAX_SECONDS = 1
    settings.WEBHOOK_PUMP_SECONDS = 1


def _add(survey: Survey, url: str, events: str = EVENTS) -> str:
    out = io.StringIO()
    with translation.override("en"):  # whatever an earlier test left active
        return _added(survey, url, events, out)


def _added(survey: Survey, url: str, events: str, out: io.StringIO) -> str:
    call_command("add_webhook", f"--survey={survey.slug}", f"--url={url}", f"--events={events}",
                 stdout=out)  # fmt: skip
    return out.getvalue().strip().splitlines()[-1]


def _until(condition: object, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_a_receiver_down_when_the_event_came_gets_it_once_when_up_and_it_verifies(
    sco_survey: Survey, receiver: Receiver, quick_retries: None
) -> None:
    secret = _add(sco_survey, receiver.url)
    assert secret.startswith("whsec_")
    response = Response.objects.bulk_create([make_response(sco_survey)])[0]
    webhook_event_emit(survey_id=sco_survey.pk, event="response.completed", key=str(response.pk),
                       data={"response_id": response.pk})  # fmt: skip
    assert webhook_deliveries_run() == 0  # refused: nobody listens
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.last_error
    receiver.start()
    assert _until(lambda: webhook_deliveries_run() == 1)
    for _ in range(3):  # later rounds send nothing more
        time.sleep(0.3)
        webhook_deliveries_run()
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    assert headers["webhook-id"] == delivery.message_id
    assert Webhook(secret).verify(body, headers)["data"] == {"response_id": response.pk}
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(secret).verify(body.replace(str(response.pk), "0"), headers)
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts >= 2
    assert delivery.tries.count() == delivery.attempts


@pytest.mark.django_db(transaction=True)
def test_in_the_embedded_default_a_completed_response_reaches_a_receiver_that_comes_up_later(
    sco_survey: Survey, receiver: Receiver, quick_retries: None, settings: object
) -> None:
    # No worker: the web process's own loop sends and retries (webhooks/pump.py).
    settings.WEBHOOK_PUMP = True
    secret = _add(sco_survey, receiver.url, "response.completed")
    complete_survey(Client(), sco_survey)
    stored = Response.objects.get(survey=sco_survey)
    assert _until(lambda: WebhookDelivery.objects.filter(attempts__gte=1).exists())
    receiver.start()
    assert _until(lambda: receiver.received)
    time.sleep(2.5)  # more rounds of the loop: still one delivery
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    payload = Webhook(secret).verify(body, headers)
    assert payload["type"] == "response.completed"
    assert payload["data"]["response"]["id"] == stored.pk
    assert payload["data"]["response"]["answers"] == stored.answers
    assert stored.referral_code not in body and "withdraw" not in json.loads(body)["data"]
    settings.WEBHOOK_PUMP = False


def test_one_event_emitted_twice_is_one_delivery_per_endpoint(sco_survey: Survey) -> None:
    _add(sco_survey, "http://127.0.0.1:9/a")
    _add(sco_survey, "http://127.0.0.1:9/b")
    for _ in range(2):
        webhook_event_emit(survey_id=sco_survey.pk, event="link.used_up", key="seed:1", data={})
    assert WebhookDelivery.objects.count() == 2
    assert len(set(WebhookDelivery.objects.values_list("message_id", flat=True))) == 1


PRODUCTION_CHECK = (
    "import django, sys; django.setup(); "
    "from django.core.exceptions import ValidationError; "
    "from webhooks.ssrf import webhook_url_check\n"
    "for url in sys.argv[1:]:\n"
    "    try:\n"
    "        webhook_url_check(url=url); print('allowed', url)\n"
    "    except ValidationError as e:\n"
    "        print('refused', url)\n"
)


def _in_production(*urls: str, **extra: str) -> dict[str, str]:
    reply = subprocess.run(
        [sys.executable, "-c", PRODUCTION_CHECK, *urls],
        cwd=ROOT,
        env={**production_env(**extra), "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return {line.split()[1]: line.split()[0] for line in reply.stdout.splitlines()}


def test_production_settings_refuse_internal_and_plain_http_webhook_targets() -> None:
    internal = [
        "http://93.184.216.34/hook",  # plain http
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://10.0.0.5/hook",
        "https://192.168.1.10/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fe80::1]/hook",
    ]
    assert set(_in_production(*internal).values()) == {"refused"}
    assert _in_production("https://93.184.216.34/hook") == {"https://93.184.216.34/hook": "allowed"}
    listed = _in_production("https://10.0.0.5/hook", WEBHOOK_ALLOWED_HOSTS="10.0.0.5")
    assert listed == {"https://10.0.0.5/hook": "allowed"}


def test_add_webhook_refuses_an_internal_target_with_the_reason(
    sco_survey: Survey, settings: object
) -> None:
    settings.WEBHOOK_HTTPS_ONLY, settings.WEBHOOK_ALLOW_LOOPBACK = True, False
    with pytest.raises(CommandError, match="internal address"):
        _add(sco_survey, "https://127.0.0.1/hook")
    with pytest.raises(CommandError, match="https://"):
        _add(sco_survey, "http://93.184.216.34/hook")
    with pytest.raises(CommandError, match="Choose events"):
        _add(sco_survey, "https://93.184.216.34/hook", "response.nope")
    assert not WebhookEndpoint.objects.exists()


def test_a_target_that_became_internal_is_not_sent_to(
    sco_survey: Survey, receiver: Receiver, settings: object
) -> None:
    receiver.start()
    _add(sco_survey, receiver.url)
    settings.WEBHOOK_ALLOW_LOOPBACK = False  # as if the host now resolved to loopback
    webhook_event_emit(survey_id=sco_survey.pk, event="review.decided", key="1", data={})
    with translation.override("en"):
        assert webhook_deliveries_run() == 0 and not receiver.received
    assert "internal address" in WebhookDelivery.objects.get().last_error


def test_the_organizers_page_shows_the_secret_once_the_log_and_resends(
    sco_survey: Survey, receiver: Receiver
) -> None:
    receiver.start()
    organizer = logged_in(staff_user("olga", "Organizers", surveys=[sco_survey]))
    page = f"/en/organize/{sco_survey.slug}/webhooks/"
    added = organizer.post(page, {"url": receiver.url, "events": ["response.completed"]})
    secret = added.context["secret"]
    assert secret.startswith("whsec_") and secret in added.content.decode()
    assert secret not in organizer.get(page).content.decode()
    webhook_event_emit(survey_id=sco_survey.pk, event="response.completed", key="7", data={})
    webhook_deliveries_run()
    delivery = WebhookDelivery.objects.get()
    html = organizer.get(page).content.decode()
    assert delivery.message_id in html and "delivered" in html
    organizer.post(f"{page}deliveries/{delivery.pk}/resend/")
    webhook_deliveries_run()
    assert [h["webhook-id"] for h, _b in receiver.received] == [delivery.message_id] * 2
