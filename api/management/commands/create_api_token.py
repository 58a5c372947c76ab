"""Create a survey's API token and print it, once, as the last line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.tokens import api_token_create
from surveys.models import Survey


class Command(BaseCommand):
    help = (
        "Create a read-only API token for one survey. The token is printed once, as the last "
        "line; only its hash is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, metavar="SLUG")
        parser.add_argument("--name", required=True, help="what the token is for")
        parser.add_argument("--expires-days", type=int, default=None, metavar="N")

    def handle(self, *args: Any, **options: Any) -> None:
        survey = Survey.objects.filter(slug=options["survey"]).first()
        if survey is None:
            raise CommandError(f"No survey with the slug {options['survey']}.")
        days = options["expires_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-days must be at least 1.")
        token, plaintext = api_token_create(
            survey=survey, name=options["name"].strip(), expires_days=days
        )
        expiry = token.expires_at.isoformat() if token.expires_at else "never"
        self.stdout.write(
            f"Token {token.name!r} for {survey.slug} (expires: {expiry}). "
            "Store it now: it is not shown again."
        )
        self.stdout.write(plaintext)
