"""Recruitment forests: seed links bring wave-0 respondents, each respondent brings recruits.

The one place that decides who recruits whom, for the demo data, the bulk generator and the
tests' fixtures. Respondents are numbered in recruitment order (breadth-first: every recruiter
comes before their recruits), so a caller can store them in that order and always know the
recruiter's row already. How many recruits each respondent brings is the caller's draw; the
forest caps it at the coupon limit and stops at exactly n respondents.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Forest:
    """Recruitment of n respondents, by index in recruitment order."""

    recruiter: list[int]  # index of the recruiter, -1 for wave 0
    seed: list[int]  # index of the seed link at the chain's root
    wave: list[int]

    def __len__(self) -> int:
        return len(self.recruiter)


def forest_grow(
    *,
    n: int,
    roots_per_seed: Sequence[int],
    offspring: Callable[[int, int], int],
    extra_root: Callable[[int], int],
    coupon_limit: int | None = None,
) -> Forest:
    """Grow n respondents breadth-first under the seed links, within the coupon limit.

    ``roots_per_seed`` gives each seed link's wave-0 respondents; ``offspring(i, w)`` draws how
    many recruits respondent i of wave w brings; ``extra_root(i)`` picks the seed link that brings
    respondent i when every chain has ended before n respondents.
    """
    recruiter: list[int] = []
    seed: list[int] = []
    wave: list[int] = []

    def add(parent: int, link: int, level: int) -> None:
        recruiter.append(parent)
        seed.append(link)
        wave.append(level)

    for link, roots in enumerate(roots_per_seed):
        for _ in range(roots):
            if len(recruiter) < n:
                add(-1, link, 0)
    cursor = 0
    while len(recruiter) < n:
        if cursor == len(recruiter):
            # Every chain has ended: a seed link brings one more wave-0 respondent.
            add(-1, extra_root(cursor), 0)
        count = offspring(cursor, wave[cursor])
        if coupon_limit:
            count = min(count, coupon_limit)
        for _ in range(count):
            if len(recruiter) == n:
                break
            add(cursor, seed[cursor], wave[cursor] + 1)
        cursor += 1
    return Forest(recruiter=recruiter, seed=seed, wave=wave)


def forest_size(*, roots: int, waves: int, fanout: int, limit: int | None = None) -> int:
    """Return the size of a regular forest: roots, each with fanout recruits, for waves waves."""
    size = sum(roots * fanout**level for level in range(waves + 1))
    return size if limit is None else min(size, limit)
