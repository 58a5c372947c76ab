"""Staff pages on a 360 px phone in Russian, Kazakh and English: nothing wider than the phone,
every scrolling table reachable by keyboard, and axe-core finds no serious or critical fault."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from aggregates.rebuild import aggregates_rebuild
from api.tokens import api_token_create
from incentives.ledger import entries_accrue
from surveys.models import QuestionRole, Response, SeedLink, Survey
from tests.fixtures.browser import log_in_browser
from tests.fixtures.staff import staff_user
from tests.system.test_accessibility import AXE, RUN
from webhooks.models import Event, WebhookDelivery, WebhookEndpoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 360
WIDTH = """() => [document.documentElement.scrollWidth,
  [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361
     && !e.closest('.table-responsive')).slice(0, 5).map(e => e.tagName + '#' + e.id + '.'
     + e.className)]"""


def _members_tokens_webhooks_payouts(survey: Survey) -> None:
    """Give the organizers' other pages rows to show: a token, a webhook, owed incentives."""
    api_token_create(survey=survey, name="Партнёрлардың деректер панелі (dashboard)")
    endpoint = WebhookEndpoint.objects.create(
        survey=survey,
        url="https://hooks.example.org/a-rather-long-path/for-the-study/sco-2025/events",
        events=[Event.values[0]],
        secret="whsec_test",
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id="msg_phone",
        event=Event.values[0],
        body="{}",
        status=WebhookDelivery.Status.FAILED,
        attempts=3,
        last_status=502,
        last_error="Bad gateway from https://hooks.example.org/a-rather-long-path/for-the-study",
    )
    call_command(
        "set_incentives",
        f"--survey={survey.slug}",
        "--currency=KZT",
        "--primary=2000",
        "--per-recruit=1000",
        "--budget=100000",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    for response in Response.objects.filter(survey=survey).order_by("pk")[:20]:
        entries_accrue(response=response)


def test_staff_pages_fit_a_360_px_phone_and_pass_axe_in_every_language(
    live_server: Any, chromium: Any
) -> None:
    call_command("load_questionnaire")
    call_command("seed_demo")
    survey = Survey.objects.get(slug="sco-2025")
    aggregates_rebuild(survey_id=survey.pk)
    Response.objects.filter(pk__in=Response.objects.values("pk")[:3]).update(
        quality_flags=["too_fast"], paradata={"total_seconds": 40, "page_seconds": {"1": 40}}
    )
    seed = SeedLink.objects.filter(survey=survey).first()
    country = survey.role_code(QuestionRole.COUNTRY)
    _members_tokens_webhooks_payouts(survey)
    staff = staff_user("phone-staff", "Organizers", "Analysts", "Payments")
    base = live_server.url
    context = chromium.new_context(
        viewport={"width": PHONE, "height": 740}, is_mobile=True, has_touch=True, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in_browser(context, user=staff, url=base)
    found: list[str] = []
    try:
        for language in ("ru", "kk", "en"):
            for path in (
                "organize/sco-2025/",
                "organize/sco-2025/flagged/",
                "organize/sco-2025/digest/",
                "organize/sco-2025/alerts/thresholds/",
                "organize/sco-2025/settings/",
                f"organize/sco-2025/seeds/{seed.pk}/edit/",
                "analytics/",
                f"analytics/sco-2025/rds/{country}/",
                "analytics/margins/sco-2025/",
                "analytics/sco-2025/population/",
                "organize/sco-2025/members/",
                "organize/sco-2025/api-tokens/",
                "organize/sco-2025/webhooks/",
                "organize/sco-2025/incentives/",
                "organize/sco-2025/payouts/",
                "analytics/exports/",
                "analytics/sco-2025/population/estimate/",
                "organize/questionnaire/upload/",
            ):
                where = f"{language} {path}"
                page.goto(f"{base}/{language}/{path}")
                width, wide = page.evaluate(WIDTH)
                if width > PHONE:
                    found.append(f"{where}: {width} px wide, e.g. {wide}")
                page.add_script_tag(path=str(AXE))
                for violation in page.evaluate(RUN):
                    found.append(f"{where}: {violation['id']} {violation['nodes'][:2]}")
    finally:
        context.close()
    assert not found, "\n".join(found)
