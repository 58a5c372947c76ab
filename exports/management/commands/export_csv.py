import argparse
import datetime as dt
import sys
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aggregates.filters import ResponseFilter, filter_dates_problem
from exports.options import KINDS, LABELS, ExportOptions, encoded
from exports.stream import export_chunks
from surveys.csv_safe import BOM
from surveys.links.funnel import link_funnel_rows
from surveys.models import QuestionRole, Survey


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date YYYY-MM-DD") from None


def _role_answers(survey: Survey, options: dict[str, Any]) -> dict[str, str]:
    """Return the filter's (question code, option) pairs for the role options given."""
    codes = survey.role_codes()
    answers = {}
    for role in (QuestionRole.COUNTRY, QuestionRole.AGE_GROUP):
        value = options[str(role)]
        if not value:
            continue
        if role not in codes:
            raise CommandError(f"The survey has no question with the role {role}.")
        answers[codes[role]] = value
    return answers


# Not an analysts' export of responses: each link's funnel, for the recruitment report.
LINKS = "links"


def _with_bom(chunks: Iterator[bytes], bom: bool) -> Generator[bytes, None, None]:
    if bom:
        yield BOM.encode()
    yield from chunks


class Command(BaseCommand):
    help = (
        "Write a CSV export (UTF-8 with a BOM, RFC 4180, formula cells neutralized); "
        "'links' writes each link's funnel: opened, consented, screened out, completed."
    )
    kinds: tuple[str, ...] = (*KINDS, LINKS)
    # An export only reads: the system checks import every URL and view first, seconds of
    # start-up (and memory) that a scheduled or scripted export does not need (manage.py check).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=self.kinds)
        parser.add_argument("--survey", default="", help="survey slug (default: the only one)")
        parser.add_argument("--labels", choices=LABELS, default="codes")
        parser.add_argument("--delimiter", choices=[",", ";"], default=",")
        parser.add_argument("--no-bom", action="store_true", help="leave out the byte order mark")
        parser.add_argument("--output", type=Path, help="file to write (default: standard output)")
        # Named by role: the value is an option of whichever question holds that role.
        parser.add_argument("--country", default="", help="option of the country-role question")
        parser.add_argument("--age-group", default="", help="option of the age-group-role question")
        parser.add_argument("--language", default="")
        parser.add_argument("--wave", type=int)
        parser.add_argument("--from", dest="date_from", type=_date, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", type=_date, help="YYYY-MM-DD, inclusive")

    def chosen_survey(self, options: dict[str, Any]) -> Survey:
        """Return the survey named by --survey, or the only one."""
        surveys = Survey.objects.order_by("slug")
        if options["survey"]:
            surveys = surveys.filter(slug=options["survey"])
        found = list(surveys[:2])
        if len(found) != 1:
            raise CommandError("Name the survey with --survey SLUG.")
        return found[0]

    def export_options(
        self, survey: Survey, options: dict[str, Any], *, file_format: str = "csv"
    ) -> ExportOptions:
        """Return the export options given on the command line."""
        problem = filter_dates_problem(date_from=options["date_from"], date_to=options["date_to"])
        if problem:
            raise CommandError(problem)
        try:
            return ExportOptions(
                kind=options["kind"],
                labels=options["labels"],
                delimiter=options["delimiter"],
                bom=not options["no_bom"],
                filters=ResponseFilter(
                    answers=_role_answers(survey, options),
                    language=options["language"],
                    wave=options["wave"],
                    date_from=options["date_from"],
                    date_to=options["date_to"],
                ),
                format=file_format,
            )
        except ValueError as error:
            raise CommandError(str(error)) from None

    def handle(self, *args: Any, **options: Any) -> None:
        survey = self.chosen_survey(options)
        if options["kind"] == LINKS:
            links = ExportOptions(
                kind="codebook", delimiter=options["delimiter"], bom=not options["no_bom"]
            )
            rows = link_funnel_rows(survey=survey)
            self.write(_with_bom(encoded(rows, links), links.bom), options["output"])
            return
        export = self.export_options(survey, options)
        self.write(export_chunks(survey=survey, options=export), options["output"])

    def write(self, chunks: Generator[bytes, None, None], output: Path | None) -> None:
        """Write the chunks to the output file (whole or not at all) or to standard output."""
        if output is None:
            stream = sys.stdout.buffer
            try:
                for chunk in chunks:
                    stream.write(chunk)
                stream.flush()
            except BrokenPipeError:  # e.g. piped into `head`
                chunks.close()
            return
        partial = output.with_name(output.name + ".part")
        try:
            with open(partial, "wb") as stream:
                for chunk in chunks:
                    stream.write(chunk)
            partial.replace(output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        self.stderr.write(f"Wrote {output}")
