"""SS-PSE population size (Handcock, Gile & Mar 2014): the sampler, its prior and the command.

Reference values: R 4.2.2, ``sspse`` 1.1.0-6, ``posteriorsize(fauxmadrona, median.prior.size =
1000, visibility = FALSE, samplesize = 2000)`` over 20 seeds
(``tests/data/rds/REFERENCE_VALUES.md``, "SS-PSE population size").
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from estimates.rds.estimators.sspse import population_size, tree_degrees
from estimates.rds.estimators.sspse_prior import size_prior
from estimates.rds.sample import RDSError

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "rds"
# R's mean over 20 seeds and its seed-to-seed s.d., per summary of the posterior of N.
R_SSPSE = {
    "map": (1078, 36),
    "mean": (1551, 59),
    "median": (1334, 47),
    "lower": (777, 19),
    "upper": (3543, 199),
}


def _fauxmadrona_degrees() -> np.ndarray:
    frame = pd.read_csv(REFERENCE / "fauxmadrona.csv", dtype={"id": str, "recruiter.id": str})
    row_of = {pk: i for i, pk in enumerate(frame["id"])}
    parent = np.array([row_of.get(r, -1) for r in frame["recruiter.id"]])
    # R's order of recruitment without recruitment times: the file's row order.
    return tree_degrees(degree=frame["degree"].to_numpy(dtype=float), parent=parent)


def test_sspse_on_fauxmadrona_lands_within_three_of_rs_seed_to_seed_sds() -> None:
    result = population_size(
        degrees=_fauxmadrona_degrees(), prior_median=1000, samples=2000, seed=2
    )
    for name, (r_mean, r_sd) in R_SSPSE.items():
        assert abs(getattr(result, name) - r_mean) < 3 * r_sd, name
    assert result.n == 500
    assert len(result.draws) == 2000
    # The posterior is pulled above the prior's median of 1000 by the sampling order.
    assert result.prior.median == pytest.approx(1000, abs=1)
    assert result.median > 1000


def test_the_same_seed_gives_the_same_posterior_and_another_seed_another() -> None:
    degrees = _fauxmadrona_degrees()

    def short(seed: int) -> np.ndarray:
        return population_size(
            degrees=degrees, prior_median=1000, samples=60, seed=seed, warmup=200
        ).draws

    assert np.array_equal(short(7), short(7))
    assert not np.array_equal(short(7), short(8))


def test_the_posterior_densities_cover_the_priors_support_for_a_plot() -> None:
    result = population_size(
        degrees=_fauxmadrona_degrees(), prior_median=1000, samples=100, seed=1, warmup=200
    )
    assert result.grid[0] == 500
    assert result.grid[-1] == result.prior.max_size
    spacing = result.grid[1] - result.grid[0]
    # Both are densities per unit of N: each integrates to about one over the grid.
    assert np.sum(result.prior_density) * spacing == pytest.approx(1, abs=0.05)
    assert np.sum(result.posterior_density) * spacing == pytest.approx(1, abs=0.1)
    assert result.grid[np.argmax(result.posterior_density)] == result.map


def test_the_prior_has_the_analysts_median_and_a_tail_of_about_one_percent() -> None:
    prior = size_prior(n=500, median=1000)
    assert prior.median == pytest.approx(1000, abs=1)
    p = np.exp(prior.log_probability)
    assert p.sum() == pytest.approx(1)
    assert 0.005 <= p[-1] / p.max() <= 0.015
    assert prior.sizes[0] == 500


def test_the_prior_from_quartiles_has_those_quartiles() -> None:
    prior = size_prior(n=500, quartiles=(800, 1500))
    assert prior.quartiles == pytest.approx((800, 1500), rel=0.03)


def test_a_prior_median_not_above_the_sample_size_is_refused() -> None:
    with pytest.raises(RDSError, match="larger than the number of respondents"):
        size_prior(n=500, median=500)


def _import_fauxmadrona() -> None:
    call_command(
        "import_rds",
        str(REFERENCE / "fauxmadrona.csv"),
        survey="fauxmadrona",
        outcomes="disease",
        degree_column="degree",
        stdout=io.StringIO(),
    )


@pytest.mark.django_db
def test_the_command_writes_the_posterior_and_is_reproducible_with_a_seed(tmp_path: Path) -> None:
    _import_fauxmadrona()
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    for output in (first, second):
        call_command(
            "estimate_population_size",
            survey="fauxmadrona",
            prior_median=1000,
            samples=150,
            seed=11,
            output=output,
            stdout=io.StringIO(),
        )
    written = json.loads(first.read_text())
    assert first.read_text() == second.read_text()
    assert written["n"] == 500
    assert written["seed"] == 11
    assert written["samples"] == 150
    assert written["prior"]["median"] == pytest.approx(1000, abs=1)
    assert 500 <= written["lower"] < written["median"] < written["upper"]
    assert written["lower"] <= written["map"] <= written["upper"]
    assert len(written["density"]["size"]) == len(written["density"]["posterior"])


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_survey_and_a_prior_below_the_sample(
    tmp_path: Path,
) -> None:
    output = tmp_path / "n.json"
    with pytest.raises(CommandError, match="no survey 'nowhere'"):
        call_command("estimate_population_size", survey="nowhere", prior_median=900, output=output)
    _import_fauxmadrona()
    with pytest.raises(CommandError, match="larger than the number of respondents"):
        call_command(
            "estimate_population_size", survey="fauxmadrona", prior_median=400, output=output
        )
    with pytest.raises(CommandError):
        call_command(
            "estimate_population_size", survey="fauxmadrona", prior_median=-3, output=output
        )
    with pytest.raises(CommandError):
        call_command(
            "estimate_population_size",
            "--seed=-1",
            survey="fauxmadrona",
            prior_median=900,
            output=output,
        )
    assert not output.exists()


def test_a_prior_beyond_rs_cap_on_n_is_refused_rather_than_truncated() -> None:
    with pytest.raises(RDSError, match="up to 200,000, or ten times"):
        size_prior(n=500, median=150_000)


@pytest.mark.django_db
def test_the_command_takes_the_priors_quartiles_instead_of_its_median(tmp_path: Path) -> None:
    _import_fauxmadrona()
    output = tmp_path / "q.json"
    call_command(
        "estimate_population_size",
        survey="fauxmadrona",
        prior_quartiles="800,1500",
        samples=100,
        seed=1,
        output=output,
        stdout=io.StringIO(),
    )
    assert json.loads(output.read_text())["prior"]["quartiles"] == pytest.approx(
        [800, 1500], rel=0.03
    )
