"""Create or update a staff login for organizers, analysts and whoever pays the incentives."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from membership.models import Role
from membership.services import membership_add
from surveys.models import Survey

GROUPS = {
    "organizer": ["Organizers"],
    "analyst": ["Analysts"],
    "both": ["Organizers", "Analysts"],
    # Whoever pays sees the payout contacts; organizers and analysts do not, unless also this.
    "payments": ["Payments"],
}
# The permission each group grants (app, codename), as the data migrations set them up:
# surveys' 0002_staff_groups and incentives' 0002_payments_group.
GROUP_PERMISSIONS = {
    "Organizers": ("surveys", "organizer"),
    "Analysts": ("surveys", "analyst"),
    "Payments": ("incentives", "payments"),
}
# The memberships --survey adds for each --role.
ROLES = {
    "organizer": [Role.ORGANIZER],
    "analyst": [Role.ANALYST],
    "both": [Role.ORGANIZER, Role.ANALYST],
    "payments": [Role.PAYMENTS],
}


class Command(BaseCommand):
    help = (
        "Create or update a staff user in the Organizers, Analysts or Payments group. The password "
        "comes from the environment variable named by --password-env, or is asked for in a "
        "terminal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", help="login name (asked for in a terminal if left out)")
        parser.add_argument(
            "--role", choices=sorted(GROUPS), default="both", help="which group(s) to join"
        )
        parser.add_argument(
            "--password-env",
            metavar="VAR",
            help="name of the environment variable that holds the password",
        )
        parser.add_argument(
            "--superuser", action="store_true", help="also make the user a superuser"
        )
        parser.add_argument("--email", default="", help="e-mail address (optional)")
        parser.add_argument(
            "--survey",
            action="append",
            default=[],
            metavar="SLUG",
            help="make the user a member of this survey in the role(s) (repeatable)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interactive = sys.stdin.isatty()
        username = (options["username"] or "").strip()
        if not username:
            if not interactive:
                raise CommandError("Give --username NAME (no terminal to ask in).")
            username = input("Username: ").strip()
            if not username:
                raise CommandError("A username is required.")

        surveys = _surveys(options["survey"])
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        creating = user is None
        if creating:
            user = User(username=username, email=options["email"])
        elif options["email"]:
            user.email = options["email"]

        password = self._password(options["password_env"], interactive, needed=creating)
        if password is not None:
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            user.set_password(password)

        with transaction.atomic():
            groups = [_group(name) for name in GROUPS[options["role"]]]
            # Organizers and analysts work on their own pages; the admin is for admins only.
            user.is_active = True
            if options["superuser"]:
                user.is_superuser = True
                user.is_staff = True
            user.save()
            user.groups.add(*groups)
            for survey in surveys:
                for role in ROLES[options["role"]]:
                    membership_add(survey=survey, user=user, role=role)
        verb = "Created" if creating else "Updated"
        names = ", ".join(group.name for group in groups)
        self.stdout.write(self.style.SUCCESS(f"{verb} staff user {username!r} in {names}."))
        if surveys:
            slugs = ", ".join(survey.slug for survey in surveys)
            self.stdout.write(f"Member of {slugs} as {' and '.join(ROLES[options['role']])}.")

    def _password(self, variable: str | None, interactive: bool, *, needed: bool) -> str | None:
        if variable:
            password = os.environ.get(variable, "")
            if not password:
                raise CommandError(f"The environment variable {variable} is empty or not set.")
            return password
        if not interactive:
            if needed:
                raise CommandError(
                    "No password: pass --password-env VAR with the password in $VAR, "
                    "or run the command in a terminal to be asked for it."
                )
            return None  # an existing user keeps their password
        prompt = "Password" if needed else "New password (leave empty to keep the current one)"
        first = getpass.getpass(f"{prompt}: ")
        if not first and not needed:
            return None
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        if not first:
            raise CommandError("A password is required.")
        return first


def _surveys(slugs: list[str]) -> list[Survey]:
    """Return the surveys named, or stop with the slugs that name none."""
    found = {survey.slug: survey for survey in Survey.objects.filter(slug__in=slugs)}
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        raise CommandError(f"No survey with the slug {', '.join(unknown)}.")
    return [found[slug] for slug in dict.fromkeys(slugs)]


def _group(name: str) -> Group:
    """Return the staff group, recreating it with its permission if it was deleted."""
    app_label, codename = GROUP_PERMISSIONS[name]
    try:
        permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    except Permission.DoesNotExist:
        raise CommandError("The survey permissions are missing: run manage.py migrate.") from None
    group, _created = Group.objects.get_or_create(name=name)
    group.permissions.add(permission)
    return group
