"""Re-encrypt every payout contact under the newest key (the first of PAYOUT_KEY)."""

from __future__ import annotations

import os
from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from incentives.contacts import contacts_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt the payout contacts under the first key of PAYOUT_KEY. To rotate: set "
        "PAYOUT_KEY=NEW,OLD, run this, then set PAYOUT_KEY=NEW. With the embedded default "
        "(no PAYOUT_KEY), --new-key makes a key in var/payout-key and does all three steps."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new-key",
            action="store_true",
            help="embedded default only: make a new key in var/payout-key and rotate to it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        keys = list(settings.PAYOUT_KEYS)
        if options["new_key"] and (settings.PRODUCTION or os.environ.get("PAYOUT_KEY")):
            raise CommandError(
                "PAYOUT_KEY comes from the environment: put the new key first there instead."
            )
        if options["new_key"]:
            keys = [Fernet.generate_key().decode(), *keys]
            # Both keys on disk before any contact is rewritten: a crash loses nothing.
            self._write(keys)
        rotated = contacts_rotate(keys=keys)
        if options["new_key"]:
            self._write(keys[:1])
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {rotated} payout contacts."))

    def _write(self, keys: list[str]) -> None:
        path = settings.PAYOUT_KEY_FILE
        temporary = path.with_suffix(".new")
        temporary.write_text("\n".join(keys) + "\n")
        temporary.chmod(0o600)
        temporary.replace(path)
        settings.PAYOUT_KEYS = keys
