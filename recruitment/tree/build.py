"""The recruitment tree of one chain, laid out on the server and drawn as one SVG.

The seed link is the root; its wave-0 respondents are its children, their recruits theirs. A
self-started chain (its root came without a link) hangs from a square for "without a link"
with the root as its one wave-0 child. A withdrawn respondent is a node without a country,
drawn hollow: their answers were erased, their place in the chain stays. The
SVG is built as one string (a path for all edges, a circle per respondent with a native
tooltip), which keeps a 5,000-node chain a fraction of a second to build and cheap to pan and
zoom in the browser.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, QuerySet, Value
from django.db.models.fields.json import KT
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from recruitment.monitor.figures import country_labels, short_code
from recruitment.monitor.tally import country_question
from recruitment.tree.layout import COUSIN_GAP, tidy_x
from surveys.models import Response, SeedLink, Survey

X_STEP = 16.0  # pixels between neighbours on one level
Y_STEP = 70.0  # pixels between waves
RADIUS = 6.0
MARGIN = 24.0
# A small tree is drawn at about its natural size instead of blown up to fill the frame.
MIN_VIEW_WIDTH = 640.0
MIN_VIEW_HEIGHT = 320.0
# Tableau 10: distinguishable, and readable for most colour-blind people.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
WITHDRAWN_FILL = "#ffffff"
ROOT_FILL = "#212529"
COLOR_BY = ("wave", "country")
LAYOUTS = ("auto", "tree", "radial")
# A top-down drawing more than this many times wider than tall is drawn radially instead:
# thousands of respondents over a few waves would otherwise be a thin line.
RADIAL_ABOVE_ASPECT = 3.0
# Recruiters whose recruits are looked up in one query while following a self-started chain.
LOOKUP_CHUNK = 500
ROW_FIELDS = ("id", "recruiter_id", "referral_code", "wave", "country", "withdrawn_at")


@dataclass(frozen=True)
class TreeNode:
    id: int
    parent: int | None  # response id of the recruiter; None for wave 0
    code: str
    wave: int
    country: str
    withdrawn: bool
    x: float
    y: float


@dataclass(frozen=True)
class LegendItem:
    """One colour of the tree's legend: a wave or a country."""

    label: str
    color: str


@dataclass(frozen=True)
class Tree:
    survey: Survey
    # The seed link at the root, or None for a self-started chain, whose root is ``root_id``.
    seed: SeedLink | None
    root_id: int | None
    label: str
    nodes: list[TreeNode]
    width: float
    height: float
    root_x: float
    root_y: float
    layout: str

    @property
    def deepest_wave(self) -> int | None:
        return max((node.wave for node in self.nodes), default=None)

    def as_json(self) -> dict[str, Any]:
        return {
            "seed": {"id": self.seed.pk if self.seed else None, "label": self.label},
            "root": self.root_id,
            "nodes": [
                {
                    "id": node.id,
                    "parent": node.parent,
                    "code": short_code(node.code),
                    "wave": node.wave,
                    "country": node.country,
                    "withdrawn": node.withdrawn,
                    "x": round(node.x, 1),
                    "y": round(node.y, 1),
                }
                for node in self.nodes
            ],
        }


def _responses(survey: Survey) -> QuerySet[Response]:
    """Return the survey's responses annotated with their answer to the country question."""
    question = country_question(survey=survey)
    # Without a country question every respondent's country is unknown.
    country = (
        Value(None, output_field=CharField())
        if question is None
        else KT(f"answers__{question.code}")
    )
    return Response.objects.filter(survey=survey).annotate(country=country)


def _self_started_rows(root: Response) -> list[tuple[Any, ...]]:
    """Return the rows of a self-started chain: its root and their recruits, wave by wave."""
    responses = _responses(root.survey)
    rows = list(responses.filter(pk=root.pk).values_list(*ROW_FIELDS))
    frontier = [root.pk]
    while frontier:
        level: list[tuple[Any, ...]] = []
        for start in range(0, len(frontier), LOOKUP_CHUNK):
            chunk = frontier[start : start + LOOKUP_CHUNK]
            level += responses.filter(recruiter_id__in=chunk).values_list(*ROW_FIELDS)
        rows += level
        frontier = [row[0] for row in level]
    return sorted(rows)


def self_started_root(*, survey: Survey, response_id: int) -> Response | None:
    """Return the survey's self-started root with this id, or None."""
    return Response.objects.filter(survey=survey, pk=response_id, self_started=True).first()


def chain_tree(
    *, seed_link: SeedLink | None = None, root: Response | None = None, layout: str = "auto"
) -> Tree:
    """Return the laid-out recruitment tree of a seed link or of a self-started root.

    A seed link's chain is read in one query; a self-started one in one query per wave.
    ``layout`` is ``tree`` (top-down), ``radial`` (the seed link in the centre, one ring per
    wave) or ``auto``: radial when the top-down drawing would be far wider than tall.
    """
    if seed_link is not None:
        survey, label, root_id = seed_link.survey, seed_link.label, None
        rows = list(
            _responses(survey).filter(seed_link=seed_link).order_by("id").values_list(*ROW_FIELDS)
        )
    elif root is not None:
        survey, label, root_id = root.survey, _("without a link") + f" · #{root.pk}", root.pk
        rows = _self_started_rows(root)
    else:
        raise ValueError("chain_tree needs a seed link or a self-started root")
    index = {row[0]: i + 1 for i, row in enumerate(rows)}
    # Index 0 is the seed link; a recruiter outside the chain cannot happen, but would hang
    # the respondent under the seed rather than lose them.
    parents = [-1] + [index.get(row[1], 0) if row[1] else 0 for row in rows]
    depth = [0] * len(parents)
    for i in range(1, len(parents)):  # a recruiter always comes before their recruits
        depth[i] = depth[parents[i]] + 1
    deepest = max(depth)

    xs = tidy_x(parents)
    left = min(xs)
    width = 2 * MARGIN + (max(xs) - left) * X_STEP
    height = 2 * MARGIN + deepest * Y_STEP
    radial = deepest > 0 and (
        layout == "radial" or (layout == "auto" and width > RADIAL_ABOVE_ASPECT * height)
    )
    if radial:
        positions, size = _radial_positions(parents, depth)
        width = height = size
        root = (size / 2, size / 2)
    else:
        positions = [
            (MARGIN + (x - left) * X_STEP, MARGIN + d * Y_STEP)
            for x, d in zip(xs, depth, strict=True)
        ]
        root = positions[0]
    nodes = [
        TreeNode(
            id=row[0],
            parent=row[1] if row[1] in index else None,
            code=row[2],
            wave=row[3] if row[3] is not None else depth[i + 1] - 1,
            country="" if row[5] else (row[4] or ""),
            withdrawn=row[5] is not None,
            x=positions[i + 1][0],
            y=positions[i + 1][1],
        )
        for i, row in enumerate(rows)
    ]
    return Tree(
        survey=survey,
        seed=seed_link,
        root_id=root_id,
        label=label,
        nodes=nodes,
        width=width,
        height=height,
        root_x=root[0],
        root_y=root[1],
        layout="radial" if radial else "tree",
    )


def _radial_positions(
    parents: list[int], depth: list[int]
) -> tuple[list[tuple[float, float]], float]:
    """Return positions with the root in the centre and one ring per depth, and the size."""
    xs = tidy_x(parents, radial=True)
    left = min(xs)
    deepest = max(depth)
    # Leave a gap where the circle closes, as between two cousins on the outer ring.
    full_turn = max(xs) - left + COUSIN_GAP / deepest
    # With gaps divided by depth, neighbours on every ring are this ring step apart per unit.
    ring = max(X_STEP * full_turn / (2 * math.pi), Y_STEP)
    centre = MARGIN + deepest * ring
    positions = []
    for x, d in zip(xs, depth, strict=True):
        angle = 2 * math.pi * (x - left) / full_turn
        positions.append((centre + d * ring * math.sin(angle), centre - d * ring * math.cos(angle)))
    return positions, 2 * centre


def _colors(tree: Tree, color_by: str) -> tuple[dict[Any, str], list[LegendItem]]:
    if color_by == "country":
        labels = country_labels(survey=tree.survey)
        ranked = [code for code, _n in Counter(n.country for n in tree.nodes).most_common()]
        colors = {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(ranked)}
        legend = [
            LegendItem(labels.get(code, code) if code else _("not answered"), colors[code])
            for code in ranked
        ]
        return colors, legend
    waves = sorted({node.wave for node in tree.nodes})
    colors = {wave: PALETTE[wave % len(PALETTE)] for wave in waves}
    legend = [LegendItem(_("wave %(wave)s") % {"wave": wave}, colors[wave]) for wave in waves]
    return colors, legend


def tree_svg(tree: Tree, *, color_by: str = "wave") -> tuple[SafeString, list[LegendItem]]:
    """Return the tree as inline SVG markup, and the legend of its colours."""
    colors, legend = _colors(tree, color_by)
    labels = country_labels(survey=tree.survey)
    position = {node.id: (node.x, node.y) for node in tree.nodes}
    root = (tree.root_x, tree.root_y)
    edges = []
    for node in tree.nodes:
        px, py = position.get(node.parent, root) if node.parent else root
        edges.append(f"M{px:.1f} {py:.1f}L{node.x:.1f} {node.y:.1f}")
    wave_word = _("wave")
    view_width = max(tree.width, MIN_VIEW_WIDTH)
    view_height = max(tree.height, MIN_VIEW_HEIGHT)
    view_x = (tree.width - view_width) / 2
    parts = [
        f'<svg id="recruitment-tree" class="recruitment-tree" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="{view_x:.1f} 0 {view_width:.1f} {view_height:.1f}" '
        f'data-node-count="{len(tree.nodes)}" data-layout="{tree.layout}" '
        f'data-max-zoom="{max(40.0, view_width / 300):.0f}" '
        f'role="img" aria-label="{escape(_("Recruitment tree"))}">',
        '<g class="tree-viewport">',
        f'<path class="tree-edges" fill="none" stroke="#adb5bd" d="{"".join(edges)}"/>',
        f'<rect class="tree-root" x="{root[0] - 8:.1f}" y="{root[1] - 8:.1f}" width="16" '
        f'height="16" fill="{ROOT_FILL}"><title>{escape(tree.label)}</title></rect>',
    ]
    for node in tree.nodes:
        key = node.country if color_by == "country" else node.wave
        country = labels.get(node.country, node.country) if node.country else ""
        tip = f"{short_code(node.code)} · {wave_word} {node.wave}"
        if country:
            tip += f" · {country}"
        if node.withdrawn:
            tip += f" · {_('withdrawn')}"
        parts.append(
            f'<circle class="tree-node" cx="{node.x:.1f}" cy="{node.y:.1f}" r="{RADIUS}" '
            f'fill="{WITHDRAWN_FILL if node.withdrawn else colors[key]}" '
            f'data-wave="{node.wave}"><title>{escape(tip)}</title></circle>'
        )
    parts.append("</g></svg>")
    # Every text in the markup went through escape(); numbers are formatted here.
    return mark_safe("".join(parts)), legend  # noqa: S308
