import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sampledata.demo import DEMO_SIZE, demo_seed
from surveys.models import Survey


class Command(BaseCommand):
    help = (
        f"Create {DEMO_SIZE} demo respondents of the SCO 2025 study (a snowball forest whose "
        "marginals match the published shares) through the real submission services."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", default="sco-2025", help="survey slug (sco-2025)")
        parser.add_argument("--seed", type=int, default=2025, help="random seed")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing if the survey has responses"
        )

    def handle(self, *args: Any, survey: str, seed: int, if_empty: bool, **options: Any) -> None:
        found = Survey.objects.filter(slug=survey).first()
        if found is None:
            raise CommandError(f"No survey {survey!r}: run `manage.py load_questionnaire` first.")
        existing = found.responses.count()
        if if_empty and existing:
            self.stdout.write(f"{survey} already has {existing} responses; no demo data added.")
            return
        started = time.perf_counter()
        try:
            responses = demo_seed(survey=found, seed=seed)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Created {len(responses)} demo responses in {survey} "
            f"({time.perf_counter() - started:.1f} s)."
        )
