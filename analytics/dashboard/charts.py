"""The data the dashboard's charts are drawn from, ready for ``json_script``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from aggregates.selectors import Crosstab, QuestionResult
from analytics.dashboard.palette import categorical_colour
from estimates.rds.selectors import QuestionEstimates

# A group with fewer answers than this gets a marker: its shares swing with a handful of people.
SMALL_BASE = 30


def _title(text: str, figure: int | None) -> str:
    if figure is None:
        return text
    return _("Figure %(number)s. %(text)s") % {"number": figure, "text": text}


def question_chart(
    *, result: QuestionResult, estimates: QuestionEstimates | None = None
) -> dict[str, Any]:
    """Return one question's horizontal bar chart, with RDS-II bars beside the raw ones."""
    chart = {
        "id": f"chart-{result.code}",
        "type": "bars",
        "code": result.code,
        "title": _title(result.text, result.figure),
        "subtitle": _("n = %(base)s") % {"base": result.base},
        "note": _("Several answers possible: shares sum to more than 100 %.")
        if result.kind == "multiple"
        else "",
        "labels": [share.label for share in result.shares],
        "percents": [share.percent or 0 for share in result.shares],
        "counts": [share.count for share in result.shares],
    }
    if estimates is not None and any(o.rds2 is not None for o in estimates.options):
        chart["type"] = "grouped"
        chart["series"] = [
            {"label": _("Sample (raw share)"), "percents": chart["percents"]},
            {
                "label": _("Population estimate (RDS-II)"),
                "percents": [o.rds2 or 0 for o in estimates.options],
                # The 95 % interval of each bar, drawn as an error bar; null where there is none.
                "intervals": [
                    [o.low, o.high] if o.low is not None and o.high is not None else None
                    for o in estimates.options
                ],
            },
        ]
        if any(o.rds2_unflagged is not None for o in estimates.options):
            chart["series"].append(
                {
                    "label": _("Population estimate without flagged responses (RDS-II)"),
                    "percents": [o.rds2_unflagged or 0 for o in estimates.options],
                    "intervals": [
                        [o.low_unflagged, o.high_unflagged]
                        if o.low_unflagged is not None and o.high_unflagged is not None
                        else None
                        for o in estimates.options
                    ],
                }
            )
        if any(o.low is not None for o in estimates.options):
            # xgettext:no-python-format
            note = _("Error bars: 95 % interval of the RDS-II estimate.")
            methods = sorted({o.method for o in estimates.options if o.method})
            chart["intervalNote"] = f"{note} ({', '.join(methods)})" if methods else note
    return chart


def crosstab_chart(*, table: Crosstab) -> dict[str, Any]:
    """Return a crosstab's grouped bar chart (shares within each group)."""
    options = [(share.code, share.label) for share in table.question.shares]
    series = []
    for index, (code, label) in enumerate(options):
        series.append(
            {
                "label": label,
                "percents": [
                    next((s.percent or 0 for s in group.shares if s.code == code), 0)
                    for group in table.groups
                ],
                "colour": categorical_colour(index=index),
            }
        )
    small = [group.base < SMALL_BASE for group in table.groups]
    return {
        "id": f"crosstab-{table.question.code}-{table.dimension}",
        "type": "grouped",
        "code": f"{table.question.code}-by-{table.dimension}",
        "title": _title(
            _("%(question)s — by %(dimension)s")
            % {"question": table.question.text, "dimension": table.dimension_label},
            table.figure,
        ),
        "subtitle": _("Shares within each group; n = %(base)s")
        % {"base": sum(group.base for group in table.groups)},
        "note": "",
        "labels": [
            _("%(group)s (n = %(base)s)") % {"group": group.label, "base": group.base}
            + (" *" if is_small else "")
            for group, is_small in zip(table.groups, small, strict=True)
        ],
        "series": series,
        "smallBase": small,
        "smallBaseNote": _(
            "* Fewer than %(minimum)s answers in the group: its shares are not reliable."
        )
        % {"minimum": SMALL_BASE}
        if any(small)
        else "",
    }
