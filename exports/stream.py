"""Every export as one stream of CSV bytes, whatever its kind."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection

from exports.options import ExportOptions, Progress, encoded
from exports.rows.codebook import codebook_rows
from exports.rows.long import long_rows
from exports.rows.paradata import paradata_rows
from exports.rows.tables import aggregate_rows, crosstab_rows
from exports.rows.wide import wide_copy, wide_rows
from surveys.csv_safe import BOM
from surveys.models import Survey


def export_chunks(
    *, survey: Survey, options: ExportOptions, progress: Progress | None = None
) -> Iterator[bytes]:
    """Yield the export as UTF-8 byte chunks, BOM first."""
    if options.bom:
        yield BOM.encode()
    if options.kind == "responses":
        if connection.vendor == "postgresql":
            yield from wide_copy(survey, options, progress)
        else:
            yield from encoded(wide_rows(survey, options, progress), options)
        return
    producers = {
        "long": long_rows,
        "paradata": paradata_rows,
        "aggregates": aggregate_rows,
        "crosstabs": crosstab_rows,
        "codebook": codebook_rows,
    }
    rows = producers[options.kind](survey, options, progress)
    yield from encoded(rows, options)
