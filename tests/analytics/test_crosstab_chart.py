"""A crosstab chart marks small groups and keeps its answers apart for colour-blind readers."""

from __future__ import annotations

import itertools
import math
import random

import pytest
from django.contrib.auth.models import User

from aggregates.rebuild import aggregates_rebuild
from surveys.models import Survey
from tests.fixtures.analytics import dashboard_charts, submit, varied_answers
from tests.fixtures.staff import logged_in

# Machado, Oliveira & Fernandes (2009): how a deuteranope (severity 1.0) sees linear RGB.
DEUTERANOPIA = (
    (0.367322, 0.860646, -0.227968),
    (0.280085, 0.672501, 0.047413),
    (-0.011820, 0.042940, 0.968881),
)


def _linear(colour: str) -> list[float]:
    def channel(c: float) -> float:
        return ((c + 0.055) / 1.055) ** 2.4 if c > 0.04045 else c / 12.92

    return [channel(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5)]


def _lab(rgb: list[float]) -> tuple[float, float, float]:
    """Return linear RGB in CIELAB (D65)."""
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(v: float) -> float:
        return v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _as_deuteranope_sees(colour: str) -> tuple[float, float, float]:
    rgb = _linear(colour)
    seen = [
        min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True))))
        for row in DEUTERANOPIA
    ]
    return _lab(seen)


@pytest.fixture
def mostly_young(sco_survey: Survey) -> Survey:
    rng = random.Random(20)
    for index in range(36):
        answers = varied_answers(sco_survey, rng)
        answers["age_group"] = "under_30" if index < 31 else "60_plus"
        submit(sco_survey, answers, language="ru")
    aggregates_rebuild(survey_id=sco_survey.pk)
    return sco_survey


def test_a_crosstab_marks_each_group_of_fewer_than_30_answers_and_shows_its_n(
    mostly_young: Survey, analyst: User
) -> None:
    html = logged_in(analyst).get("/en/analytics/").content.decode()
    crosstab = dashboard_charts(html)["awareness-by-age_group"]
    assert crosstab["labels"] == ["Under 30 (n = 31)", "60 and over (n = 5) *"]
    note = "* Fewer than 30 answers in the group: its shares are not reliable."
    assert crosstab["smallBaseNote"] == note
    # The note stands under the chart on the page, and the downloads print it (notes()).
    assert f'class="small text-muted mt-1 mb-0 small-base-note">{note}</p>' in html


def test_a_crosstab_of_large_groups_carries_no_small_base_note(
    sco_survey: Survey, analyst: User
) -> None:
    rng = random.Random(30)
    for _index in range(30):
        answers = varied_answers(sco_survey, rng)
        answers["age_group"] = "under_30"
        submit(sco_survey, answers, language="kk")
    aggregates_rebuild(survey_id=sco_survey.pk)
    html = logged_in(analyst).get("/en/analytics/").content.decode()
    crosstab = dashboard_charts(html)["awareness-by-age_group"]
    assert crosstab["labels"] == ["Under 30 (n = 30)"]
    assert crosstab["smallBaseNote"] == "" and "small-base-note" not in html


def test_no_two_answers_of_a_crosstab_look_alike_to_a_deuteranope(
    mostly_young: Survey, analyst: User
) -> None:
    html = logged_in(analyst).get("/en/analytics/").content.decode()
    series = dashboard_charts(html)["awareness-by-age_group"]["series"]
    colours = {s["label"]: s["colour"] for s in series}
    assert {"No", "Hard to say"} <= set(colours)
    seen = {label: _as_deuteranope_sees(colour) for label, colour in colours.items()}
    assert math.dist(seen["No"], seen["Hard to say"]) > 15
    closest = min(math.dist(a, b) for a, b in itertools.combinations(seen.values(), 2))
    assert closest > 15, f"two answers look alike to a deuteranope (CIE76 {closest:.1f})"
