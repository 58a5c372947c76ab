"""The first page a respondent opens is light: its HTML, CSS and JS stay within 100 KB."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from benchmarks.page_weight import CONSENT_LIMIT, page_weight, respondent_pages, weights_table
from surveys.models import SeedLink, Survey
from tests.fixtures.recruitment import grow_chain
from tests.fixtures.staff import logged_in, staff_user


@pytest.mark.parametrize("language", ["ru", "kk", "en"])
def test_the_cold_consent_page_with_its_css_and_js_weighs_at_most_100_kb(
    sco_survey: Survey, language: str
) -> None:
    reply = Client().get(f"/{language}/s/{sco_survey.slug}/")
    assert reply.status_code == 200
    weight = page_weight(name="consent", html=reply.content)
    assert weight.size <= CONSENT_LIMIT, (weight.size, weight.assets)
    # Chart.js and d3 belong to the staff pages that draw with them.
    assert not any("chartjs" in url or "/d3/" in url for url in weight.assets), weight.assets


def test_the_page_weight_benchmark_measures_every_respondent_page(sco_survey: Survey) -> None:
    weights = respondent_pages(survey=sco_survey, language="kk")
    names = [weight.name for weight in weights]
    pages = len(sco_survey.ordered_pages())
    assert names[0] == "consent" and names[pages + 1] == "thank-you"
    assert {"link: used up", "link: expired", "link: invalid"} <= set(names)
    assert all(w.requests >= 2 and 0 < w.compressed < w.size for w in weights)
    assert weights_table(weights=weights).count("\n") == len(weights) + 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_recruitment_tree_still_zooms_with_the_d3_subset(
    live_server: Any, chromium: Any, sco_survey: Survey
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Tree")
    grow_chain(sco_survey, seed, seeds=1, waves=2, fanout=2)
    client = logged_in(staff_user("tree-organizer", "Organizers"))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/en/organize/{sco_survey.slug}/tree/{seed.pk}/")
    assert "vendor/d3/d3-zoom.min.js" in page.content()
    # tree.js shows the zoom buttons only once d3.zoom is attached.
    page.wait_for_selector("button[data-zoom=in]:not([hidden])", timeout=15_000)
    page.click("button[data-zoom=in]")
    expect(page.locator("g.tree-viewport")).to_have_attribute(
        "transform", re.compile(r"scale\(2\)")
    )
    context.close()
    assert not errors, errors
