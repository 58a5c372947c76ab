"""The respondents' weights as a temporary table that the wide export's COPY joins by id.

The weights are computed with numpy (``estimates.margins.weights``). Sent to PostgreSQL in one
binary ``COPY … FROM STDIN`` built from a numpy structured array, they join the responses in the
export's SELECT, so each row of its ``COPY … TO STDOUT`` arrives complete: no Python runs per
weight, and none per row beyond the line end. PostgreSQL writes each weight as Python's ``repr``
of the float (what the ``csv`` module writes on the Python path), so both paths give the same bytes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from estimates.margins.weights import WEIGHT_COLUMNS, WeightTable

WEIGHTS_TABLE = "export_weights"
# Rows per piece of the binary COPY: the upload's memory stays a few megabytes at any size.
UPLOAD_BLOCK = 65_536

# PostgreSQL's binary COPY: signature, flags, header extension length; -1 fields ends the data.
_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_TRAILER = b"\xff\xff"
# One tuple: its field count, then each field's byte length and big-endian value (NaN: no weight).
_TUPLE = np.dtype(
    [
        ("fields", ">i2"),
        ("id_size", ">i4"),
        ("id", ">i8"),
        *[
            item
            for n in range(len(WEIGHT_COLUMNS))
            for item in ((f"size{n}", ">i4"), (f"w{n}", ">f8"))
        ],
    ]
)


# Below this PostgreSQL writes a float's shortest digits as Python's repr does (checked over a
# million random floats): from 1e15 it writes exponents where Python writes whole numbers, and
# above 2**53 some integers in full. Weights that large (or infinite) get their text from Python.
SQL_WRITES_BELOW = 1e15


def weights_upload(*, cursor: Any, table: WeightTable) -> None:
    """Create the temporary weights table on the cursor's connection and fill it from the table."""
    count = len(WEIGHT_COLUMNS)
    columns = ", ".join(f"w{n} float8, t{n} text" for n in range(count))
    # A connection kept open (web, worker) may hold one from an export that stopped midway.
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{WEIGHTS_TABLE}")
    cursor.execute(f"CREATE TEMPORARY TABLE {WEIGHTS_TABLE} (id bigint, {columns})")
    floats = ", ".join(f"w{n}" for n in range(count))
    written: list[tuple[int, int, str]] = []  # (column, id, text) of the weights Python writes
    with cursor.copy(f"COPY {WEIGHTS_TABLE} (id, {floats}) FROM STDIN (FORMAT binary)") as copy:
        copy.write(_HEADER)
        for start in range(0, len(table.ids), UPLOAD_BLOCK):
            ids = table.ids[start : start + UPLOAD_BLOCK]
            weights = table.weights[start : start + UPLOAD_BLOCK]
            tuples = np.empty(len(ids), dtype=_TUPLE)
            tuples["fields"] = 1 + count
            tuples["id_size"] = 8
            tuples["id"] = ids
            for n in range(count):
                tuples[f"size{n}"] = 8
                tuples[f"w{n}"] = weights[:, n]
            copy.write(tuples.tobytes())
            # NaN (no weight, an empty cell) is neither below nor above: left out here.
            rows, columns_at = np.nonzero(np.abs(weights) >= SQL_WRITES_BELOW)
            written += [
                (n, int(ids[row]), repr(float(weights[row, n])))
                for row, n in zip(rows.tolist(), columns_at.tolist(), strict=True)
            ]
        copy.write(_TRAILER)
    # The export's rows come in id order: with an index (and its statistics) the join merges
    # two ordered inputs instead of hashing a million weights.
    cursor.execute(f"CREATE INDEX ON {WEIGHTS_TABLE} (id)")
    for n, pk, text in written:
        cursor.execute(
            f"UPDATE {WEIGHTS_TABLE} SET t{n} = %s WHERE id = %s",  # noqa: S608 - n: 0..2
            [text, pk],
        )
    cursor.execute(f"ANALYZE {WEIGHTS_TABLE}")


def weights_drop(*, cursor: Any) -> None:
    """Drop the temporary weights table."""
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{WEIGHTS_TABLE}")


def weight_text_sql(*, text: str, value: str = "", written: str = "") -> str:
    """Return SQL writing a weight as Python's ``repr`` does, empty for NULL and NaN.

    ``text`` is the value cast to text (computed once, below this expression): PostgreSQL
    writes the same shortest digits as Python (extra_float_digits 1, its default) but leaves
    ".0" off whole numbers. ``value`` is the float, to test for NaN (none without it); ``written``
    the text Python made for a value PostgreSQL would write otherwise (none without it).
    """
    nan = f"WHEN {value} = 'NaN' THEN NULL " if value else ""
    cell = (
        f"CASE {nan}WHEN strpos({text}, '.') = 0 AND strpos({text}, 'e') = 0 "
        f"THEN {text} || '.0' ELSE {text} END"
    )
    return f"COALESCE({written}, {cell})" if written else cell
