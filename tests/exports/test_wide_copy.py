"""The wide export's COPY path writes what the Python path writes, at its edges and weights."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from estimates.margins import weights as weights_module
from estimates.margins.weights import WeightTable, rds2_terms, weight_table
from exports.options import ExportOptions, encoded
from exports.rows.wide import wide_copy, wide_rows
from exports.rows.wide_weights import WEIGHTS_TABLE, weight_text_sql, weights_drop, weights_upload
from surveys.models import Option, Response, Survey
from tests.fixtures.analytics import estimation_set
from tests.fixtures.factories import ResponseFactory

pytestmark = pytest.mark.postgres

# Weights at every corner of how a float is written: whole, tiny, huge (where PostgreSQL and
# Python part ways), shortest digits that are not the nearest decimal, infinite, missing.
EDGE_WEIGHTS = [
    0.1,
    1.0,
    100.0,
    0.0,
    2.5e-05,
    1e-4,
    123456789012345.6,
    999999999999999.9,
    1e15,
    1234567890123456.8,
    9007199254740993.0,
    5.4320884885483776e16,
    1e22,
    5e-324,
    1.7976931348623157e308,
    float("inf"),
    float("nan"),
    1 / 3,
    2 / 3 * 1e-7,
]


def test_the_weights_table_writes_every_weight_as_python_writes_the_float(db: None) -> None:
    values = np.array(EDGE_WEIGHTS)
    ids = np.arange(1, len(values) + 1, dtype=np.int64)
    table = WeightTable(ids=ids, weights=np.stack([values, values[::-1], -values], axis=1))
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        weights_upload(cursor=cursor, table=table)
        cells = ", ".join(
            weight_text_sql(value=f"w{n}", text=f"w{n}::text", written=f"t{n}") for n in range(3)
        )
        cursor.execute(f"SELECT {cells} FROM {WEIGHTS_TABLE} ORDER BY id")  # noqa: S608
        written = cursor.fetchall()
        weights_drop(cursor=cursor)
    expected = [tuple(None if w != w else repr(w) for w in row) for row in table.weights.tolist()]
    assert written == expected


def test_the_copy_export_writes_a_number_answer_to_a_question_coded_with_numbers_as_empty(
    sco_survey: Survey,
) -> None:
    # Options coded "1", "2", "true": a JSON 1 or true reads as one of them through SQL's ->>,
    # yet only a string is an answer the Python path labels.
    options = list(Option.objects.filter(question__survey=sco_survey, question__code="impact"))
    for option, code in zip(options, ["1", "2", "true"], strict=False):
        option.code = code
        option.label_en = f"label {code}"
        option.save(update_fields=["code", "label_en"])
    given = [1, "1", True, "true", "2", 2.0, "unknown", None]
    for value in given:
        ResponseFactory(survey=sco_survey, answers={"impact": value})
    export = ExportOptions(kind="responses", labels="en", bom=False)
    copied = b"".join(wide_copy(sco_survey, export, None))
    assert copied == b"".join(encoded(wide_rows(sco_survey, export, None), export))
    rows = list(csv.DictReader(io.StringIO(copied.decode(), newline="")))
    assert [row["impact"] for row in rows] == [
        "",
        "label 1",
        "",
        "label true",
        "label 2",
        "",
        "unknown",
        "",
    ]
    assert Response.objects.filter(survey=sco_survey).count() == len(given)


def _chains(survey: Survey, sizes: list[int | None]) -> list[Response]:
    """Respondents in one chain from a seed, each recruiting the next, with these network sizes."""
    made: list[Response] = []
    for size in sizes:
        recruiter = made[-1] if made else None
        made.append(
            ResponseFactory(
                survey=survey,
                network_size=size,
                recruiter=recruiter,
                wave=0 if recruiter is None else recruiter.wave + 1,
            )
        )
    return made


def _weights(data: bytes) -> dict[int, list[str]]:
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    return {int(row[0]): row[-3:] for row in rows[1:]}


def test_with_rds2_the_only_weight_set_postgresql_computes_it_bit_for_bit_as_numpy(
    sco_survey: Survey,
) -> None:
    # Sizes whose mean has no short decimal, a missing and a zero size (both take the largest),
    # a withdrawn respondent (in the forest, no weight) and one outside any chain (no weight).
    made = _chains(sco_survey, [3, 7, None, 1, 0, 1_000_003, 13, 2, 9, 11])
    Response.objects.filter(pk=made[7].pk).update(withdrawn_at=timezone.now())
    outside = ResponseFactory(survey=sco_survey, network_size=4, wave=None)
    assert rds2_terms(survey=sco_survey) is not None  # no margins, no population size
    export = ExportOptions(kind="responses", labels="en", bom=False)
    copied = b"".join(wide_copy(sco_survey, export, None))
    assert copied == b"".join(encoded(wide_rows(sco_survey, export, None), export))
    table = weight_table(survey=sco_survey)
    numpy_written = dict(zip(table.ids.tolist(), table.column("weight_rds2").tolist(), strict=True))
    weights = _weights(copied)
    assert {pk: cells[1] for pk, cells in weights.items() if cells[1]} == {
        pk: repr(weight) for pk, weight in numpy_written.items()
    }
    assert weights[made[7].pk] == weights[outside.pk] == ["", "", ""]
    assert weights[made[2].pk][1] == weights[made[4].pk][1] == weights[made[5].pk][1]
    assert len(numpy_written) == 9


def test_without_chains_or_network_sizes_the_copy_export_leaves_every_weight_empty(
    sco_survey: Survey,
) -> None:
    export = ExportOptions(kind="responses", labels="en", bom=False)
    for size in (5, None, 8):  # no seed link, no recruiter: no chain
        ResponseFactory(survey=sco_survey, network_size=size, wave=None)
    unchained = b"".join(wide_copy(sco_survey, export, None))
    _chains(sco_survey, [None, 0, None])  # a chain, but nobody in it reported a network size
    sizeless = b"".join(wide_copy(sco_survey, export, None))
    assert sizeless == b"".join(encoded(wide_rows(sco_survey, export, None), export))
    for copied, respondents in ((unchained, 3), (sizeless, 6)):
        weights = list(_weights(copied).values())
        assert weights == [["", "", ""]] * respondents


def test_ss_weights_or_a_sum_beyond_exact_floats_take_the_weights_table(
    sco_survey: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    _chains(sco_survey, [3, 7, 5, 1, 8, 2])
    export = ExportOptions(kind="responses", labels="en", bom=False)
    # Network sizes summing above EXACT_SUM: numpy's float sum could differ from the exact one.
    monkeypatch.setattr(weights_module, "EXACT_SUM", 25)
    assert rds2_terms(survey=sco_survey) is None
    copied = b"".join(wide_copy(sco_survey, export, None))
    assert copied == b"".join(encoded(wide_rows(sco_survey, export, None), export))
    monkeypatch.undo()
    assert rds2_terms(survey=sco_survey) is not None
    estimation_set(sco_survey, population_size=100)
    assert rds2_terms(survey=sco_survey) is None
    copied = b"".join(wide_copy(sco_survey, export, None))
    assert copied == b"".join(encoded(wide_rows(sco_survey, export, None), export))
    assert all(all(cells[1:]) for cells in _weights(copied).values())  # RDS-II and SS


def test_an_option_whose_label_an_editor_left_empty_exports_as_an_empty_cell(
    sco_survey: Survey,
) -> None:
    Option.objects.filter(question__survey=sco_survey, question__code="impact").update(label_en="")
    answered = ResponseFactory(survey=sco_survey)
    export = ExportOptions(kind="responses", labels="en", bom=False)
    copied = b"".join(wide_copy(sco_survey, export, None))
    assert copied == b"".join(encoded(wide_rows(sco_survey, export, None), export))
    rows = list(csv.DictReader(io.StringIO(copied.decode(), newline="")))
    assert answered.answers["impact"] and [row["impact"] for row in rows] == [""]
    assert rows[0]["awareness"]  # the other labels are written
