"""HCG (Fellows 2019) in the platform: recruitment times from import, shares, R's interval.

Reference values: R 4.2.2, ``RDS`` 0.9-10 (``tests/data/rds/REFERENCE_VALUES.md``, "HCG").
"""

from __future__ import annotations

import io
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from estimates.models import RDSQuestion
from estimates.rds import hcg_estimates
from estimates.rds.estimators.empirical import el_standard_error
from estimates.rds.estimators.hcg import HCGResult, hcg_weights
from surveys.models import Response
from tests.fixtures.staff import logged_in, staff_user

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "rds"
# R: set.seed(1); RDS.HCG.estimates(fauxtime, "var1", N = 1000), var1 = 1.
FAUXTIME_HCG = 0.1482
FAUXTIME_HCG_INTERVAL = (0.1075, 0.1889)


def _import_fauxtime(**options: object) -> None:
    call_command(
        "import_rds",
        str(REFERENCE / "fauxtime.csv"),
        survey="fauxtime",
        outcomes="var1",
        id_column="SER",
        degree_column="NETWORK",
        time_column="DATEINTERVIEW",
        stdout=io.StringIO(),
        **options,
    )
    call_command("rebuild_aggregates", survey="fauxtime", stdout=io.StringIO())


@pytest.mark.django_db
def test_fauxtime_with_its_interview_times_gets_rs_hcg_share_and_interval(tmp_path: Path) -> None:
    _import_fauxtime(population_size=1000)
    output = tmp_path / "aggregates.csv"
    call_command("export_csv", "aggregates", survey="fauxtime", output=output, stdout=io.StringIO())
    table = pd.read_csv(output, encoding="utf-8-sig", dtype={"option": str})
    row = table.set_index(["question", "option"]).loc[("var1", "1")]
    assert row["hcg_share"] == pytest.approx(FAUXTIME_HCG, abs=0.005)
    # R sums the interval's pairs in the file's row order, the platform in the order of
    # recruitment (interview times); on fauxtime that moves the bounds by about 0.005.
    interval = (row["hcg_ci_low"], row["hcg_ci_high"])
    assert interval == pytest.approx(FAUXTIME_HCG_INTERVAL, abs=0.007)
    assert table.set_index(["question", "option"]).loc[("var1", "0"), "hcg_share"] == (
        pytest.approx(1 - row["hcg_share"])
    )


def _fauxtime_hcg(population_size: int) -> tuple[HCGResult, np.ndarray]:
    frame = pd.read_csv(REFERENCE / "fauxtime.csv")
    row_of = {ser: i for i, ser in enumerate(frame["SER"].astype(str))}
    group = frame["var1"].to_numpy().astype(int)
    result = hcg_weights(
        parent=np.array([row_of.get(str(r), -1) for r in frame["recruiter.id"]]),
        time=frame["DATEINTERVIEW"].to_numpy(),
        degree=frame["NETWORK"].to_numpy(),
        group=group,
        population_size=population_size,
    )
    return result, group


def test_hcg_on_fauxtime_in_the_files_order_gives_rs_interval() -> None:
    result, group = _fauxtime_hcg(1000)
    share = float(result.weights @ (group == 1))
    assert share == pytest.approx(result.shares[1])
    assert share == pytest.approx(FAUXTIME_HCG, abs=0.005)
    se = el_standard_error(result.weights, (group == 1).astype(float), population_size=1000)
    interval = (share - 1.96 * se, share + 1.96 * se)
    assert interval == pytest.approx(FAUXTIME_HCG_INTERVAL, abs=0.005)


def test_hcg_at_n_3000_lands_in_rs_range() -> None:
    result, _group = _fauxtime_hcg(3000)
    # R over two seeds: 0.1446 - 0.1461.
    assert 0.1446 - 0.005 < result.shares[1] < 0.1461 + 0.005


@pytest.mark.django_db
def test_the_import_keeps_the_interview_times_as_the_order_of_recruitment() -> None:
    _import_fauxtime()
    frame = pd.read_csv(REFERENCE / "fauxtime.csv")
    stored = {r.code_used: r.submitted_at.timestamp() for r in Response.objects.all()}
    seconds = np.array([stored[str(ser)] for ser in frame["SER"]])
    # The same second as in the file; equal times keep the file's order, a microsecond apart.
    assert np.all(np.floor(seconds) == frame["DATEINTERVIEW"].to_numpy())
    ties = frame["DATEINTERVIEW"].to_numpy()
    first_tie = np.flatnonzero(ties == ties[0])
    assert np.all(np.diff(seconds[first_tie]) > 0)


@pytest.mark.django_db
def test_an_unreadable_time_is_refused_with_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "times.csv"
    broken.write_text("id,recruiter.id,network.size,x,when\n1,seed,3,a,2024-01-02\n2,1,4,b,soon\n")
    with pytest.raises(CommandError, match=r"line 3: the when value 'soon'"):
        call_command(
            "import_rds",
            str(broken),
            survey="t",
            outcomes="x",
            time_column="when",
            stdout=io.StringIO(),
        )
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_the_dashboard_shows_the_hcg_column_with_a_plain_note() -> None:
    _import_fauxtime(population_size=1000)
    share = RDSQuestion.objects.get(question="var1").shares["1"]
    html = unescape(
        logged_in(staff_user("ana", "Analysts"))
        .get("/en/analytics/?survey=fauxtime")
        .content.decode()
    )
    assert f'<td class="text-end hcg">{100 * share["hcg"]:.1f}</td>' in html
    assert 'id="hcg-note"' in html and "order of recruitment" in html


@pytest.mark.django_db
def test_without_a_population_size_there_is_no_hcg_and_no_column() -> None:
    _import_fauxtime()
    share = RDSQuestion.objects.get(question="var1").shares["1"]
    assert share.get("hcg") is None
    html = logged_in(staff_user("ana", "Analysts")).get("/en/analytics/?survey=fauxtime")
    assert 'class="text-end hcg"' not in html.content.decode()


@pytest.mark.django_db
def test_above_the_configured_sample_size_hcg_is_skipped_with_the_reason(settings) -> None:
    settings.RDS_HCG_MAX_RESPONDENTS = 500
    _import_fauxtime(population_size=1000)
    stored = RDSQuestion.objects.get(question="var1")
    assert stored.shares["1"].get("hcg") is None
    assert stored.unavailable["hcg"] == hcg_estimates.TOO_MANY
    html = logged_in(staff_user("ana", "Analysts")).get("/ru/analytics/?survey=fauxtime")
    with translation.override("ru"):
        assert translation.gettext(hcg_estimates.TOO_MANY) in unescape(html.content.decode())
