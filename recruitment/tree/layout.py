"""A tidy drawing of a rooted tree: Buchheim, Jünger and Leipert's linear-time Walker layout.

It is the algorithm of d3-hierarchy's ``d3.tree`` (Reingold-Tilford as improved by Walker and
Buchheim et al.), written iteratively so that a chain thousands of waves deep cannot exhaust
Python's recursion limit. Parents sit centred above their children, subtrees never overlap and
are packed as closely as their contours allow.
"""

from __future__ import annotations

from collections.abc import Sequence

SIBLING_GAP = 1.0
COUSIN_GAP = 1.5


def tidy_x(parents: Sequence[int], *, radial: bool = False) -> list[float]:
    """Return an x position per node of the tree given by ``parents``.

    ``parents[i]`` is the index of node i's parent, -1 for the one root; children keep the
    order of their indices. Neighbours on one level are at least ``SIBLING_GAP`` apart
    (``COUSIN_GAP`` when their parents differ), and the root is at 0. With ``radial`` the gaps
    are divided by the depth, as for a drawing where x becomes an angle and depth a radius:
    neighbours then keep the same distance on every ring.
    """
    n = len(parents)
    if n == 0:
        return []
    children: list[list[int]] = [[] for _ in range(n)]
    roots = [v for v, p in enumerate(parents) if p < 0]
    if len(roots) != 1:
        raise ValueError(f"a tree has one root, these parents give {len(roots)}")
    root = roots[0]
    for v, p in enumerate(parents):
        if p >= 0:
            children[p].append(v)

    depth = [0] * n
    walk = [root]
    for v in walk:  # breadth first: the list grows while it is walked
        for kid in children[v]:
            depth[kid] = depth[v] + 1
            walk.append(kid)
    if len(walk) != n:
        raise ValueError("the parents do not form one tree (a cycle, or a node cut off)")

    number = [0] * n  # position among siblings
    for kids in children:
        for i, kid in enumerate(kids):
            number[kid] = i
    prelim = [0.0] * n
    mod = [0.0] * n
    change = [0.0] * n
    shift = [0.0] * n
    thread = [-1] * n
    ancestor = list(range(n))
    default_ancestor = [-1] * n

    def sep(a: int, b: int) -> float:
        gap = SIBLING_GAP if parents[a] == parents[b] else COUSIN_GAP
        return gap / depth[a] if radial else gap

    def next_left(v: int) -> int:
        return children[v][0] if children[v] else thread[v]

    def next_right(v: int) -> int:
        return children[v][-1] if children[v] else thread[v]

    def move_subtree(wm: int, wp: int, amount: float) -> None:
        step = amount / (number[wp] - number[wm])
        change[wp] -= step
        shift[wp] += amount
        change[wm] += step
        prelim[wp] += amount
        mod[wp] += amount

    def execute_shifts(v: int) -> None:
        total, acc = 0.0, 0.0
        for w in reversed(children[v]):
            prelim[w] += total
            mod[w] += total
            acc += change[w]
            total += shift[w] + acc

    def apportion(v: int, w: int, anc: int) -> int:
        vip = vop = v
        vim = w
        vom = children[parents[v]][0]
        sip, sop, sim, som = mod[vip], mod[vop], mod[vim], mod[vom]
        vim, vip = next_right(vim), next_left(vip)
        while vim >= 0 and vip >= 0:
            vom = next_left(vom)
            vop = next_right(vop)
            ancestor[vop] = v
            gap = prelim[vim] + sim - prelim[vip] - sip + sep(vim, vip)
            if gap > 0:
                a = ancestor[vim] if parents[ancestor[vim]] == parents[v] else anc
                move_subtree(a, v, gap)
                sip += gap
                sop += gap
            sim += mod[vim]
            sip += mod[vip]
            som += mod[vom]
            sop += mod[vop]
            vim, vip = next_right(vim), next_left(vip)
        if vim >= 0 and next_right(vop) < 0:
            thread[vop] = vim
            mod[vop] += sim - sop
        if vip >= 0 and next_left(vom) < 0:
            thread[vom] = vip
            mod[vom] += sip - som
            anc = v
        return anc

    def first_walk(v: int) -> None:
        p = parents[v]
        left = children[p][number[v] - 1] if p >= 0 and number[v] > 0 else -1
        kids = children[v]
        if kids:
            execute_shifts(v)
            midpoint = (prelim[kids[0]] + prelim[kids[-1]]) / 2
            if left >= 0:
                prelim[v] = prelim[left] + sep(v, left)
                mod[v] = prelim[v] - midpoint
            else:
                prelim[v] = midpoint
        elif left >= 0:
            prelim[v] = prelim[left] + sep(v, left)
        if p >= 0:
            start = default_ancestor[p] if default_ancestor[p] >= 0 else children[p][0]
            default_ancestor[p] = apportion(v, left, start) if left >= 0 else start

    # Post-order, children left to right, without recursion.
    stack: list[tuple[int, bool]] = [(root, False)]
    while stack:
        v, expanded = stack.pop()
        if expanded:
            first_walk(v)
            continue
        stack.append((v, True))
        stack.extend((kid, False) for kid in reversed(children[v]))

    x = [0.0] * n
    mod[root] -= prelim[root]
    order = [root]
    for v in order:  # pre-order: the list grows while it is walked
        for kid in children[v]:
            x[kid] = prelim[kid] + mod[v]
            mod[kid] += mod[v]
            order.append(kid)
    return x
