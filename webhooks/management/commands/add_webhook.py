"""Add a webhook endpoint to a survey and print its signing secret, once, as the last line."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from surveys.models import Survey
from webhooks.models import Event
from webhooks.services import webhook_endpoint_create


class Command(BaseCommand):
    help = (
        "Add a webhook endpoint to a survey. Events: "
        + ", ".join(Event.values)
        + ". The secret (whsec_…) is printed once, as the last line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--survey", required=True, metavar="SLUG")
        parser.add_argument("--url", required=True)
        parser.add_argument("--events", required=True, metavar="E[,E…]")

    def handle(self, *args: Any, **options: Any) -> None:
        survey = Survey.objects.filter(slug=options["survey"]).first()
        if survey is None:
            raise CommandError(f"No survey with the slug {options['survey']}.")
        events = [event.strip() for event in options["events"].split(",") if event.strip()]
        try:
            endpoint, secret = webhook_endpoint_create(
                survey=survey, url=options["url"], events=events
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"Webhook {endpoint.pk} of {survey.slug} → {endpoint.url} for "
            f"{', '.join(endpoint.events)}. Store the signing secret now: it is not shown again."
        )
        self.stdout.write(secret)
