from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.models import Survey
from surveys.questionnaire.xlsform_export import questionnaire_export


class Command(BaseCommand):
    help = "Write a survey's questionnaire as an XLSForm (.xlsx) that load_questionnaire reads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="survey slug")
        parser.add_argument("--output", type=Path, required=True, help="the .xlsx file to write")

    def handle(self, *args: Any, survey: str, output: Path, **options: Any) -> None:
        found = Survey.objects.filter(slug=survey).first()
        if found is None:
            raise CommandError(f"No survey {survey!r}.")
        questionnaire_export(survey=found, path=output)
        self.stdout.write(f"Wrote {output}")
