"""Check Gile's successive-sampling estimator (estimates.rds.ss) against R's RDS package.

The data sets and R's own SS weights are copies in ``tests/data/rds/`` (see the README there for
their source and licence). SS is stochastic: every test fixes the seed, and the tolerances are the
R package's own. No Django and no database are needed.
"""

from __future__ import annotations

import csv
import itertools
import math

import numpy as np
import pytest

from estimates.rds.sample import RDSError, rds_sample
from estimates.rds.ss import (
    population_counts,
    ss_multi_shares,
    ss_shares,
    ss_weights,
    successive_sample_counts,
)
from estimates.rds.weights import rds2_shares, rds2_weights
from tests.estimates.test_rds_estimators import REFERENCE_DIR, Reference, _load


@pytest.fixture(scope="module")
def faux() -> Reference:
    """Load R's faux data set (1 seed, 389 respondents, N = 1000)."""
    return _load("faux.csv", "network.size")


def _disease_share(reference: Reference, *, population_size: int) -> tuple[float, float]:
    """Return the SS and RDS-II shares of disease = 1."""
    disease = [str(int(float(v))) for v in reference.column("disease")]
    ss = ss_shares(reference.sample, values=disease, population_size=population_size)
    return ss["1"], rds2_shares(reference.sample, values=disease)["1"]


# ---------------------------------------------------------------------------------------------
# R's reference values
# ---------------------------------------------------------------------------------------------


def test_ss_share_of_blue_matches_r_on_faux_with_n_1000(faux: Reference) -> None:
    shares = ss_shares(faux.sample, values=faux.column("X"), population_size=1000)
    assert shares["blue"] == pytest.approx(0.308679056967587, abs=0.002)
    assert shares["red"] == pytest.approx(0.691320943032413, abs=0.002)


def test_ss_weights_are_within_r_tolerance_of_r_gile_weights_on_faux(faux: Reference) -> None:
    with (REFERENCE_DIR / "faux_gile_ss_weights.csv").open(newline="") as handle:
        r_weights = {row["id"]: float(row["gile_ss_weight"]) for row in csv.DictReader(handle)}
    expected = np.array([r_weights[i] for i in faux.sample.ids])
    # R's vector is itself one Monte Carlo draw (1000 SS samples); two independent draws at that
    # size differ by about 0.02 on average, so ours uses more samples to sit well inside R's
    # tolerance rather than on its edge.
    weights = ss_weights(faux.sample, population_size=1000, samples=5000)
    assert weights.sum() == pytest.approx(1000, abs=1e-9)  # R scales SS weights to sum to N
    assert expected.sum() == pytest.approx(1000, abs=1e-9)
    assert np.abs(weights - expected).mean() < 0.02


def test_ss_lands_nearer_the_truth_than_rds2_when_70_percent_is_sampled() -> None:
    ss, rds2 = _disease_share(_load("fauxsycamore.csv", "degree"), population_size=715)
    assert abs(ss - 0.2) < abs(rds2 - 0.2)
    assert abs(ss - 0.2) < 0.01


def test_ss_share_of_disease_matches_r_documentation_on_fauxmadrona() -> None:
    ss, _ = _disease_share(_load("fauxmadrona.csv", "degree"), population_size=1000)
    assert ss == pytest.approx(0.1941, abs=0.01)


# ---------------------------------------------------------------------------------------------
# Behaviour at the limits of the population size
# ---------------------------------------------------------------------------------------------


def test_ss_equals_rds2_when_the_population_is_very_large(faux: Reference) -> None:
    values = faux.column("X")
    ss = ss_shares(faux.sample, values=values, population_size=10**7)
    assert ss["blue"] == pytest.approx(rds2_shares(faux.sample, values=values)["blue"], abs=0.01)
    weights = ss_weights(faux.sample, population_size=10**7)
    assert weights == pytest.approx(rds2_weights(faux.sample, population_size=10**7), rel=1e-12)


def test_simulated_ss_is_close_to_rds2_just_above_the_shortcut_threshold(faux: Reference) -> None:
    # n / N = 389 / 9000 = 4.3 % is simulated and already nearly RDS-II.
    values = faux.column("X")
    ss = ss_shares(faux.sample, values=values, population_size=9000, samples=200)
    assert ss["blue"] == pytest.approx(rds2_shares(faux.sample, values=values)["blue"], abs=0.01)


def test_ss_is_simulated_from_a_one_percent_sample_fraction_as_r_rds_ss_estimates_does(
    faux: Reference,
) -> None:
    # R's RDS.SS.estimates passes control.rds.estimates()$SS.infinity = 0.01: at n / N = 389 /
    # 20,000 (1.9 %) its weights are simulated, not RDS-II's; at 389 / 40,000 (0.97 %) they are.
    rds2 = rds2_weights(faux.sample, population_size=20_000)
    simulated = ss_weights(faux.sample, population_size=20_000, samples=200)
    assert simulated != pytest.approx(rds2, rel=1e-9)
    assert simulated.sum() == pytest.approx(20_000)
    shortcut = ss_weights(faux.sample, population_size=40_000, samples=200)
    assert shortcut == pytest.approx(rds2_weights(faux.sample, population_size=40_000), rel=1e-12)


def test_ss_equals_the_sample_share_when_everyone_is_sampled(faux: Reference) -> None:
    values = faux.column("X")
    shares = ss_shares(faux.sample, values=values, population_size=faux.sample.size)
    assert shares["blue"] == pytest.approx(values.count("blue") / len(values), abs=1e-3)


def test_a_population_smaller_than_the_sample_is_refused(faux: Reference) -> None:
    with pytest.raises(RDSError, match="population size, 388, is smaller than the sample size"):
        ss_weights(faux.sample, population_size=388)


def test_ss_needs_degrees() -> None:
    sample = rds_sample(ids=["a", "b"], recruiter_ids=[None, "a"], degrees=[None, None])
    with pytest.raises(RDSError, match="network size"):
        ss_shares(sample, values=["x", "y"], population_size=10)


def test_a_single_respondent_carries_the_whole_population() -> None:
    sample = rds_sample(ids=["a"], recruiter_ids=[None], degrees=[3])
    assert ss_weights(sample, population_size=50).tolist() == [50.0]


# ---------------------------------------------------------------------------------------------
# The simulation and the API
# ---------------------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_weights_and_another_seed_other_weights(
    faux: Reference,
) -> None:
    first = ss_weights(faux.sample, population_size=1000, seed=7, samples=100)
    again = ss_weights(faux.sample, population_size=1000, seed=7, samples=100)
    other = ss_weights(faux.sample, population_size=1000, seed=8, samples=100)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_multiple_choice_ss_shares_equal_single_choice_ss_shares(faux: Reference) -> None:
    values = faux.column("X")
    ticked = np.array([[v == "blue", v == "red"] for v in values])
    answered = np.ones(len(values), dtype=bool)
    answered[:5] = False  # unanswered respondents leave the denominator
    single = ss_shares(
        faux.sample,
        values=[v if a else None for v, a in zip(values, answered, strict=True)],
        population_size=1000,
        samples=100,
    )
    multi = ss_multi_shares(
        faux.sample,
        ticked=ticked,
        answered=answered,
        options=["blue", "red"],
        population_size=1000,
        samples=100,
    )
    assert multi == pytest.approx(single, abs=1e-12)


def test_population_counts_sum_to_n_with_every_class_present() -> None:
    shares = np.array([0.0004, 0.3, 0.2996, 0.4])
    counts = population_counts(shares, 1000)
    assert counts.sum() == 1000
    assert counts.min() >= 1
    assert np.abs(counts - 1000 * shares).max() < 1
    assert population_counts(np.array([0.01, 0.01, 0.01, 0.97]), 4).tolist() == [1, 1, 1, 1]


def _exact_inclusion(degrees: list[int], size: int) -> np.ndarray:
    """Return each unit's inclusion probability under successive sampling, by enumeration."""
    inclusion = np.zeros(len(degrees))
    for order in itertools.permutations(range(len(degrees)), size):
        probability, left = 1.0, float(sum(degrees))
        for unit in order:
            probability *= degrees[unit] / left
            left -= degrees[unit]
        inclusion[list(order)] += probability
    return inclusion


def test_simulated_successive_samples_draw_units_with_the_exact_inclusion_probabilities() -> None:
    # Units of degree 1, 2, 2, 5, 9 drawn two at a time, proportional to degree, without
    # replacement: the simulation's class counts must match the urn's exact probabilities.
    degrees = np.array([1, 2, 5, 9])
    counts = np.array([1, 2, 1, 1])
    samples = 40_000
    drawn = successive_sample_counts(
        degrees=degrees,
        counts=counts,
        sample_size=2,
        samples=samples,
        rng=np.random.default_rng(1),
    )
    exact = _exact_inclusion([1, 2, 2, 5, 9], 2)
    per_class = np.array([exact[0], exact[1] + exact[2], exact[3], exact[4]])
    assert drawn.sum() == 2 * samples
    assert drawn / samples == pytest.approx(per_class, abs=4 / math.sqrt(samples))
