"""Fill the database with generated responses for load tests and benchmarks."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sampledata.bulk import FLAGGED_SHARE, responses_generate
from surveys.models import Survey


class Command(BaseCommand):
    help = (
        "Store N generated responses (a snowball forest under new seed links, with the study's "
        "answer shares) by COPY on PostgreSQL; for benchmarks and load tests, never production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--n", type=int, required=True, help="number of responses")
        parser.add_argument("--survey", default="sco-2025", help="survey slug")
        parser.add_argument("--seeds", type=int, default=None, help="seed links to create")
        parser.add_argument("--batch", type=int, default=100_000, help="rows per COPY batch")
        parser.add_argument("--random-seed", type=int, default=None, help="for repeatable runs")
        parser.add_argument(
            "--flagged-share",
            type=float,
            default=FLAGGED_SHARE,
            help=f"share flagged too_fast or same_device (default {FLAGGED_SHARE})",
        )
        parser.add_argument(
            "--no-rebuild", action="store_true", help="do not rebuild the aggregate tables"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["n"] <= 0:
            raise CommandError("--n must be a positive number of responses.")
        if options["batch"] <= 0:
            raise CommandError("--batch must be positive.")
        if not 0 <= options["flagged_share"] <= 1:
            raise CommandError("--flagged-share must be between 0 and 1.")
        try:
            survey = Survey.objects.get(slug=options["survey"])
        except Survey.DoesNotExist:
            raise CommandError(
                f"No survey {options['survey']!r}: run `manage.py load_questionnaire` first."
            ) from None

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  {done:,} / {total:,}")

        result = responses_generate(
            survey=survey,
            n=options["n"],
            seeds=options["seeds"],
            batch_size=options["batch"],
            seed=options["random_seed"],
            progress=progress,
            flagged_share=options["flagged_share"],
        )
        rate = result.created / result.seconds if result.seconds else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {result.created:,} responses "
                f"(ids {result.first_id} to {result.last_id}) "
                f"under {len(result.seed_links)} new seed links in {result.seconds:.1f} s "
                f"({rate:,.0f} rows/s)."
            )
        )
        if not options["no_rebuild"]:
            rebuilt = aggregates_refresh(survey=survey)
            self.stdout.write(f"Rebuilt the aggregate tables ({rebuilt}).")


def aggregates_refresh(*, survey: Survey) -> str:
    """Bring the analysts' aggregate tables up to date with the new rows; describe the run."""
    # Bulk rows send no response_submitted signal, so nothing else schedules this refresh. The
    # estimates wait for the nightly refresh or "Rebuild now": their bootstrap over a million
    # generated rows would hold the command for minutes.
    from aggregates.refresh import survey_refresh

    snapshot = survey_refresh(survey_id=survey.pk, dependents=False).snapshot
    if snapshot is None:
        return "already up to date"
    kind = "full" if snapshot.full else "incremental"
    return f"{kind}, {snapshot.responses:,} responses, {snapshot.seconds:.1f} s"
