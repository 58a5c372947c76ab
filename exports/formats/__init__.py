"""Exports as files: CSV, Excel, SPSS and Stata, each written to a path."""

from __future__ import annotations

from pathlib import Path

from exports.formats.excel import write_xlsx
from exports.formats.labelled import labelled_data
from exports.formats.statistics import write_statistics_file
from exports.options import LABELLED_FORMATS, ExportOptions, Progress
from exports.stream import export_chunks
from surveys.models import Survey

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
}


def export_write(
    *, survey: Survey, options: ExportOptions, path: Path, progress: Progress | None = None
) -> None:
    """Write the export to a file in the options' format."""
    if options.format == "xlsx":
        write_xlsx(survey=survey, options=options, path=path, progress=progress)
    elif options.format in LABELLED_FORMATS:
        data = labelled_data(survey=survey, options=options, progress=progress)
        language = options.labels
        title = survey.slug if language == "codes" else getattr(survey, f"title_{language}")
        write_statistics_file(
            data=data, path=path, title=title or survey.slug, file_format=options.format
        )
    else:
        with open(path, "wb") as stream:
            for chunk in export_chunks(survey=survey, options=options, progress=progress):
                stream.write(chunk)
