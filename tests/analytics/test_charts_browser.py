"""What an analyst sees of the charts in a real browser: intervals, print-sized PNGs, colours, n."""

from __future__ import annotations

import itertools
import math
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

from aggregates.rebuild import aggregates_rebuild
from estimates.models import RDSQuestion
from estimates.rds.refresh import rds_rebuild
from surveys.models import Survey
from tests.fixtures.browser import log_in_browser
from tests.fixtures.staff import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def demo(settings) -> Survey:
    settings.RDS_BOOTSTRAP_REPLICATES = 200
    call_command("load_questionnaire")
    call_command("seed_demo")
    survey = Survey.objects.get(slug="sco-2025")
    aggregates_rebuild(survey_id=survey.pk, full=True)
    rds_rebuild(survey_id=survey.pk)
    return survey


@pytest.fixture
def desktop(chromium: object, live_server, demo: Survey) -> Iterator[object]:
    """Return a logged-in analyst's page in a 1280 px wide browser at 1x."""
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, device_scale_factor=1, accept_downloads=True
    )
    log_in_browser(context, user=staff_user("desk-analyst", "Analysts"), url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    yield page
    assert not errors, errors
    context.close()


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _lab(colour: str) -> tuple[float, float, float]:
    """Return a #rrggbb colour in CIELAB (D65)."""

    def linear(c: float) -> float:
        return ((c + 0.055) / 1.055) ** 2.4 if c > 0.04045 else c / 12.92

    r, g, b = (linear(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(v: float) -> float:
        return v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def test_the_rds_intervals_are_drawn_as_error_bars_on_the_chart(live_server, desktop) -> None:
    desktop.goto(f"{live_server.url}/en/analytics/")
    desktop.wait_for_selector("#chart-awareness")
    stored = RDSQuestion.objects.get(question="awareness").shares["yes_fully"]
    # The pixel at the upper end of the first option's RDS-II interval, just above the bar's
    # middle (on the cap): a dark grey, neither the bar's blue nor the white background.
    pixel = desktop.evaluate(
        """(high) => {
          const chart = Chart.getChart(document.getElementById('chart-awareness'));
          const bar = chart.getDatasetMeta(1).data[0];
          const x = Math.round(chart.scales.x.getPixelForValue(high));
          const y = Math.round(bar.y - 3);
          const ratio = chart.canvas.width / chart.width;
          const ctx = chart.canvas.getContext('2d');
          return Array.from(ctx.getImageData(x * ratio, y * ratio, 1, 1).data);
        }""",
        100 * stored["high"],
    )
    red, green, blue = pixel[:3]
    assert max(red, green, blue) < 160 and max(red, green, blue) - min(red, green, blue) < 16, pixel
    note = desktop.locator("#q-awareness .interval-note").inner_text()
    assert "95 % interval" in note
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    desktop.locator("#q-awareness").screenshot(path=str(SCREENSHOTS / "error-bars.png"))


def test_a_png_download_is_at_least_twice_the_size_on_screen(live_server, desktop) -> None:
    desktop.goto(f"{live_server.url}/en/analytics/")
    desktop.wait_for_selector("#chart-awareness")
    on_screen = desktop.locator("#chart-awareness").bounding_box()
    with desktop.expect_download() as png:
        desktop.click('[data-download="png"][data-chart="chart-awareness"]')
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "chart-download.png"
    png.value.save_as(path)
    width, height = _png_size(path)
    assert width >= 2 * on_screen["width"] and width >= 1600, (width, on_screen)
    assert height >= 2 * on_screen["height"], (height, on_screen)


def test_a_crosstab_of_fourteen_options_gives_each_a_colour_of_its_own(
    live_server, desktop
) -> None:
    desktop.goto(f"{live_server.url}/en/analytics/?question=platforms&dimension=age_group")
    desktop.wait_for_selector("#crosstab-platforms-age_group")
    series = desktop.evaluate(
        """() => Chart.getChart(document.getElementById('crosstab-platforms-age_group'))
             .data.datasets.map((d) => [d.label, d.backgroundColor])"""
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    desktop.locator("#crosstab").screenshot(path=str(SCREENSHOTS / "crosstab-colours.png"))
    colours = dict(series)
    assert len(colours) == 14
    assert colours["Telegram"] != colours["WeChat"]
    closest = min(
        math.dist(_lab(a), _lab(b)) for a, b in itertools.combinations(colours.values(), 2)
    )
    assert closest > 20, f"two answers look alike (CIE76 difference {closest:.1f})"


def test_the_bottleneck_plot_labels_every_tree_with_its_n(live_server, desktop) -> None:
    desktop.goto(f"{live_server.url}/en/analytics/sco-2025/rds/awareness/")
    desktop.wait_for_selector("#bottleneck")
    labels = desktop.evaluate(
        "() => Chart.getChart(document.getElementById('bottleneck')).data.labels"
    )
    counts = [int(label.rsplit("(n = ", 1)[1].rstrip(")")) for label in labels]
    assert counts == sorted(counts, reverse=True), "largest trees first"
    answered = Survey.objects.get(slug="sco-2025").responses.exclude(answers__awareness=None)
    assert sum(counts) == answered.filter(wave__isnull=False).count()


@pytest.mark.parametrize("width", [1280, 360])
def test_the_estimates_table_headers_stay_on_one_line(live_server, desktop, width: int) -> None:
    desktop.set_viewport_size({"width": width, "height": 900})
    desktop.goto(f"{live_server.url}/en/analytics/")
    desktop.wait_for_selector("table.estimates")
    wrapped = desktop.evaluate(
        # Headers of several words may wrap between words (th.wraps); "RDS-II, %" never.
        """() => Array.from(document.querySelectorAll('table.estimates thead th:not(.wraps)'))
             .filter((th) => {
               const range = document.createRange();
               range.selectNodeContents(th);
               return new Set(Array.from(range.getClientRects()).map((r) => r.top)).size > 1;
             })
             .map((th) => th.textContent)"""
    )
    assert wrapped == []
    assert desktop.evaluate("document.documentElement.scrollWidth") <= width


# Every answer of every grouped chart, and where its legend entry is drawn: on the canvas
# (Chart.js's legend) or in the HTML legend under it, whichever the page shows.
LEGENDS = """() => Object.values(window.scoDashboard.drawn)
  .filter((chart) => chart.data.datasets.length > 1)
  .map((chart) => {
    const canvas = chart.canvas.getBoundingClientRect();
    const legend = chart.options.plugins.legend.display ? chart.legend : null;
    const onCanvas = legend ? legend.legendItems.map((item, i) => {
      const box = legend.legendHitBoxes[i];
      return { text: item.text, left: canvas.left + box.left,
               right: canvas.left + box.left + box.width,
               bottom: box.top + box.height, limit: chart.height, clipped: false };
    }) : [];
    const list = document.querySelector(`[data-legend-for="${chart.canvas.id}"]`);
    const inHtml = list ? Array.from(list.querySelectorAll('li')).map((li) => {
      const box = li.getBoundingClientRect();
      return { text: li.textContent.trim(), left: box.left, right: box.right, bottom: 0,
               limit: 1, clipped: li.scrollWidth > li.clientWidth + 1 || box.height === 0 };
    }) : [];
    return { id: chart.canvas.id, labels: chart.data.datasets.map((d) => d.label),
             items: onCanvas.concat(inHtml) };
  })"""


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_every_legend_entry_is_whole_on_a_360_px_phone(live_server, desktop, language) -> None:
    desktop.set_viewport_size({"width": 360, "height": 800})
    desktop.goto(f"{live_server.url}/{language}/analytics/?question=platforms&dimension=age_group")
    desktop.wait_for_selector("#crosstab-platforms-age_group")
    charts = desktop.evaluate(LEGENDS)
    assert {chart["id"] for chart in charts} >= {"crosstab-platforms-age_group", "chart-awareness"}
    cut = [
        (chart["id"], item["text"])
        for chart in charts
        for item in chart["items"]
        if item["left"] < 0
        or item["right"] > 360
        or item["bottom"] > item["limit"]
        or item["clipped"]
    ]
    missing = [
        (chart["id"], label)
        for chart in charts
        for label in chart["labels"]
        if label not in {item["text"] for item in chart["items"]}
    ]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    desktop.locator("#crosstab").screenshot(path=str(SCREENSHOTS / f"legend-360-{language}.png"))
    assert not cut and not missing, (cut, missing)
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 360
