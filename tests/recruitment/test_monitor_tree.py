"""The tidy layout of recruitment trees: no overlaps, parents centred, fast at 5,000 nodes."""

from __future__ import annotations

import math
import random
from itertools import pairwise

import pytest
from django.contrib.auth.models import User

from recruitment.tree.build import chain_tree
from recruitment.tree.layout import SIBLING_GAP, tidy_x
from surveys.models import SeedLink, Survey
from tests.fixtures.recruitment import grow_chain
from tests.fixtures.staff import logged_in


def _children(parents: list[int]) -> list[list[int]]:
    children: list[list[int]] = [[] for _ in parents]
    for node, parent in enumerate(parents):
        if parent >= 0:
            children[parent].append(node)
    return children


def _levels(parents: list[int]) -> list[list[int]]:
    """Return the nodes of each depth from left to right (pre-order, children in order)."""
    children = _children(parents)
    levels: list[list[int]] = []
    stack = [(0, 0)]
    while stack:
        node, depth = stack.pop()
        if len(levels) <= depth:
            levels.append([])
        levels[depth].append(node)
        stack.extend((kid, depth + 1) for kid in reversed(children[node]))
    return levels


def _random_tree(rng: random.Random, size: int, fanout: int) -> list[int]:
    parents, used = [-1], [0] * size
    for node in range(1, size):
        while True:
            parent = rng.randrange(max(0, node - rng.choice([1, 3, 30, size])), node)
            if used[parent] < fanout:
                break
        used[parent] += 1
        parents.append(parent)
    return parents


@pytest.mark.parametrize("seed", range(40))
def test_nodes_on_one_level_never_overlap_and_parents_sit_over_their_children(
    seed: int,
) -> None:
    rng = random.Random(seed)
    parents = _random_tree(rng, rng.randint(1, 400), rng.choice([1, 2, 3, 10]))
    xs = tidy_x(parents)
    for level in _levels(parents):
        for left, right in pairwise(level):
            assert xs[right] - xs[left] >= SIBLING_GAP - 1e-9
    for node, kids in enumerate(_children(parents)):
        if kids:
            assert math.isclose(xs[node], (xs[kids[0]] + xs[kids[-1]]) / 2, abs_tol=1e-9)
    assert xs[0] == 0


def test_a_chain_5000_waves_deep_is_laid_out_without_recursion() -> None:
    xs = tidy_x([-1, *range(4999)])
    assert xs == [0.0] * 5000


def test_subtrees_are_packed_closer_than_one_slot_per_leaf() -> None:
    # A leaf beside a deep, narrow subtree: Reingold-Tilford tucks it in.
    parents = [-1, 0, 0, 2, 3, 3, 0]
    xs = tidy_x(parents)
    assert max(xs) - min(xs) == 2 * SIBLING_GAP  # one slot per leaf would need 3


def test_a_tree_that_is_not_one_tree_is_refused() -> None:
    with pytest.raises(ValueError):
        tidy_x([-1, -1])
    with pytest.raises(ValueError):
        tidy_x([-1, 2, 1])


def test_radial_gaps_keep_neighbours_apart_on_every_ring() -> None:
    parents = _random_tree(random.Random(7), 600, 3)
    xs = tidy_x(parents, radial=True)
    levels = _levels(parents)
    for depth, level in enumerate(levels[1:], start=1):
        for left, right in pairwise(level):
            assert (xs[right] - xs[left]) * depth >= SIBLING_GAP - 1e-9


def test_a_wide_chain_of_5000_is_drawn_radially_and_a_narrow_one_top_down(
    sco_survey: Survey, organizer: User
) -> None:
    wide = SeedLink.objects.create(survey=sco_survey, label="Wide")
    grow_chain(sco_survey, wide, seeds=8, waves=7, fanout=3, limit=5000)
    narrow = SeedLink.objects.create(survey=sco_survey, label="Narrow")
    grow_chain(sco_survey, narrow, seeds=1, waves=6, fanout=1)
    assert chain_tree(seed_link=wide).layout == "radial"
    assert chain_tree(seed_link=narrow).layout == "tree"
    assert chain_tree(seed_link=wide, layout="tree").layout == "tree"
    radial = chain_tree(seed_link=wide)
    centre = (radial.root_x, radial.root_y)
    for node in radial.nodes[:200]:
        distance = math.dist(centre, (node.x, node.y))
        ring = distance / (node.wave + 1)
        assert math.isclose(ring, math.dist(centre, (radial.nodes[0].x, radial.nodes[0].y)))
    page = logged_in(organizer).get(f"/en/organize/sco-2025/tree/{wide.pk}/?layout=tree")
    assert 'data-layout="tree"' in page.content.decode()
