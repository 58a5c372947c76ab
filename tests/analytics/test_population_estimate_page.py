"""The analysts' SS-PSE page: start an estimate, see it plotted, use it as the survey's N."""

from __future__ import annotations

import io
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from estimates.models import EstimationSettings, PopulationSizeEstimate
from estimates.rds import sspse_estimates
from surveys.models import DesignChange, Survey
from tests.fixtures.staff import logged_in, staff_user

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "rds"


@pytest.fixture
def fauxmadrona(db: None) -> Survey:
    call_command(
        "import_rds",
        str(REFERENCE / "fauxmadrona.csv"),
        survey="fauxmadrona",
        outcomes="disease",
        degree_column="degree",
        stdout=io.StringIO(),
    )
    return Survey.objects.get(slug="fauxmadrona")


def _page(survey: Survey, language: str = "en") -> str:
    with translation.override(language):
        return reverse("analytics:population_estimate", args=[survey.slug])


@pytest.mark.django_db
def test_an_analyst_estimates_n_sees_it_plotted_and_makes_it_the_surveys_n(
    fauxmadrona: Survey, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    analyst = staff_user("asel-analyst", "Analysts")
    browser = logged_in(analyst)
    assert browser.get(_page(fauxmadrona)).status_code == 200
    assert not PopulationSizeEstimate.objects.exists()  # a visit starts nothing

    with django_capture_on_commit_callbacks(execute=True):
        posted = browser.post(_page(fauxmadrona), {"prior_median": 1000, "samples": 100, "seed": 4})
    assert posted.status_code == 302
    estimate = PopulationSizeEstimate.objects.get()
    # In-process (the embedded default) the job ran when the request committed.
    assert estimate.status == PopulationSizeEstimate.Status.DONE
    assert estimate.requested_by == analyst
    assert (estimate.prior_median, estimate.samples, estimate.seed) == (1000, 100, 4)
    assert estimate.result["n"] == 500
    page = unescape(browser.get(_page(fauxmadrona)).content.decode())
    assert "Posterior median" in page
    assert f"{estimate.result['median']:.0f}" in page
    assert 'class="prior" points="' in page
    assert 'class="posterior" points="' in page
    assert PopulationSizeEstimate.objects.count() == 1

    with translation.override("en"):
        use = reverse("analytics:population_estimate_apply", args=[fauxmadrona.slug, estimate.pk])
    assert browser.get(use).status_code == 405
    assert EstimationSettings.of(Survey.objects.get(pk=fauxmadrona.pk)).population_size is None
    browser.post(use)
    chosen = EstimationSettings.objects.get(survey=fauxmadrona)
    result = estimate.result
    assert chosen.population_size == round(result["median"])
    assert chosen.population_size_low <= result["lower"] < chosen.population_size_low + 1
    assert chosen.population_size_high - 1 < result["upper"] <= chosen.population_size_high
    changes = DesignChange.objects.filter(
        survey=fauxmadrona, what=DesignChange.What.POPULATION_SIZE
    )
    change = changes.get(changed_by=analyst)
    assert str(chosen.population_size) in change.new


@pytest.mark.django_db
def test_a_prior_not_above_the_respondents_is_refused_in_the_pages_language(
    fauxmadrona: Survey,
) -> None:
    browser = logged_in(staff_user("asel-analyst", "Analysts"))
    with translation.override("ru"):
        response = browser.post(_page(fauxmadrona, "ru"), {"prior_median": 400, "samples": 2000})
    assert response.status_code == 400
    assert "500 респондентов" in unescape(response.content.decode())
    assert not PopulationSizeEstimate.objects.exists()


@pytest.mark.django_db
def test_another_studys_estimate_page_is_not_found_and_a_non_analyst_is_refused(
    fauxmadrona: Survey,
) -> None:
    other = Survey.objects.create(
        slug="other-study", title_en="Other", consent_en="c", consent_label_en="c"
    )
    outsider = logged_in(staff_user("oleg-analyst", "Analysts", surveys=[other]))
    assert outsider.get(_page(fauxmadrona)).status_code == 404
    assert outsider.post(_page(fauxmadrona), {"prior_median": 1000}).status_code == 404
    organizer = logged_in(staff_user("olga-organizer", "Organizers"))
    assert organizer.get(_page(fauxmadrona)).status_code == 403
    assert not PopulationSizeEstimate.objects.exists()


@pytest.mark.django_db
def test_the_dashboard_links_to_the_estimate_page(fauxmadrona: Survey) -> None:
    browser = logged_in(staff_user("asel-analyst", "Analysts"))
    with translation.override("en"):
        dashboard = reverse("analytics:dashboard")
    page = browser.get(dashboard + "?survey=fauxmadrona").content.decode()
    assert f'href="{_page(fauxmadrona)}"' in page


@pytest.mark.django_db
def test_an_estimate_that_cannot_run_shows_why_in_the_pages_language(
    fauxmadrona: Survey,
) -> None:
    # More responses can arrive between the request and the run: the guess is then too small.
    analyst = staff_user("asel-analyst", "Analysts")
    estimate = sspse_estimates.population_estimate_create(
        survey=fauxmadrona, user=analyst, prior_median=300, samples=100, seed=None
    )
    assert sspse_estimates.population_estimate_run(estimate_id=estimate.pk) == "failed"
    estimate.refresh_from_db()
    assert estimate.result == {}
    with translation.override("ru"):
        page = unescape(logged_in(analyst).get(_page(fauxmadrona, "ru")).content.decode())
    assert "должно быть больше числа респондентов" in page
    assert 'id="use-estimate"' not in page
