"""The wide export's COPY path writes what the Python path writes, at its edges."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from django.db import connection

from estimates.margins.weights import WeightTable
from exports.options import ExportOptions, encoded
from exports.rows.wide import wide_copy, wide_rows
from exports.rows.wide_weights import WEIGHTS_TABLE, weight_text_sql, weights_drop, weights_upload
from surveys.models import Option, Response, Survey
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
