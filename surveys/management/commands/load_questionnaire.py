from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from surveys.questionnaire.loader import (
    questionnaire_load,
    questionnaire_read,
    shipped_questionnaires,
)


class Command(BaseCommand):
    help = "Load questionnaires from JSON files (default: the ones that ship); safe to repeat."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", type=Path)

    def handle(self, *args: Any, paths: list[Path], **options: Any) -> None:
        for path in paths or shipped_questionnaires():
            survey = questionnaire_load(data=questionnaire_read(path=path))
            count = survey.questions.count()
            self.stdout.write(f"Loaded {survey.slug}: {count} questions from {path.name}")
