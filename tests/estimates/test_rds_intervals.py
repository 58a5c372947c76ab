"""R's default interval (empirical likelihood) beside the tree bootstrap, and the one reported.

Reference values: R 4.2.2, ``RDS`` 0.9-10, listed with their calls in
``tests/data/rds/REFERENCE_VALUES.md`` ("R's default interval").
"""

from __future__ import annotations

import io
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.utils import translation

from aggregates.filters import ResponseFilter
from estimates.models import RDSQuestion
from estimates.rds import refresh, subgroup
from estimates.rds.estimators.empirical import el_standard_error
from estimates.rds.estimators.intervals import rds1_weights
from estimates.rds.sample import single_choice
from estimates.rds.weights import rds1_shares, rds2_weights
from surveys.models import Survey
from tests.estimates.test_rds_estimators import _load
from tests.fixtures.analytics import estimation_set
from tests.fixtures.staff import logged_in, staff_user

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "rds"
# R: RDS.II.estimates(faux, "X") (faux carries N = 1000), blue.
FAUX_EL = (0.249984142660055, 0.370684082896852)
# R: RDS.II.estimates(fauxmadrona, "disease") (N = 1000), disease = 1.
MADRONA_EL = (0.136690504624419, 0.191608076265574)
# R: RDS.II.estimates(fauxsycamore, "disease"): the data set carries N = 1000, not its true 715.
SYCAMORE_EL = (0.115131432351460, 0.175819330901701)
# R: set.seed(1); RDS.SS.estimates(fauxsycamore, "disease", N = 715) (stochastic: within 0.003).
SYCAMORE_SS_EL = (0.1785, 0.2278)


def _import(name: str, slug: str, outcomes: str, **options: object) -> Survey:
    call_command(
        "import_rds",
        str(REFERENCE / name),
        survey=slug,
        outcomes=outcomes,
        stdout=io.StringIO(),
        **options,
    )
    call_command("rebuild_aggregates", survey=slug, stdout=io.StringIO())
    return Survey.objects.get(slug=slug)


def _aggregates_csv(tmp_path: Path, slug: str) -> pd.DataFrame:
    output = tmp_path / f"{slug}-aggregates.csv"
    call_command("export_csv", "aggregates", survey=slug, output=output, stdout=io.StringIO())
    frame = pd.read_csv(output, encoding="utf-8-sig", dtype={"option": str})
    return frame.set_index(["question", "option"])


def _pairwise_se(weights: np.ndarray, outcome: np.ndarray, population: int, n: int) -> float:
    """Return EL.se summed pair by pair, straight from its definition (slow, for small n)."""
    products = np.outer(weights, weights)
    products = np.minimum(products, 10 * np.median(products))
    below = np.tril(np.ones_like(products), -1)  # the pairs i > j
    pair_outcome = 0.5 * np.add.outer(outcome, outcome)
    estimate = (pair_outcome * products * below).sum() / (products * below).sum()
    influence = (products**2 * (pair_outcome - estimate) * below).sum(axis=1)
    variance = 4 * (influence**2).sum() / (products**2 * below).sum() ** 2
    return float(np.sqrt((population - n) * variance / (population - 1)))


@pytest.mark.django_db
def test_a_one_seed_import_of_faux_gets_rs_interval_to_1e9_and_reports_it(
    tmp_path: Path,
) -> None:
    _import("faux.csv", "faux", "X", population_size=1000)
    row = _aggregates_csv(tmp_path, "faux").loc[("x", "blue")]
    assert (row["rds2_el_low"], row["rds2_el_high"]) == pytest.approx(FAUX_EL, abs=1e-9)
    # One seed: the tree bootstrap cannot run, so the reported interval falls back to R's.
    assert (row["rds2_ci_low"], row["rds2_ci_high"]) == pytest.approx(FAUX_EL, abs=1e-9)
    assert row["rds2_ci_method"] == "el"
    assert pd.isna(row["rds2_tree_low"])
    assert row["rds1_el_low"] < row["rds1_share"] < row["rds1_el_high"]
    assert row["ss_el_low"] < row["ss_share"] < row["ss_el_high"]
    assert (row["ss_ci_low"], row["ss_ci_method"]) == (row["ss_el_low"], "el")
    stored = RDSQuestion.objects.get(question="x")
    assert stored.unavailable["interval"] == refresh.ONE_SEED_EL


@pytest.mark.django_db
def test_fauxmadrona_reports_the_tree_bootstrap_by_default_with_rs_interval_beside_it(
    tmp_path: Path,
) -> None:
    _import("fauxmadrona.csv", "madrona", "disease", degree_column="degree", population_size=1000)
    row = _aggregates_csv(tmp_path, "madrona").loc[("disease", "1")]
    assert (row["rds2_el_low"], row["rds2_el_high"]) == pytest.approx(MADRONA_EL, abs=1e-9)
    assert row["rds2_ci_method"] == "tree"
    reported = (row["rds2_ci_low"], row["rds2_ci_high"])
    assert reported == (row["rds2_tree_low"], row["rds2_tree_high"])
    assert (row["rds2_ci_low"], row["rds2_ci_high"]) != pytest.approx(MADRONA_EL, abs=1e-3)


@pytest.mark.django_db
def test_a_survey_set_to_rs_interval_reports_it_for_rds2_and_ss(tmp_path: Path) -> None:
    survey = _import(
        "fauxsycamore.csv", "sycamore", "disease", degree_column="degree", population_size=1000
    )
    estimation_set(survey, interval_method="el")
    refresh.rds_rebuild(survey_id=survey.pk)
    row = _aggregates_csv(tmp_path, "sycamore").loc[("disease", "1")]
    assert (row["rds2_ci_low"], row["rds2_ci_high"]) == pytest.approx(SYCAMORE_EL, abs=1e-9)
    assert (row["rds2_ci_method"], row["ss_ci_method"]) == ("el", "el")
    assert (row["ss_ci_low"], row["ss_ci_high"]) == (row["ss_el_low"], row["ss_el_high"])
    assert row["rds2_tree_low"] < row["rds2_share"] < row["rds2_tree_high"]


@pytest.mark.django_db
def test_fauxsycamore_ss_interval_at_n_715_lands_on_rs(tmp_path: Path) -> None:
    _import("fauxsycamore.csv", "sycamore", "disease", degree_column="degree", population_size=715)
    row = _aggregates_csv(tmp_path, "sycamore").loc[("disease", "1")]
    assert (row["ss_el_low"], row["ss_el_high"]) == pytest.approx(SYCAMORE_SS_EL, abs=0.004)


def test_the_grouped_sums_equal_the_pairwise_definition_for_rds1_weights() -> None:
    reference = _load("faux.csv", "network.size")
    values = reference.column("X")
    answers = single_choice(reference.sample, values)
    weights = rds1_weights(answers, rds1_shares(reference.sample, values=values))
    outcome = answers.ticked[:, 0].astype(float)
    n = reference.sample.size
    fast = el_standard_error(weights, outcome, respondents=n, population_size=1000)
    assert fast == pytest.approx(_pairwise_se(weights, outcome, 1000, n), rel=1e-12)


def test_the_interval_depends_on_the_order_of_recruitment_as_rs_does() -> None:
    reference = _load("fauxmadrona.csv", "degree")
    weights = rds2_weights(reference.sample)
    outcome = np.array([float(v) for v in reference.column("disease")])
    n = len(outcome)
    order = np.random.default_rng(3).permutation(n)
    shuffled = el_standard_error(weights[order], outcome[order], population_size=1000)
    assert shuffled == pytest.approx(
        _pairwise_se(weights[order], outcome[order], 1000, n), rel=1e-12
    )
    assert shuffled != pytest.approx(el_standard_error(weights, outcome, population_size=1000))


@pytest.mark.django_db
def test_the_dashboard_names_the_method_beside_every_interval_and_says_what_to_report() -> None:
    _import("faux.csv", "faux", "X", population_size=1000)
    analyst = logged_in(staff_user("ana", "Analysts"))
    html = unescape(analyst.get("/en/analytics/?survey=faux").content.decode())
    share = RDSQuestion.objects.get(question="x").shares["blue"]
    dash = "\N{EN DASH}"
    shown = f"{100 * share['low']:.1f}{dash}{100 * share['high']:.1f}"
    assert f'{shown}<span class="d-block text-muted ci-method">R\'s empirical likelihood' in html
    # The RDS-II, SS and HCG intervals carry their method's name, one per option and estimate.
    assert html.count('class="d-block text-muted ci-method"') == 3 * 2
    assert "interval of the RDS-II estimate. (R's empirical likelihood)</p>" in html
    # 389 of 1000 sampled: SS is the figure to report, with the method of its interval.
    guidance = html[html.index('id="report-guidance"') :]
    assert "Report SS" in guidance and "39 % of the population" in guidance
    with translation.override("ru"):
        page = unescape(analyst.get("/ru/analytics/?survey=faux").content.decode())
        assert translation.gettext("R's empirical likelihood") in page
        assert "R's empirical likelihood" not in page


@pytest.mark.django_db
def test_a_small_sample_fraction_without_post_stratification_says_report_rds2() -> None:
    _import("fauxmadrona.csv", "madrona", "disease", degree_column="degree", population_size=50000)
    html = logged_in(staff_user("ana", "Analysts")).get("/en/analytics/?survey=madrona")
    guidance = unescape(html.content.decode())
    guidance = guidance[guidance.index('id="report-guidance"') :]
    assert "Report RDS-II" in guidance and "tree bootstrap" in guidance
    assert "tree bootstrap</span>" in unescape(html.content.decode())


@pytest.mark.parametrize("spread", [0.0, 0.3, 1.5, 3.0])
def test_the_sums_equal_the_pairwise_definition_however_many_weights_reach_the_cap(
    spread: float,
) -> None:
    # The heavier the tail, the more weight classes reach R's cap (ten times the median pair
    # weight) and are summed class by class; none reach it at spread 0 (all weights equal).
    rng = np.random.default_rng(7)
    n = 400
    weights = np.round(np.exp(spread * rng.standard_normal(n)), 2)
    outcomes = rng.random((n, 3)) < [0.1, 0.5, 0.8]
    for g in range(3):
        outcome = outcomes[:, g].astype(float)
        fast = el_standard_error(weights, outcome, respondents=n, population_size=5000)
        assert fast == pytest.approx(_pairwise_se(weights, outcome, 5000, n), rel=1e-10)


@pytest.mark.django_db
def test_a_one_seed_subgroup_gets_rs_interval_with_the_reason() -> None:
    survey = _import("faux.csv", "faux", "X", population_size=1000)
    found = subgroup.subgroup_compute(survey=survey, filters=ResponseFilter(wave=7))
    assert found.questions["x"].unavailable["interval"] == refresh.ONE_SEED_EL
    share = found.questions["x"].option("blue").rds2
    assert share.low < share.share < share.high
    assert share.method == "el"
    html = logged_in(staff_user("ana", "Analysts")).get("/en/analytics/?survey=faux&wave=7")
    page = unescape(html.content.decode())
    assert "R's empirical likelihood</span>" in page
    assert translation.gettext(refresh.ONE_SEED_EL) in page
