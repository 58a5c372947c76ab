from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.rds.importer import rds_import


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

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = rds_import(
                path=options["csv"],
                slug=options["survey"],
                outcomes=[c.strip() for c in options["outcomes"].split(",") if c.strip()],
                id_column=options["id_column"],
                recruiter_column=options["recruiter_column"],
                degree_column=options["degree_column"],
            )
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Imported {result.responses} responses in {result.seeds} chain(s) as "
            f"{result.survey.slug}; questions: {', '.join(result.questions)}"
        )
