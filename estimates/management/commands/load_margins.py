from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from estimates.margins.reader import margins_read
from estimates.margins.services import margins_clear, margins_replace
from surveys.models import Survey


class Command(BaseCommand):
    help = (
        "Replace a survey's population margins by a CSV with the columns question, option, "
        "share (or remove them with --clear)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv", type=Path, nargs="?")
        parser.add_argument("--survey", required=True, help="slug of the survey")
        parser.add_argument("--clear", action="store_true", help="remove the survey's margins")

    def handle(self, *args: Any, **options: Any) -> None:
        survey = Survey.objects.filter(slug=options["survey"]).first()
        if survey is None:
            raise CommandError(f"There is no survey {options['survey']!r}.")
        if options["clear"]:
            removed = margins_clear(survey=survey)
            self.stdout.write(f"Removed {removed} margins of {survey.slug}.")
            return
        path: Path | None = options["csv"]
        if path is None:
            raise CommandError("Give the CSV file of margins, or --clear.")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        try:
            rows = margins_read(text=text)
            count = margins_replace(survey=survey, rows=rows, user=None)
        except ValidationError as error:
            raise CommandError(
                "\n".join(["The margins were not loaded:", *error.messages])
            ) from error
        questions = sorted({row.question for row in rows})
        self.stdout.write(f"Loaded {count} margins of {survey.slug} for {', '.join(questions)}.")
