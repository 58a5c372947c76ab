"""Set a survey's incentives from the command line; each change joins the design-change log."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from incentives.configure import incentives_update
from surveys.models import Survey


class Command(BaseCommand):
    help = (
        "Turn a survey's incentives on (or --off) and set the amounts: --currency KZT "
        "--primary 2000 --per-recruit 1000 [--budget N] [--erase-after-days D]."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, help="the survey's slug")
        parser.add_argument("--currency", help="three-letter currency code, e.g. KZT")
        parser.add_argument("--primary", type=int, help="amount for taking part")
        parser.add_argument("--per-recruit", type=int, help="amount per eligible recruit")
        parser.add_argument("--budget", type=int, help="budget (0 = none)")
        parser.add_argument("--erase-after-days", type=int, help="days contacts are kept")
        parser.add_argument("--region", help="default country of phone numbers, e.g. KZ")
        parser.add_argument("--off", action="store_true", help="turn the incentives off")

    def handle(self, *args: Any, **options: Any) -> None:
        survey = Survey.objects.filter(slug=options["survey"]).first()
        if survey is None:
            raise CommandError(f"No survey {options['survey']!r}.")
        changes: dict[str, Any] = {"enabled": not options["off"]}
        for option, field in (
            ("currency", "currency"),
            ("primary", "primary_amount"),
            ("per_recruit", "per_recruit_amount"),
            ("erase_after_days", "erase_after_days"),
            ("region", "phone_region"),
        ):
            if options[option] is not None:
                changes[field] = options[option]
        if options["budget"] is not None:
            changes["budget"] = options["budget"] or None
        if "currency" in changes:
            changes["currency"] = changes["currency"].upper()
        for field in ("primary_amount", "per_recruit_amount", "budget", "erase_after_days"):
            if (changes.get(field) or 0) < 0:
                raise CommandError(f"{field.replace('_', ' ')} cannot be negative.")
        try:
            config = incentives_update(survey=survey, user=None, **changes)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        state = "on" if config.enabled else "off"
        budget = config.budget if config.budget is not None else "none"
        self.stdout.write(
            self.style.SUCCESS(
                f"Incentives of {survey.slug} {state}: {config.primary_amount} {config.currency} "
                f"for taking part, {config.per_recruit_amount} per recruit, budget {budget}, "
                f"contacts erased {config.erase_after_days} days after the last payment."
            )
        )
