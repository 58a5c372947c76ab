"""Write a survey's payout list to a CSV file (formula-proof cells); the export is logged."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incentives.contacts import contact_access_record
from incentives.models import ContactAccess
from incentives.selectors import payout_table
from surveys.csv_safe import csv_lines
from surveys.models import Survey


class Command(BaseCommand):
    help = (
        "Write one row per respondent with a payout contact: respondent, contact, currency, "
        "approved, on_hold, paid. The file holds contacts: keep it safe and delete it when paid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="the survey's slug")
        parser.add_argument("--output", required=True, help="the CSV file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        survey = Survey.objects.filter(slug=options["survey"]).first()
        if survey is None:
            raise CommandError(f"No survey {options['survey']!r}.")
        table = payout_table(survey=survey)
        path = Path(options["output"])
        # Readable by its owner only, whatever the umask: it holds contacts.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.writelines(csv_lines(table))
        contact_access_record(
            survey=survey, user=None, action=ContactAccess.Action.COMMAND, contacts=len(table) - 1
        )
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(table) - 1} payout rows to {path}."))
