from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.questionnaire.loader import (
    questionnaire_load,
    questionnaire_read,
    shipped_questionnaires,
)
from surveys.questionnaire.xlsform import XLSFormProblem, xlsform_load

XLSFORM_SUFFIXES = {".xlsx", ".xls"}


class Command(BaseCommand):
    help = (
        "Load questionnaires from JSON files or XLSForms (.xlsx; default: the JSON files that "
        "ship); safe to repeat. A form that cannot be loaded is refused whole, with its row."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", type=Path)

    def handle(self, *args: Any, paths: list[Path], **options: Any) -> None:
        for path in paths or shipped_questionnaires():
            if path.suffix.lower() in XLSFORM_SUFFIXES:
                try:
                    survey = xlsform_load(source=path)
                except XLSFormProblem as problem:
                    raise CommandError(f"{path.name}: {problem}") from None
            else:
                survey = questionnaire_load(data=questionnaire_read(path=path))
            count = survey.questions.count()
            self.stdout.write(f"Loaded {survey.slug}: {count} questions from {path.name}")
