"""Any export as an Excel workbook: the rows of its CSV on one sheet, the codebook on another."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import xlsxwriter

from exports.options import ExportOptions, Progress
from exports.rows.codebook import codebook_rows
from exports.rows.long import long_rows
from exports.rows.paradata import paradata_rows
from exports.rows.tables import aggregate_rows, crosstab_rows
from exports.rows.wide import wide_rows
from surveys.csv_safe import neutralize
from surveys.models import Survey

MAX_ROWS = 1_048_576  # Excel's limit per sheet
ROW_PRODUCERS = {
    "responses": wide_rows,
    "long": long_rows,
    "paradata": paradata_rows,
    "aggregates": aggregate_rows,
    "crosstabs": crosstab_rows,
    "codebook": codebook_rows,
}
WORKBOOK_OPTIONS = {
    # Text stays text: a cell typed as "=..." or "1e5" must not become a formula or a number.
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "nan_inf_to_errors": True,
    "constant_memory": True,  # rows are written and flushed in order: memory stays flat
}


def _sheet(workbook: Any, name: str, rows: Iterable[list[Any]]) -> None:
    sheet = workbook.add_worksheet(name)
    sheet.freeze_panes(1, 0)
    for index, row in enumerate(rows):
        if index >= MAX_ROWS:
            raise ValueError("An Excel sheet holds at most 1,048,576 rows: export CSV instead.")
        # The rows are neutralized already; once more costs nothing and guards every kind.
        sheet.write_row(index, 0, [neutralize(cell) for cell in row])


def write_xlsx(
    *, survey: Survey, options: ExportOptions, path: Path, progress: Progress | None = None
) -> None:
    """Write the export's rows and the codebook to an .xlsx workbook."""
    workbook = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    try:
        _sheet(workbook, "data", ROW_PRODUCERS[options.kind](survey, options, progress))
        codebook = dataclasses.replace(options, kind="codebook", format="csv")
        _sheet(workbook, "codebook", codebook_rows(survey, codebook, None))
    finally:
        workbook.close()
