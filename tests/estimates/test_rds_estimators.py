"""Check the RDS estimators in estimates.rds against R's RDS package reference data.

The reference CSVs are copies of R's ``RDS`` 0.9-10 data sets in ``tests/data/rds/`` (see its
README for their source and licence). No Django and no database are needed: the module runs
with ``-p no:django`` as well as under pytest-django.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from estimates.rds.bootstrap import (  # noqa: E402
    replicate_totals,
    tree_bootstrap,
    tree_bootstrap_counts,
    tree_bootstrap_multi,
)
from estimates.rds.diagnostics import bottleneck, convergence  # noqa: E402
from estimates.rds.sample import RDSError, RDSSample, rds_sample  # noqa: E402
from estimates.rds.weights import (  # noqa: E402
    homophily,
    population_homophily,
    rds1_shares,
    rds2_multi_shares,
    rds2_shares,
    rds2_weights,
    stationary_distribution,
    transition_counts,
)

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "data" / "rds"


@dataclass(frozen=True)
class Reference:
    """Hold one reference data set as an RDS sample plus its raw rows."""

    sample: RDSSample
    rows: list[dict[str, str]]

    def column(self, name: str) -> list[str]:
        """Return one column of the CSV as strings."""
        return [row[name] for row in self.rows]


def _load(name: str, degree_column: str) -> Reference:
    """Read a reference CSV, failing the test run when it is missing."""
    path = REFERENCE_DIR / name
    if not path.is_file():
        pytest.fail(f"R reference data {path} is missing; the RDS estimators cannot be verified.")
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    sample = rds_sample(
        ids=[row["id"] for row in rows],
        recruiter_ids=[row["recruiter.id"] for row in rows],
        degrees=[float(row[degree_column]) for row in rows],
    )
    return Reference(sample=sample, rows=rows)


@pytest.fixture(scope="module")
def faux() -> Reference:
    """Load R's faux data set (1 seed, 389 respondents)."""
    return _load("faux.csv", "network.size")


@pytest.fixture(scope="module")
def fauxmadrona() -> Reference:
    """Load R's fauxmadrona data set (10 seeds, 500 respondents)."""
    return _load("fauxmadrona.csv", "degree")


def _disease(reference: Reference) -> list[str]:
    """Return fauxmadrona's disease column as "0" / "1" labels."""
    return [str(int(float(v))) for v in reference.column("disease")]


# A hand-built forest:  s1 -> a -> c,  s1 -> b,  s2 -> d.
HAND_IDS = ["s1", "s2", "a", "b", "c", "d"]
HAND_RECRUITERS: list[str | None] = [None, None, "s1", "s1", "a", "s2"]
HAND_DEGREES: list[float | None] = [10, 5, 2, 4, 5, 10]
HAND_VALUES: list[str | None] = ["x", "y", "x", "y", "x", "y"]


@pytest.fixture
def hand() -> RDSSample:
    """Build the small hand-made forest."""
    return rds_sample(ids=HAND_IDS, recruiter_ids=HAND_RECRUITERS, degrees=HAND_DEGREES)


# ---------------------------------------------------------------------------------------------
# Reference values from R's RDS package
# ---------------------------------------------------------------------------------------------


def test_rds2_weights_with_population_size_match_r_on_faux(faux: Reference) -> None:
    weights = rds2_weights(faux.sample, population_size=1000)
    expected = [2.39047483002056, 1.91237986401645, 2.24985866354876, 1.19523741501028]
    assert weights[:4] == pytest.approx(expected, abs=1e-9)
    assert weights.sum() == pytest.approx(1000, abs=1e-9)


def test_rds2_share_of_x_matches_r_on_faux(faux: Reference) -> None:
    shares = rds2_shares(faux.sample, values=faux.column("X"))
    assert shares["blue"] == pytest.approx(0.310334112778454, abs=1e-9)
    assert shares["red"] == pytest.approx(0.689665887221546, abs=1e-9)


def test_transition_counts_of_x_match_r_on_faux(faux: Reference) -> None:
    counts = transition_counts(faux.sample, values=faux.column("X"))
    assert counts == {
        ("blue", "blue"): 39,
        ("blue", "red"): 82,
        ("red", "blue"): 79,
        ("red", "red"): 188,
    }


def test_stationary_distribution_of_x_matches_r_on_faux(faux: Reference) -> None:
    distribution = stationary_distribution(faux.sample, values=faux.column("X"))
    assert distribution["blue"] == pytest.approx(0.303913776110387, abs=1e-9)
    assert sum(distribution.values()) == pytest.approx(1, abs=1e-12)


def test_rds1_share_of_x_matches_r_on_faux(faux: Reference) -> None:
    shares = rds1_shares(faux.sample, values=faux.column("X"))
    assert shares["blue"] == pytest.approx(0.310913, abs=1e-6)
    assert sum(shares.values()) == pytest.approx(1, abs=1e-12)


def test_data_smoothed_rds1_equals_plain_rds1_for_two_groups(faux: Reference) -> None:
    plain = rds1_shares(faux.sample, values=faux.column("X"))
    smoothed = rds1_shares(faux.sample, values=faux.column("X"), smoothed=True)
    assert smoothed == pytest.approx(plain, abs=1e-12)


def test_rds1_share_of_disease_matches_r_documentation_on_fauxmadrona(
    fauxmadrona: Reference,
) -> None:
    shares = rds1_shares(fauxmadrona.sample, values=_disease(fauxmadrona))
    assert shares["1"] == pytest.approx(0.1592, abs=5e-4)


def test_rds2_share_of_disease_matches_r_documentation_on_fauxmadrona(
    fauxmadrona: Reference,
) -> None:
    shares = rds2_shares(fauxmadrona.sample, values=_disease(fauxmadrona))
    assert shares["1"] == pytest.approx(0.1644, abs=5e-4)


def test_population_homophily_on_disease_matches_r_on_fauxmadrona(
    fauxmadrona: Reference,
) -> None:
    result = population_homophily(fauxmadrona.sample, values=_disease(fauxmadrona))
    assert result["1"] == pytest.approx(1.60397806961622, abs=1e-9)
    assert result["0"] == pytest.approx(result["1"], abs=1e-12)


def test_recruitment_homophily_is_same_group_recruitments_over_random_expectation(
    faux: Reference,
) -> None:
    # Rows: recruiter blue / red; columns: recruit blue / red (39, 82 / 79, 188).
    expected_at_random = ((39 + 82) * (39 + 79) + (79 + 188) * (82 + 188)) / 388
    value = homophily(faux.sample, values=faux.column("X"))
    assert value == pytest.approx((39 + 188) / expected_at_random, abs=1e-12)


def test_waves_and_seeds_match_the_reference_columns(
    faux: Reference, fauxmadrona: Reference
) -> None:
    for reference in (faux, fauxmadrona):
        sample = reference.sample
        assert sample.wave.tolist() == [int(w) for w in reference.column("wave")]
        assert [sample.ids[s] for s in sample.seed] == reference.column("seed")
        assert sample.imputed_degrees == 0
    assert len(fauxmadrona.sample.seeds) == 10
    assert faux.sample.n_waves == 11


# ---------------------------------------------------------------------------------------------
# Sample construction
# ---------------------------------------------------------------------------------------------


def test_hand_built_forest_has_parents_waves_seeds_and_csr_children(
    hand: RDSSample,
) -> None:
    assert hand.parent.tolist() == [-1, -1, 0, 0, 2, 1]
    assert hand.wave.tolist() == [0, 0, 1, 1, 2, 1]
    assert hand.seed.tolist() == [0, 1, 0, 0, 0, 1]
    assert hand.seeds.tolist() == [0, 1]
    children = {
        hand.ids[i]: [
            hand.ids[c] for c in hand.child_idx[hand.child_ptr[i] : hand.child_ptr[i + 1]]
        ]
        for i in range(hand.size)
    }
    assert children == {"s1": ["a", "b"], "s2": ["d"], "a": ["c"], "b": [], "c": [], "d": []}
    assert hand.n_children.tolist() == [2, 1, 1, 0, 0, 0]


def test_recruiter_outside_the_sample_makes_a_seed() -> None:
    sample = rds_sample(ids=["a", "b"], recruiter_ids=["ghost", "a"], degrees=[3, 4])
    assert sample.parent.tolist() == [-1, 0]
    assert sample.seeds.tolist() == [0]


def test_missing_and_zero_degrees_are_replaced_by_the_largest_and_counted() -> None:
    sample = rds_sample(
        ids=HAND_IDS, recruiter_ids=HAND_RECRUITERS, degrees=[None, 0, 3, 7, float("nan"), 2]
    )
    assert sample.imputed_degrees == 3
    assert sample.degree.tolist() == [7, 7, 3, 7, 7, 2]


def test_sample_arrays_are_read_only(hand: RDSSample) -> None:
    with pytest.raises(ValueError, match="read-only"):
        hand.degree[0] = 1.0


# ---------------------------------------------------------------------------------------------
# Shares on the hand-built forest
# ---------------------------------------------------------------------------------------------


def test_rds2_shares_weight_each_respondent_by_inverse_degree(hand: RDSSample) -> None:
    shares = rds2_shares(hand, values=HAND_VALUES)
    x = 1 / 10 + 1 / 2 + 1 / 5
    y = 1 / 5 + 1 / 4 + 1 / 10
    assert shares == pytest.approx({"x": x / (x + y), "y": y / (x + y)}, abs=1e-12)


def test_missing_values_are_left_out_of_the_shares(hand: RDSSample) -> None:
    shares = rds2_shares(hand, values=["x", None, "x", "y", None, "y"])
    x = 1 / 10 + 1 / 2
    y = 1 / 4 + 1 / 10
    assert shares == pytest.approx({"x": x / (x + y), "y": y / (x + y)}, abs=1e-12)


def test_multi_choice_shares_are_weighted_among_answering_respondents(
    hand: RDSSample,
) -> None:
    ticked = np.array([[1, 0], [1, 1], [0, 0], [0, 1], [1, 0], [0, 0]], dtype=bool)
    answered = np.array([1, 1, 1, 1, 0, 0], dtype=bool)
    shares = rds2_multi_shares(hand, ticked=ticked, answered=answered, options=["p", "q"])
    total = 1 / 10 + 1 / 5 + 1 / 2 + 1 / 4
    assert shares == pytest.approx({"p": 0.3 / total, "q": 0.45 / total}, abs=1e-12)


def test_single_choice_shares_equal_multi_choice_shares_on_one_hot_indicators(
    fauxmadrona: Reference,
) -> None:
    disease = np.array(_disease(fauxmadrona)) == "1"
    ticked = np.column_stack([~disease, disease])
    answered = np.ones(len(disease), dtype=bool)
    multi = rds2_multi_shares(
        fauxmadrona.sample, ticked=ticked, answered=answered, options=["0", "1"]
    )
    assert multi == pytest.approx(rds2_shares(fauxmadrona.sample, values=_disease(fauxmadrona)))


# ---------------------------------------------------------------------------------------------
# Tree bootstrap
# ---------------------------------------------------------------------------------------------


def test_tree_bootstrap_is_deterministic_for_a_fixed_seed(fauxmadrona: Reference) -> None:
    first = tree_bootstrap(fauxmadrona.sample, values=_disease(fauxmadrona), seed=11)
    second = tree_bootstrap(fauxmadrona.sample, values=_disease(fauxmadrona), seed=11)
    other = tree_bootstrap(fauxmadrona.sample, values=_disease(fauxmadrona), seed=12)
    assert first == second
    assert first != other


def test_tree_bootstrap_interval_contains_the_point_estimate(fauxmadrona: Reference) -> None:
    values = _disease(fauxmadrona)
    point = rds2_shares(fauxmadrona.sample, values=values)
    interval = tree_bootstrap(fauxmadrona.sample, values=values)
    for option, (low, high) in interval.items():
        assert low < point[option] < high
    assert interval["1"][0] == pytest.approx(1 - interval["0"][1], abs=1e-12)


def test_tree_bootstrap_replicates_follow_the_recruitment_tree(hand: RDSSample) -> None:
    counts = tree_bootstrap_counts(hand, replicates=20_000, seed=3)
    s1, s2, a, b, c, d = counts.T
    # Two seeds drawn with replacement; each copy of a recruiter redraws its own number of
    # recruits among its recruits; respondents without recruits bring nobody.
    assert (s1 + s2 == 2).all()
    assert (a + b == 2 * s1).all()
    assert (c == a).all()
    assert (d == s2).all()
    assert {int(v) for v in s1} == {0, 1, 2}
    assert counts.mean(axis=0) == pytest.approx(np.ones(6), abs=0.05)


def test_tree_bootstrap_interval_is_the_percentile_interval_of_the_replicates(
    hand: RDSSample,
) -> None:
    counts = tree_bootstrap_counts(hand, replicates=400, seed=5)
    weights = 1 / np.array(HAND_DEGREES, dtype=float)
    is_x = np.array(HAND_VALUES) == "x"
    estimates = (counts @ (weights * is_x)) / (counts @ weights)
    interval = tree_bootstrap(hand, values=HAND_VALUES, replicates=400, seed=5, level=0.9)
    assert interval["x"] == pytest.approx(tuple(np.quantile(estimates, [0.05, 0.95])), abs=1e-12)


def test_replicate_totals_within_a_group_leave_the_others_out_of_every_replicate(
    fauxmadrona: Reference,
) -> None:
    sample = fauxmadrona.sample
    disease = np.array(_disease(fauxmadrona)) == "1"
    columns = np.column_stack([disease, ~disease, np.ones(len(disease), dtype=bool)])
    weights = rds2_weights(sample)
    within = np.arange(len(disease)) % 7 != 3  # every seventh respondent left out
    everyone, part = replicate_totals(
        sample, columns=columns, weights=[weights], replicates=300, seed=11, within=within
    )
    counts = tree_bootstrap_counts(sample, replicates=300, seed=11)
    assert everyone == pytest.approx(counts @ (weights[:, None] * columns), rel=1e-12)
    assert part == pytest.approx(counts @ ((weights * within)[:, None] * columns), rel=1e-12)
    assert not np.allclose(part, everyone)


def test_tree_bootstrap_multi_matches_single_choice_on_one_hot_indicators(
    fauxmadrona: Reference,
) -> None:
    disease = np.array(_disease(fauxmadrona)) == "1"
    multi = tree_bootstrap_multi(
        fauxmadrona.sample,
        ticked=np.column_stack([~disease, disease]),
        answered=np.ones(len(disease), dtype=bool),
        options=["0", "1"],
        replicates=300,
    )
    single = tree_bootstrap(fauxmadrona.sample, values=_disease(fauxmadrona), replicates=300)
    assert multi == single


# ---------------------------------------------------------------------------------------------
# Convergence and bottleneck diagnostics
# ---------------------------------------------------------------------------------------------


def test_convergence_by_wave_accumulates_waves_and_ends_at_the_full_estimate(
    fauxmadrona: Reference,
) -> None:
    values = _disease(fauxmadrona)
    path = convergence(fauxmadrona.sample, values=values, by="wave")
    assert [p.position for p in path] == [0, 1, 2, 3, 4, 5]
    assert path[0].respondents == 10
    assert path[-1].respondents == 500
    assert path[-1].shares == pytest.approx(rds2_shares(fauxmadrona.sample, values=values))


def test_convergence_by_order_follows_the_row_order(hand: RDSSample) -> None:
    path = convergence(hand, values=HAND_VALUES, by="order")
    assert [p.position for p in path] == [1, 2, 3, 4, 5, 6]
    assert path[0].shares == {"x": 1.0, "y": 0.0}
    assert path[1].shares["x"] == pytest.approx((1 / 10) / (1 / 10 + 1 / 5))
    assert path[-1].shares == pytest.approx(rds2_shares(hand, values=HAND_VALUES))


def test_convergence_skips_steps_before_anyone_answered(hand: RDSSample) -> None:
    path = convergence(hand, values=[None, None, "x", "y", "x", "y"], by="order")
    assert [p.position for p in path] == [3, 4, 5, 6]
    assert [p.respondents for p in path] == [1, 2, 3, 4]


def test_bottleneck_gives_each_seed_tree_its_own_estimate(hand: RDSSample) -> None:
    result = bottleneck(hand, values=HAND_VALUES)
    x = 1 / 10 + 1 / 2 + 1 / 5
    assert result["s1"] == pytest.approx({"x": x / (x + 1 / 4), "y": (1 / 4) / (x + 1 / 4)})
    assert result["s2"] == {"x": 0.0, "y": 1.0}


def test_bottleneck_trees_average_back_to_the_full_estimate(fauxmadrona: Reference) -> None:
    sample = fauxmadrona.sample
    values = _disease(fauxmadrona)
    per_tree = bottleneck(sample, values=values)
    assert list(per_tree) == [sample.ids[s] for s in sample.seeds]
    weights = 1 / sample.degree
    tree_weight = {sample.ids[s]: weights[sample.seed == s].sum() for s in sample.seeds}
    pooled = sum(tree_weight[k] * v["1"] for k, v in per_tree.items()) / weights.sum()
    assert pooled == pytest.approx(rds2_shares(sample, values=values)["1"], abs=1e-12)


# ---------------------------------------------------------------------------------------------
# Data that cannot support an estimate
# ---------------------------------------------------------------------------------------------


def test_rds_error_is_a_value_error() -> None:
    assert issubclass(RDSError, ValueError)


def test_no_degrees_at_all_raise_rds_error_but_recruitment_counts_still_work() -> None:
    sample = rds_sample(ids=HAND_IDS, recruiter_ids=HAND_RECRUITERS, degrees=[None] * 6)
    assert sample.imputed_degrees == 6
    assert not sample.has_degrees
    with pytest.raises(RDSError, match="network size"):
        rds2_shares(sample, values=HAND_VALUES)
    with pytest.raises(RDSError, match="network size"):
        rds1_shares(sample, values=HAND_VALUES)
    with pytest.raises(RDSError, match="network size"):
        tree_bootstrap(sample, values=HAND_VALUES)
    assert transition_counts(sample, values=HAND_VALUES)[("x", "x")] == 2


def test_single_seed_raises_rds_error_for_bootstrap_and_bottleneck(faux: Reference) -> None:
    with pytest.raises(RDSError, match="two seeds"):
        tree_bootstrap(faux.sample, values=faux.column("X"))
    with pytest.raises(RDSError, match="one seed"):
        bottleneck(faux.sample, values=faux.column("X"))


def test_seeds_only_raise_rds_error_for_waves_based_estimates() -> None:
    sample = rds_sample(ids=["a", "b", "c"], recruiter_ids=[None] * 3, degrees=[1, 2, 3])
    values = ["x", "y", "x"]
    with pytest.raises(RDSError, match="two waves"):
        convergence(sample, values=values, by="wave")
    with pytest.raises(RDSError, match="two waves"):
        rds1_shares(sample, values=values)
    with pytest.raises(RDSError, match="two waves"):
        homophily(sample, values=values)


def test_homophily_is_undefined_when_no_group_both_recruits_and_is_recruited() -> None:
    # "x" people only recruit, "y" people are only recruited: no within-group recruitment is
    # expected at random, so the ratio is 0 / 0 and no number is shown.
    sample = rds_sample(ids=["a", "b", "c"], recruiter_ids=[None, "a", "a"], degrees=[1, 2, 3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert homophily(sample, values=["x", "y", "y"]) is None


def test_periodic_recruitment_chain_raises_rds_error_for_rds1() -> None:
    sample = rds_sample(
        ids=["a", "b", "c", "d"], recruiter_ids=[None, "a", "b", "c"], degrees=[1, 2, 3, 4]
    )
    with pytest.raises(RDSError, match="periodic"):
        rds1_shares(sample, values=["x", "y", "x", "y"])


def test_nobody_answering_raises_rds_error(hand: RDSSample) -> None:
    with pytest.raises(RDSError, match="No respondent answered"):
        rds2_shares(hand, values=[None] * 6)
    with pytest.raises(RDSError, match="No respondent answered"):
        rds2_multi_shares(
            hand,
            ticked=np.zeros((6, 1), dtype=bool),
            answered=np.zeros(6, dtype=bool),
            options=["p"],
        )


def test_population_size_smaller_than_sample_raises_rds_error(hand: RDSSample) -> None:
    with pytest.raises(RDSError, match="smaller than the sample size"):
        rds2_weights(hand, population_size=5)


@pytest.mark.parametrize(
    ("ids", "recruiters", "message"),
    [
        (["a", "a"], [None, None], "unique"),
        (["a", "b"], [None, "b"], "own recruiter"),
        (["a", "b", "c"], [None, "c", "b"], "cycle"),
    ],
)
def test_malformed_recruitment_data_raise_rds_error(
    ids: list[str], recruiters: list[str | None], message: str
) -> None:
    with pytest.raises(RDSError, match=message):
        rds_sample(ids=ids, recruiter_ids=recruiters, degrees=[1.0] * len(ids))


def test_negative_degree_raises_rds_error() -> None:
    with pytest.raises(RDSError, match="non-negative"):
        rds_sample(ids=["a"], recruiter_ids=[None], degrees=[-1])


# ---------------------------------------------------------------------------------------------
# Independence from Django
# ---------------------------------------------------------------------------------------------


def test_rds_module_imports_without_django() -> None:
    code = (
        "import sys; import estimates.rds.bootstrap, estimates.rds.diagnostics; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=False)
    assert result.returncode == 0
