"""Gile's SS estimates in the platform: population size, refresh, CSV, dashboard, diagnostics."""

from __future__ import annotations

import io
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from estimates.models import EstimationSettings, RDSEstimateSet, RDSQuestion
from estimates.rds import ss_estimates
from estimates.rds.bootstrap import tree_bootstrap_multi, tree_bootstrap_weighted_multi
from estimates.rds.refresh import BOOTSTRAP_SEED, rds_rebuild
from estimates.rds.ss import ss_weights
from estimates.rds.weights import differential_activity, population_homophily
from surveys.models import Survey
from tests.estimates.test_rds_estimators import _load
from tests.fixtures.analytics import page_json
from tests.fixtures.browser import log_in_browser
from tests.fixtures.staff import logged_in, staff_user

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "rds"
FAUX_SS_BLUE = 0.308679056967587  # R: RDS.SS.estimates(faux, "X", N = 1000), test-ss.R
FAUX_ACTIVITY = 1.03342283930911  # R: differential.activity.estimates(faux, "X", "RDS-II")


def _import(name: str, slug: str, outcomes: str, **options: object) -> Survey:
    call_command("import_rds", str(REFERENCE / name), survey=slug, outcomes=outcomes, **options)
    call_command("rebuild_aggregates", survey=slug, stdout=io.StringIO())
    return Survey.objects.get(slug=slug)


def _aggregates_csv(tmp_path: Path, slug: str) -> pd.DataFrame:
    output = tmp_path / f"{slug}-aggregates.csv"
    call_command("export_csv", "aggregates", survey=slug, output=output)
    frame = pd.read_csv(output, encoding="utf-8-sig", dtype={"option": str})
    return frame.set_index(["question", "option"])


@pytest.mark.django_db
def test_faux_with_n_1000_through_import_rebuild_and_export_matches_r_ss(tmp_path: Path) -> None:
    _import("faux.csv", "faux", "X", population_size=1000)
    table = _aggregates_csv(tmp_path, "faux")
    assert table.loc[("x", "blue"), "ss_share"] == pytest.approx(FAUX_SS_BLUE, abs=0.002)
    assert table.loc[("x", "red"), "ss_share"] == pytest.approx(1 - FAUX_SS_BLUE, abs=0.002)
    # One seed: no tree bootstrap, so SS reports R's interval too.
    assert pd.isna(table.loc[("x", "blue"), "ss_tree_low"])
    assert table.loc[("x", "blue"), "ss_ci_low"] == table.loc[("x", "blue"), "ss_el_low"]
    assert table.loc[("x", "blue"), "ss_ci_high"] == table.loc[("x", "blue"), "ss_el_high"]
    assert RDSEstimateSet.objects.get().population_size == 1000


@pytest.mark.django_db
def test_fauxsycamore_with_n_715_lands_nearer_the_truth_than_rds2_through_the_platform(
    tmp_path: Path,
) -> None:
    _import("fauxsycamore.csv", "sycamore", "disease", degree_column="degree", population_size=715)
    row = _aggregates_csv(tmp_path, "sycamore").loc[("disease", "1")]
    assert abs(row["ss_share"] - 0.2) < abs(row["rds2_share"] - 0.2)
    assert row["ss_ci_low"] < row["ss_share"] < row["ss_ci_high"]


@pytest.mark.django_db
def test_without_a_population_size_the_ss_columns_are_empty_and_the_dashboard_says_why(
    tmp_path: Path,
) -> None:
    _import("fauxmadrona.csv", "madrona", "disease", degree_column="degree")
    table = _aggregates_csv(tmp_path, "madrona")
    assert table["rds2_share"].notna().all()
    for column in ("ss_share", "ss_ci_low", "ss_ci_high"):
        assert table[column].isna().all(), column
    assert RDSEstimateSet.objects.get().ss_unavailable == ss_estimates.NO_POPULATION_SIZE
    analyst = logged_in(staff_user("ana", "Analysts"))
    html = unescape(analyst.get("/kk/analytics/?survey=madrona").content.decode())
    with translation.override("kk"):
        assert translation.gettext(ss_estimates.NO_POPULATION_SIZE) in html
    assert 'id="ss-note"' not in html and 'class="text-end ss"' not in html
    page = unescape(analyst.get("/en/analytics/madrona/rds/disease/").content.decode())
    assert "SS needs the population size" in page


@pytest.mark.django_db
def test_the_dashboard_shows_ss_beside_rds2_with_what_it_assumes() -> None:
    _import("fauxmadrona.csv", "madrona", "disease", degree_column="degree", population_size=1000)
    share = RDSQuestion.objects.get(question="disease").shares["1"]
    assert share["ss_low"] < share["ss"] < share["ss_high"]
    html = logged_in(staff_user("ana", "Analysts")).get("/en/analytics/?survey=madrona")
    html = html.content.decode()
    assert 'id="ss-note"' in html and "without replacement" in html and "1000 people" in html
    assert f'<td class="text-end ss">{100 * share["ss"]:.1f}</td>' in html
    dash = "\N{EN DASH}"
    assert f"{100 * share['ss_low']:.1f}{dash}{100 * share['ss_high']:.1f}" in html


@pytest.mark.django_db
def test_the_ss_interval_is_the_tree_bootstrap_with_fixed_ss_weights() -> None:
    survey = _import(
        "fauxmadrona.csv", "madrona", "disease", degree_column="degree", population_size=1000
    )
    stored = RDSQuestion.objects.get(question="disease").shares
    replicates = RDSEstimateSet.objects.get().replicates
    reference = _load("fauxmadrona.csv", "degree")
    values = [str(int(float(v))) for v in reference.column("disease")]
    options = sorted(set(values))
    ticked = np.array([[v == o for o in options] for v in values])
    answered = np.ones(len(values), dtype=bool)
    kwargs = {"ticked": ticked, "answered": answered, "options": options}
    samples = ss_estimates.ss_sample_count(respondents=reference.sample.size)
    weights = ss_weights(
        reference.sample, population_size=1000, seed=ss_estimates.SS_SEED, samples=samples
    )
    (ss,) = tree_bootstrap_weighted_multi(
        reference.sample, weights=[weights], replicates=replicates, seed=BOOTSTRAP_SEED, **kwargs
    )
    assert (stored["1"]["ss_low"], stored["1"]["ss_high"]) == pytest.approx(ss["1"], abs=1e-12)
    # The RDS-II interval is the one it was before SS shared the replicates.
    rds2 = tree_bootstrap_multi(
        reference.sample, replicates=replicates, seed=BOOTSTRAP_SEED, **kwargs
    )
    assert (stored["1"]["low"], stored["1"]["high"]) == pytest.approx(rds2["1"], abs=1e-12)
    assert EstimationSettings.of(survey).population_sizes() == [1000]


@pytest.mark.django_db
def test_the_diagnostics_page_plots_the_ss_share_across_the_population_range() -> None:
    _import("faux.csv", "faux", "X", population_size=1000, population_size_range=(800, 1600))
    stored = RDSQuestion.objects.get(question="x")
    html = logged_in(staff_user("ana", "Analysts")).get("/en/analytics/faux/rds/x/")
    data = page_json(html.content.decode(), "rds-diagnostics")
    curve = {p["population_size"]: p["shares"]["blue"] for p in data["ss_by_size"]}
    assert list(curve) == [800, 1000, 1200, 1400, 1600]
    assert curve[1000] == pytest.approx(stored.shares["blue"]["ss"], abs=1e-12)
    # A smaller population is sampled more thoroughly, so SS moves further from RDS-II.
    rds2 = stored.shares["blue"]["rds2"]
    assert abs(curve[800] - rds2) > abs(curve[1600] - rds2)
    assert 'id="ss-size"' in html.content.decode()


@pytest.mark.django_db
def test_differential_activity_on_faux_matches_r_through_the_platform() -> None:
    _import("faux.csv", "faux", "X")
    stored = RDSQuestion.objects.get(question="x").diagnostics
    # R reports the category whose name sorts last: red's mean degree over blue's.
    assert stored["differential_activity"]["red"] == pytest.approx(FAUX_ACTIVITY, abs=1e-12)
    html = logged_in(staff_user("ana", "Analysts")).get("/en/analytics/faux/rds/x/")
    assert '<td class="text-end activity">1.033</td>' in html.content.decode()


def test_differential_activity_matches_r_on_faux() -> None:
    faux = _load("faux.csv", "network.size")
    activity = differential_activity(faux.sample, values=faux.column("X"))
    assert activity["red"] == pytest.approx(FAUX_ACTIVITY, abs=1e-12)
    assert activity["blue"] == pytest.approx(1 / FAUX_ACTIVITY, abs=1e-12)


@pytest.mark.django_db
def test_the_diagnostics_page_shows_population_beside_recruitment_homophily() -> None:
    _import("fauxmadrona.csv", "madrona", "disease", degree_column="degree")
    stored = RDSQuestion.objects.get(question="disease")
    reference = _load("fauxmadrona.csv", "degree")
    values = [str(int(float(v))) for v in reference.column("disease")]
    expected = population_homophily(reference.sample, values=values)
    assert stored.diagnostics["population_homophily"] == pytest.approx(expected, abs=1e-12)
    html = logged_in(staff_user("ana", "Analysts")).get("/en/analytics/madrona/rds/disease/")
    html = html.content.decode()
    assert f'<td class="text-end population-homophily">{expected["1"]:.3f}</td>' in html
    assert f"Recruitment homophily: {stored.homophily:.2f}." in html


@pytest.mark.django_db
def test_a_population_size_smaller_than_the_sample_says_why() -> None:
    _import("faux.csv", "faux", "X", population_size=300)
    assert RDSEstimateSet.objects.get().ss_unavailable == ss_estimates.SMALL_POPULATION
    assert RDSQuestion.objects.get(question="x").shares["blue"]["ss"] is None


@pytest.mark.django_db
def test_ss_is_skipped_above_the_configured_sample_size(settings) -> None:
    settings.RDS_SS_MAX_RESPONDENTS = 300
    _import("faux.csv", "faux", "X", population_size=1000)
    assert RDSEstimateSet.objects.get().ss_unavailable == ss_estimates.TOO_MANY
    settings.RDS_SS_MAX_RESPONDENTS = 0
    rds_rebuild(survey_id=Survey.objects.get(slug="faux").pk)
    assert RDSEstimateSet.objects.get().ss_unavailable == ""


@pytest.mark.django_db
def test_the_population_size_must_lie_within_its_range() -> None:
    settings = EstimationSettings(
        population_size=2000, population_size_low=800, population_size_high=1500
    )
    with pytest.raises(ValidationError) as raised:
        settings.clean()
    assert raised.value.error_dict["population_size"][0].code == "population_size_range"
    with pytest.raises(ValidationError) as raised:
        EstimationSettings(population_size_low=800).clean()
    assert raised.value.error_dict["population_size"][0].code == "population_size_missing"
    with pytest.raises(CommandError, match="between its low and high"):
        call_command(
            "import_rds",
            str(REFERENCE / "faux.csv"),
            survey="faux",
            outcomes="X",
            population_size=2000,
            population_size_range=(800, 1500),
        )
    with pytest.raises(CommandError, match="LOW,HIGH"):
        call_command(
            "import_rds",
            str(REFERENCE / "faux.csv"),
            "--survey=faux",
            "--outcomes=X",
            "--population-size-range=800",
        )


@pytest.mark.django_db
def test_the_admin_lets_an_analyst_set_the_population_size(admin_client) -> None:
    survey = Survey.objects.create(slug="s", title_en="S", consent_en="c", consent_label_en="c")
    html = admin_client.get("/en/admin/estimates/estimationsettings/add/").content.decode()
    for name in ("population_size", "population_size_low", "population_size_high"):
        assert f'name="{name}"' in html
    sizes = {"population_size": 900, "population_size_low": 800, "population_size_high": 1600}
    data = {"survey": survey.pk, "interval_method": "el", **sizes}
    assert admin_client.post("/en/admin/estimates/estimationsettings/add/", data).status_code == 302
    assert EstimationSettings.of(survey).population_sizes()[0] == 800


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_ss_plot_is_drawn_in_a_browser(live_server, phone) -> None:
    _import("faux.csv", "faux", "X", population_size=1000, population_size_range=(800, 1600))
    log_in_browser(phone.context, user=staff_user("phone-analyst", "Analysts"), url=live_server.url)
    errors: list[str] = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    phone.goto(f"{live_server.url}/en/analytics/faux/rds/x/")
    phone.wait_for_selector("#ss-size")
    drawn = phone.evaluate("Boolean(window.Chart.getChart(document.getElementById('ss-size')))")
    assert drawn and not errors, errors
