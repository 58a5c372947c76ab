import tempfile
from collections.abc import Generator
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from exports.bundle import bundle_write
from exports.formats import export_write
from exports.management.commands.export_csv import Command as CsvCommand
from exports.options import CHUNK_BYTES, FORMATS, KINDS
from surveys.models import QuestionRole

BUNDLE = "bundle"
# The bundle is the whole survey: a filtered one would not reproduce the dashboard's figures.
# The filter options, the first two named by the role of the question they filter on.
FILTERS = (QuestionRole.COUNTRY, QuestionRole.AGE_GROUP, "language", "wave", "date_from", "date_to")


def _chunks(path: Path) -> Generator[bytes, None, None]:
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            yield chunk


class Command(CsvCommand):
    help = (
        "Write an export as CSV, an Excel workbook (.xlsx, with the codebook), or an SPSS (.sav) "
        "or Stata (.dta) file with variable and value labels in the --labels language; "
        "`bundle` writes the reproducible analysis bundle (a zip: RDS-layout data, codebook, "
        ".sav, .dta, an R script and a README) of the whole survey."
    )
    kinds = (*KINDS, BUNDLE)

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--format", choices=FORMATS, default="csv")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] == BUNDLE:
            self.bundle(options)
            return
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

    def bundle(self, options: dict[str, Any]) -> None:
        """Write the survey's analysis bundle."""
        if options["format"] != "csv" or any(options[name] not in (None, "") for name in FILTERS):
            raise CommandError(
                "The bundle holds the whole survey in every format: leave out --format and "
                "the filters."
            )
        survey = self.chosen_survey(options)
        with tempfile.TemporaryDirectory() as folder:
            written = Path(folder) / "bundle.zip"
            bundle_write(survey=survey, path=written, labels=options["labels"])
            self.write(_chunks(written), options["output"])
