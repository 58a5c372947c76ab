from argparse import ArgumentTypeError
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from estimates.rds.importer import rds_import


def _size_range(text: str) -> tuple[int, int]:
    """Parse LOW,HIGH population sizes."""
    try:
        low, high = (int(part) for part in text.split(","))
    except ValueError as error:
        raise ArgumentTypeError("expected two whole numbers LOW,HIGH, e.g. 800,1200") from error
    if not 0 < low <= high:
        raise ArgumentTypeError("expected 0 < LOW <= HIGH")
    return low, high


class Command(BaseCommand):
    help = "Load a CSV in R RDS layout (id, recruiter.id, degree, outcomes) as a new survey."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv", type=Path)
        parser.add_argument("--survey", required=True, help="slug of the survey to create")
        parser.add_argument(
            "--outcomes", required=True, help="comma-separated outcome columns, e.g. X,Y"
        )
        parser.add_argument("--id-column", default="id")
        parser.add_argument("--recruiter-column", default="recruiter.id")
        parser.add_argument("--degree-column", default="network.size")
        parser.add_argument(
            "--population-size",
            type=int,
            help="size N of the population sampled, for Gile's SS estimates",
        )
        parser.add_argument(
            "--population-size-range",
            type=_size_range,
            metavar="LOW,HIGH",
            help="low and high guesses of N, to show SS across them",
        )
        parser.add_argument(
            "--time-column",
            help="recruitment times (Unix seconds or ISO dates), for HCG and the order of "
            "recruitment; without it the file's row order is used",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = rds_import(
                path=options["csv"],
                slug=options["survey"],
                outcomes=[c.strip() for c in options["outcomes"].split(",") if c.strip()],
                id_column=options["id_column"],
                recruiter_column=options["recruiter_column"],
                degree_column=options["degree_column"],
                population_size=options["population_size"],
                population_size_range=options["population_size_range"],
                time_column=options["time_column"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Imported {result.responses} responses in {result.seeds} chain(s) as "
            f"{result.survey.slug}; questions: {', '.join(result.questions)}"
        )
