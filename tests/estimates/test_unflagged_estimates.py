"""Without flagged responses the whole comparison stays: RDS-II's interval and RDS-I too."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import numpy as np
import pytest
from django.contrib.auth.models import User

from aggregates.rebuild import aggregates_rebuild
from estimates.contracts import OptionEstimates
from estimates.models import RDSQuestion
from estimates.rds.bootstrap import tree_bootstrap_weighted_multi
from estimates.rds.estimators.empirical import el_intervals
from estimates.rds.refresh import BOOTSTRAP_SEED, rds_rebuild, survey_forest
from estimates.rds.sample import multi_choice
from estimates.rds.weights import rds1_shares, rds2_weights
from exports.options import ExportOptions
from exports.rows.tables import aggregate_rows
from surveys.models import Response, Survey
from tests.aggregates.test_unflagged import _flagged_chain
from tests.fixtures.analytics import estimation_set
from tests.fixtures.staff import logged_in

REPLICATES = 100


def _stored(code: str) -> dict[str, OptionEstimates]:
    """Return one question's stored estimates by option, as the contract reads them."""
    return RDSQuestion.objects.get(question=code).record().options


def _alone(survey: Survey, code: str) -> dict[str, Any]:
    """Return the forest of the survey, and one question's answers by the unflagged alone."""
    question = survey.questions.get(code=code)
    forest = survey_forest(survey, [question])
    assert forest is not None
    ticked, answered = forest.answers[code]
    # Who counts without flagged responses, read from the responses, not from the estimates.
    counts = {str(r.pk): r.counts_unflagged for r in Response.objects.filter(survey=survey)}
    kept = answered & np.array([counts[pk] for pk in forest.sample.ids])
    options = [option.code for option in question.options.all()]
    values = [options[k] if a else None for k, a in zip(ticked.argmax(axis=1), kept, strict=True)]
    return {
        "sample": forest.sample,
        "ticked": ticked,
        "kept": kept,
        "options": options,
        "values": values,
        "flagged_answered": int((answered & ~kept).sum()),
    }


def test_without_flagged_the_tree_interval_and_rds1_are_those_of_the_unflagged_answers_alone(
    sco_survey: Survey,
) -> None:
    _flagged_chain(sco_survey)
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    rds_rebuild(survey_id=sco_survey.pk, replicates=REPLICATES)
    stored = _stored("awareness")
    alone = _alone(sco_survey, "awareness")
    assert alone["flagged_answered"] >= 3
    sample = alone["sample"]
    (tree,) = tree_bootstrap_weighted_multi(
        sample,
        ticked=alone["ticked"],
        answered=alone["kept"],
        options=alone["options"],
        weights=[rds2_weights(sample)],
        replicates=REPLICATES,
        seed=BOOTSTRAP_SEED,
    )
    rds1 = rds1_shares(sample, values=alone["values"])
    for code, values in stored.items():
        assert values.rds2_unflagged.method == "tree"
        assert (values.rds2_unflagged.low, values.rds2_unflagged.high) == pytest.approx(
            tree[code], abs=1e-12
        )
        expected = pytest.approx(rds1[code], abs=1e-12) if code in rds1 else None
        assert values.rds1_unflagged.share == expected
    # The flagged responses move them: the comparison shows something.
    assert any(v.rds2_unflagged.low != pytest.approx(v.rds2.low) for v in stored.values())
    assert any(
        v.rds1_unflagged.share != pytest.approx(v.rds1.share)
        for v in stored.values()
        if v.rds1.share is not None and v.rds1_unflagged.share is not None
    )


def test_a_survey_reporting_rs_interval_gets_rs_interval_of_the_unflagged_answers_alone(
    sco_survey: Survey,
) -> None:
    _flagged_chain(sco_survey)
    estimation_set(sco_survey, interval_method="el")
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    rds_rebuild(survey_id=sco_survey.pk, replicates=REPLICATES)
    stored = _stored("awareness")
    alone = _alone(sco_survey, "awareness")
    sample = alone["sample"]
    answers = multi_choice(sample, alone["ticked"], alone["kept"], alone["options"])
    expected = el_intervals(rds2_weights(sample), answers)
    for code, values in stored.items():
        assert (values.rds2.method, values.rds2_unflagged.method) == ("el", "el")
        assert (values.rds2_unflagged.low, values.rds2_unflagged.high) == pytest.approx(
            expected[code], abs=1e-12
        )
    assert any(v.rds2_unflagged.low != pytest.approx(v.rds2.low) for v in stored.values())


def test_the_dashboard_without_flagged_shows_their_interval_and_rds1_beside_everyones(
    sco_survey: Survey, analyst: User
) -> None:
    _flagged_chain(sco_survey)
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    rds_rebuild(survey_id=sco_survey.pk, replicates=REPLICATES)
    stored = _stored("awareness")
    client = logged_in(analyst)
    everyone = client.get("/en/analytics/", {"survey": sco_survey.slug}).content.decode()
    assert "95 % interval without flagged" not in everyone
    assert "RDS-I without flagged, %" not in everyone

    reply = client.get("/en/analytics/", {"survey": sco_survey.slug, "flagged": "without"})
    html = reply.content.decode()
    awareness = html[html.index('id="q-awareness"') : html.index('id="q-impact"')]
    assert "95 % interval without flagged" in awareness and "RDS-I without flagged, %" in awareness
    for code, values in stored.items():
        rds2 = 100 * values.rds2.share
        row = awareness[awareness.index(f'<td class="text-end rds2">{rds2:.1f}</td>') :]
        row = row[: row.index("</tr>")]
        low, high = 100 * values.rds2_unflagged.low, 100 * values.rds2_unflagged.high
        assert re.search(
            rf'class="text-end text-nowrap interval-unflagged">{low:.1f}\u2013{high:.1f}<span'
            r"[^>]*>tree bootstrap</span>",
            row,
        ), code
        assert f'<td class="text-end rds1-unflagged">{100 * values.rds1_unflagged.share:.1f}' in row
    (chart,) = [c for c in reply.context["charts"] if c["code"] == "awareness"]
    options = [option.code for option in reply.context["estimates"].questions["awareness"].options]
    assert chart["series"][2]["intervals"] == [
        [
            round(100 * stored[code].rds2_unflagged.low, 1),
            round(100 * stored[code].rds2_unflagged.high, 1),
        ]
        for code in options
    ]


# The aggregates CSV's columns before the estimates without flagged responses were added: they
# keep their names and positions; the new ones follow them.
EARLIER_COLUMNS = [
    "question",
    "option",
    "count",
    "base",
    "percent",
    "count_unflagged",
    "base_unflagged",
    "percent_unflagged",
    "rds2_share",
    "rds2_ci_low",
    "rds2_ci_high",
    "rds2_share_unflagged",
    "rds1_share",
    "ss_share",
    "ss_ci_low",
    "ss_ci_high",
    "poststrat_share",
    "poststrat_ci_low",
    "poststrat_ci_high",
    "rds2_ci_method",
    "ss_ci_method",
    "rds2_tree_low",
    "rds2_tree_high",
    "ss_tree_low",
    "ss_tree_high",
    "rds2_el_low",
    "rds2_el_high",
    "rds1_el_low",
    "rds1_el_high",
    "ss_el_low",
    "ss_el_high",
    "hcg_share",
    "hcg_ci_low",
    "hcg_ci_high",
]


def test_the_aggregates_csv_adds_the_unflagged_interval_and_rds1_after_every_earlier_column(
    sco_survey: Survey,
) -> None:
    _flagged_chain(sco_survey)
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    rds_rebuild(survey_id=sco_survey.pk, replicates=REPLICATES)
    stored = _stored("awareness")
    options = ExportOptions.from_dict({"kind": "aggregates", "labels": "codes"})
    text = io.StringIO()
    csv.writer(text).writerows(aggregate_rows(sco_survey, options, None))
    header, *rows = list(csv.reader(io.StringIO(text.getvalue())))
    assert header == [
        *EARLIER_COLUMNS,
        "rds2_ci_low_unflagged",
        "rds2_ci_high_unflagged",
        "rds2_ci_method_unflagged",
        "rds1_share_unflagged",
    ]
    for row in rows:
        if row[0] != "awareness":
            continue
        values = stored[row[1]]
        cells = dict(zip(header, row, strict=True))
        assert float(cells["rds2_ci_low_unflagged"]) == values.rds2_unflagged.low
        assert float(cells["rds2_ci_high_unflagged"]) == values.rds2_unflagged.high
        assert cells["rds2_ci_method_unflagged"] == "tree"
        assert float(cells["rds1_share_unflagged"]) == values.rds1_unflagged.share
        assert float(cells["rds2_ci_low"]) == values.rds2.low
