"""One forest generator serves the demo, the bulk generator and the tests' chains."""

from __future__ import annotations

import random
from collections import Counter

from sampledata.forest import forest_grow, forest_size


def test_a_forest_lists_every_recruiter_before_their_recruits_one_wave_deeper() -> None:
    rng = random.Random(7)
    forest = forest_grow(
        n=300,
        roots_per_seed=[2, 1, 3],
        offspring=lambda _i, _w: rng.choice((0, 1, 2, 3)),
        extra_root=lambda _i: rng.randrange(3),
    )
    assert len(forest) == 300
    for i, parent in enumerate(forest.recruiter):
        if parent < 0:
            assert forest.wave[i] == 0
        else:
            assert parent < i
            assert forest.wave[i] == forest.wave[parent] + 1
            assert forest.seed[i] == forest.seed[parent]
    assert forest.seed[:6] == [0, 0, 1, 2, 2, 2]


def test_no_respondent_brings_more_recruits_than_the_coupon_limit() -> None:
    forest = forest_grow(
        n=500,
        roots_per_seed=[1],
        offspring=lambda _i, _w: 5,
        extra_root=lambda _i: 0,
        coupon_limit=2,
    )
    assert max(Counter(p for p in forest.recruiter if p >= 0).values()) == 2


def test_a_seed_link_brings_another_respondent_when_every_chain_has_ended() -> None:
    forest = forest_grow(
        n=4, roots_per_seed=[1, 1], offspring=lambda _i, _w: 0, extra_root=lambda i: i % 2
    )
    assert forest.recruiter == [-1, -1, -1, -1]
    assert forest.seed == [0, 1, 0, 1]


def test_a_regular_forest_has_roots_times_fanout_to_the_wave_respondents_up_to_a_limit() -> None:
    assert forest_size(roots=2, waves=3, fanout=2) == 2 + 4 + 8 + 16
    assert forest_size(roots=8, waves=7, fanout=3, limit=5000) == 5000
    forest = forest_grow(
        n=forest_size(roots=2, waves=2, fanout=3),
        roots_per_seed=[2],
        offspring=lambda _i, wave: 3 if wave < 2 else 0,
        extra_root=lambda _i: 0,
    )
    assert Counter(forest.wave) == {0: 2, 1: 6, 2: 18}
