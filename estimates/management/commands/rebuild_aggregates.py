from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aggregates.refresh import survey_refresh
from estimates.models import RDSEstimateSet
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
            refreshed = survey_refresh(
                survey_id=item.pk, force=not incremental, dependents=not no_rds
            )
            snapshot = refreshed.snapshot
            if snapshot is None:
                self.stdout.write(f"{item.slug}: the aggregate tables are up to date")
            else:
                self.stdout.write(
                    f"{item.slug}: {snapshot.responses} responses counted "
                    f"({'full' if snapshot.full else 'incremental'}, {snapshot.seconds:.2f} s)"
                )
            estimates = next(
                (done for done in refreshed.published if isinstance(done, RDSEstimateSet)), None
            )
            if no_rds:
                continue
            if estimates is None:
                self.stdout.write(f"{item.slug}: the RDS estimates are up to date")
                continue
            why = f": {estimates.unavailable}" if estimates.unavailable else ""
            self.stdout.write(
                f"{item.slug}: RDS estimates over {estimates.respondents} respondents "
                f"({estimates.seconds:.2f} s){why}"
            )
