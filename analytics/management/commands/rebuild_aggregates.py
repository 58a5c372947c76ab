from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.aggregation.rebuild import aggregates_rebuild
from analytics.rds.refresh import rds_rebuild
from surveys.models import Survey


class Command(BaseCommand):
    help = "Rebuild the aggregate tables (every survey, or one) now, in this process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", help="slug of one survey (default: all)")
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="only add responses newer than the published snapshot (default: full)",
        )
        parser.add_argument(
            "--no-rds", action="store_true", help="skip the RDS population estimates"
        )

    def handle(
        self, *args: Any, survey: str | None, incremental: bool, no_rds: bool, **options: Any
    ) -> None:
        surveys = Survey.objects.order_by("slug")
        if survey:
            surveys = surveys.filter(slug=survey)
            if not surveys.exists():
                raise CommandError(f"No survey {survey!r}.")
        for item in surveys:
            snapshot = aggregates_rebuild(survey_id=item.pk, full=not incremental)
            self.stdout.write(
                f"{item.slug}: {snapshot.responses} responses counted "
                f"({'full' if snapshot.full else 'incremental'}, {snapshot.seconds:.2f} s)"
            )
            if no_rds:
                continue
            estimates = rds_rebuild(survey_id=item.pk)
            why = f": {estimates.unavailable}" if estimates.unavailable else ""
            self.stdout.write(
                f"{item.slug}: RDS estimates over {estimates.respondents} respondents "
                f"({estimates.seconds:.2f} s){why}"
            )
