"""Incentive settings: the organizers' form and the command, each change in the design log."""

from __future__ import annotations

import io
import zipfile

from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from incentives.models import IncentiveSettings
from surveys.models import DesignChange, Survey
from tests.fixtures.recruitment import HttpTree
from tests.fixtures.staff import logged_in
from tests.incentives.conftest import PER_RECRUIT, PRIMARY
from tests.incentives.test_ledger import give_contact


def _form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "enabled": "on",
        "currency": "KZT",
        "primary_amount": 1500,
        "per_recruit_amount": 500,
        "budget": "",
        "payout_methods_ru": "Перевод Kaspi",
        "payout_methods_kk": "Kaspi аударымы",
        "payout_methods_en": "Kaspi transfer",
        "phone_region": "KZ",
        "erase_after_days": 60,
    }
    data.update(changes)
    return data


def test_an_organizer_turns_incentives_on_and_every_change_joins_the_design_log(
    sco_survey: Survey, organizer: User
) -> None:
    browser, url = logged_in(organizer), f"/en/organize/{sco_survey.slug}/incentives/"
    assert browser.get(url).status_code == 200
    assert browser.post(url, _form()).status_code == 302
    assert browser.post(url, _form(primary_amount=2500, budget=90000)).status_code == 302
    logged = list(DesignChange.objects.filter(survey=sco_survey).values_list("what", "old", "new"))
    assert ("incentives", "off", "on") in logged
    assert ("incentive_primary", "0 KZT", "1500 KZT") in logged
    assert ("incentive_primary", "1500 KZT", "2500 KZT") in logged
    assert ("incentive_budget", "unlimited", "90000 KZT") in logged
    assert ("incentive_per_recruit", "0 KZT", "500 KZT") in logged
    page = browser.get(url).content.decode()
    assert "1500 KZT → 2500 KZT" in page and "olga-organizer" in page


def test_bad_settings_are_refused_in_the_pages_language_and_nothing_changes(
    sco_survey: Survey, organizer: User
) -> None:
    reply = logged_in(organizer).post(
        f"/kk/organize/{sco_survey.slug}/incentives/", _form(currency="тнг", phone_region="7")
    )
    assert reply.status_code == 400
    assert "KZT сияқты үш әріпті кодты қолданыңыз." in reply.content.decode()
    assert not IncentiveSettings.objects.exists() and not DesignChange.objects.exists()


def test_set_incentives_turns_them_on_and_off_and_the_respondent_page_follows(
    sco_survey: Survey,
) -> None:
    out = io.StringIO()
    call_command(
        "set_incentives",
        f"--survey={sco_survey.slug}",
        "--currency=kzt",
        "--primary=2000",
        "--per-recruit=1000",
        "--budget=50000",
        "--erase-after-days=45",
        stdout=out,
    )
    assert "on: 2000 KZT for taking part, 1000 per recruit, budget 50000" in out.getvalue()
    config = IncentiveSettings.objects.get(survey=sco_survey)
    assert (config.enabled, config.erase_after_days) == (True, 45)
    call_command("set_incentives", f"--survey={sco_survey.slug}", "--off", stdout=out)
    assert not IncentiveSettings.objects.get(survey=sco_survey).enabled
    assert DesignChange.objects.filter(what="incentives").count() == 2


def test_the_thank_you_page_offers_the_contact_and_shows_recruits_and_amounts_in_kazakh(
    chain: HttpTree,
) -> None:
    alma = chain.members["alma-1"]
    page = alma.client.get(f"/kk/s/{chain.survey.slug}/thanks/").content.decode()
    assert 'name="payout_contact"' in page and "Сіздің сыйақыңыз" in page
    assert 'id="payout-recruits">1<' in page
    assert f'id="payout-pending">{PRIMARY + PER_RECRUIT} KZT' in page
    give_contact(alma.client, chain.survey, "+7 701 765 4321")
    page = alma.client.get(f"/kk/s/{chain.survey.slug}/thanks/").content.decode()
    assert f'id="payout-approved">{PRIMARY + PER_RECRUIT} KZT' in page
    assert "Төлем контактіңіз сақталды" in page and "701 765" not in page


def test_the_monitor_shows_owed_held_and_paid_and_warns_near_the_budget(
    chain: HttpTree, organizer: User
) -> None:
    browser, url = logged_in(organizer), f"/en/organize/{chain.survey.slug}/"
    page = browser.get(url).content.decode()
    total = 6 * PRIMARY + 5 * PER_RECRUIT
    assert f'id="incentives-owed">{total} KZT' in page
    assert "incentives-budget-alert" not in page  # 17000 of 100000
    call_command(
        "set_incentives", f"--survey={chain.survey.slug}", "--budget=20000", stdout=io.StringIO()
    )
    page = browser.get(url).content.decode()
    assert "incentives-budget-alert" in page and "reach 17000 of the budget of 20000 KZT" in page


def test_the_bundle_readme_states_the_amounts_their_changes_and_no_contact(
    chain: HttpTree, analyst: User
) -> None:
    give_contact(chain.members["alma"].client, chain.survey, "+7 701 123 4567")
    call_command(
        "set_incentives", f"--survey={chain.survey.slug}", "--primary=2500", stdout=io.StringIO()
    )
    reply = logged_in(analyst).get(f"/en/analytics/exports/{chain.survey.slug}/bundle/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(reply.streaming_content)))
    readme = archive.read("README.md").decode()
    assert "- Incentives: 2500 KZT for taking part and 1000 KZT per recruit" in readme
    assert "| 6d | Incentives | Dual incentive: 2500 KZT for taking part" in readme
    assert "| incentive for taking part | — | 2000 KZT → 2500 KZT |" in readme
    assert "7011234567" not in readme


def test_a_survey_without_incentives_says_so_in_the_bundle(
    sco_survey: Survey, analyst: User
) -> None:
    reply = logged_in(analyst).get(f"/en/analytics/exports/{sco_survey.slug}/bundle/")
    readme = zipfile.ZipFile(io.BytesIO(b"".join(reply.streaming_content))).read("README.md")
    assert b"| 6d | Incentives | None paid through the platform" in readme
    assert Client().get(f"/en/organize/{sco_survey.slug}/incentives/").status_code == 302
