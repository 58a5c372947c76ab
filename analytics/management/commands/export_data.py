import tempfile
from collections.abc import Generator
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from analytics.exports.formats import export_write
from analytics.exports.options import CHUNK_BYTES, FORMATS
from analytics.management.commands.export_csv import Command as CsvCommand


def _chunks(path: Path) -> Generator[bytes, None, None]:
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            yield chunk


class Command(CsvCommand):
    help = (
        "Write an export as CSV, an Excel workbook (.xlsx, with the codebook), or an SPSS (.sav) "
        "or Stata (.dta) file with variable and value labels in the --labels language."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--format", choices=FORMATS, default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["format"] == "csv":
            super().handle(*args, **options)
            return
        survey = self.chosen_survey(options)
        export = self.export_options(survey, options, file_format=options["format"])
        with tempfile.TemporaryDirectory() as folder:
            # The writers need a path of their own; the output gets the file once complete.
            written = Path(folder) / f"export.{export.format}"
            export_write(survey=survey, options=export, path=written)
            self.write(_chunks(written), options["output"])
