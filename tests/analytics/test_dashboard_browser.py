"""An analyst on a phone sees the charts drawn and downloads one as PNG and as SVG."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.management import call_command

from aggregates.rebuild import aggregates_rebuild
from surveys.models import Survey
from tests.fixtures.browser import log_in_browser
from tests.fixtures.staff import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_an_analyst_on_a_phone_downloads_a_chart_as_png_and_svg(
    live_server, phone, tmp_path: Path
) -> None:
    call_command("load_questionnaire")
    call_command("seed_demo")
    survey = Survey.objects.get(slug="sco-2025")
    aggregates_rebuild(survey_id=survey.pk)
    log_in_browser(phone.context, user=staff_user("phone-analyst", "Analysts"), url=live_server.url)
    errors: list[str] = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    phone.goto(f"{live_server.url}/en/analytics/")
    phone.wait_for_selector("#chart-awareness")
    assert not errors, errors
    drawn = phone.evaluate("Object.keys(window.scoDashboard.charts).length")
    assert drawn == phone.locator("canvas").count() >= 9
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the dashboard scrolls sideways on a phone ({width}px)"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "analytics-phone.png"))

    with phone.expect_download() as png:
        phone.click('[data-download="png"][data-chart="chart-awareness"]')
    png_path = tmp_path / png.value.suggested_filename
    png.value.save_as(png_path)
    assert png.value.suggested_filename == "sco-2025-awareness.png"
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    with phone.expect_download() as svg:
        phone.click('[data-download="svg"][data-chart="crosstab-awareness-age_group"]')
    svg_path = tmp_path / svg.value.suggested_filename
    svg.value.save_as(svg_path)
    tree = ElementTree.parse(svg_path)  # noqa: S314 - the file our own page just wrote
    texts = [node.text for node in tree.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[0].startswith("Figure 2.")
    assert "Under 30 (n = 402)" in texts
    assert len(list(tree.iter("{http://www.w3.org/2000/svg}rect"))) > 20
