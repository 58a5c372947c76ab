"""The log of a survey's design changes, which the STROBE-RDS checklist asks a report to give.

Recorded: the survey's recruits per personal link, its opening or closing and its fastest
plausible completion (the too-fast flag), each seed link's limit, expiry and opening or closing,
the population size the estimators use, and the incentives (incentives.configure). Values are
stored as plain tokens, the same in every language, and translated when shown: "" (did not
exist yet: a new seed link), "unlimited", "never" (no expiry), "open" / "closed", "on" / "off",
"unknown" (no population size), a number, an amount ("2000 KZT"), a date-time in ISO 8601, or
"N (LOW-HIGH)" for a population size and its range.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.forms import ModelForm
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.models import DesignChange, SeedLink, Survey

What = DesignChange.What
NEW = ""
UNLIMITED = "unlimited"
NEVER = "never"
OPEN = "open"
CLOSED = "closed"
UNKNOWN = "unknown"
ON = "on"
OFF = "off"


def limit_value(limit: int | None) -> str:
    """Return a limit as stored in the log: a number, or "unlimited" (None or 0)."""
    return UNLIMITED if not limit else str(limit)


def expiry_value(moment: dt.datetime | None) -> str:
    """Return an expiry as stored in the log: ISO 8601 in the site's time zone, or "never"."""
    if moment is None:
        return NEVER
    return timezone.localtime(moment).isoformat(timespec="minutes")


def active_value(active: bool) -> str:
    return OPEN if active else CLOSED


def population_value(*, size: int | None, low: int | None, high: int | None) -> str:
    """Return a population size and its range as stored in the log."""
    if size is None:
        return UNKNOWN
    if low is None and high is None:
        return str(size)
    return f"{size} ({low or size}-{high or size})"


def design_change_record(
    *,
    survey: Survey,
    what: str,
    old: str,
    new: str,
    user: AbstractBaseUser | None,
    seed_link: SeedLink | None = None,
) -> DesignChange | None:
    """Log one design change; nothing when the value did not change."""
    if old == new:
        return None
    # A user who is not saved (AnonymousUser, a command) is not a person to name.
    who = user if user is not None and getattr(user, "pk", None) else None
    return DesignChange.objects.create(
        survey=survey, seed_link=seed_link, what=what, old=old, new=new, changed_by=who
    )


def seed_link_created(*, seed_link: SeedLink, user: AbstractBaseUser | None) -> None:
    """Log a new seed link: opened, with its limit and its expiry if it has one."""
    survey = seed_link.survey
    for what, new in (
        (What.SEED_LINK_ACTIVE, active_value(seed_link.is_active)),
        (What.SEED_LINK_LIMIT, limit_value(seed_link.coupon_limit)),
        (What.SEED_LINK_EXPIRY, expiry_value(seed_link.expires_at) if seed_link.expires_at else ""),
    ):
        design_change_record(
            survey=survey, what=what, old=NEW, new=new, user=user, seed_link=seed_link
        )


def seed_link_changed(
    *, seed_link: SeedLink, before: SeedLink, user: AbstractBaseUser | None
) -> None:
    """Log what changed between two states of a seed link: limit, expiry, open or closed."""
    link, was = seed_link, before
    for what, old, new in (
        (What.SEED_LINK_LIMIT, limit_value(was.coupon_limit), limit_value(link.coupon_limit)),
        (What.SEED_LINK_EXPIRY, expiry_value(was.expires_at), expiry_value(link.expires_at)),
        (What.SEED_LINK_ACTIVE, active_value(was.is_active), active_value(link.is_active)),
    ):
        design_change_record(
            survey=seed_link.survey, what=what, old=old, new=new, user=user, seed_link=seed_link
        )


def _limits(before: Survey, survey: Survey) -> tuple[str, str]:
    return limit_value(before.coupon_limit), limit_value(survey.coupon_limit)


def survey_changed(*, survey: Survey, before: Survey, user: AbstractBaseUser | None) -> None:
    """Log a change of the survey's recruits per personal link, state or too-fast threshold."""
    for what, old, new in (
        (What.SURVEY_COUPON_LIMIT, *_limits(before, survey)),
        (What.SURVEY_OPEN, active_value(before.is_open), active_value(survey.is_open)),
        (
            What.MIN_COMPLETION,
            str(before.min_completion_seconds),
            str(survey.min_completion_seconds),
        ),
    ):
        design_change_record(survey=survey, what=what, old=old, new=new, user=user)


@transaction.atomic
def survey_form_save(*, form: ModelForm, user: AbstractBaseUser | None) -> tuple[Survey, Survey]:
    """Save a valid form of the survey's settings and log its changes; return before, after."""
    # The stored state, read under a lock: two people saving at once are logged in turn.
    before = copy.copy(Survey.objects.select_for_update().get(pk=form.instance.pk))
    saved = form.save()
    survey_changed(survey=saved, before=before, user=user)
    return before, saved


def logic_of(*, survey: Survey) -> dict[str, str]:
    """Return the survey's conditions: "code: relevant" / "code: constraint" and eligibility."""
    logic = {"": survey.eligibility}
    for page in survey.pages.exclude(relevant=""):
        logic[f"{page.code}: relevant"] = page.relevant
    for question in survey.questions.order_by("page__position", "position"):
        for column in ("relevant", "constraint"):
            if getattr(question, column):
                logic[f"{question.code}: {column}"] = getattr(question, column)
    return logic


def logic_changed(*, survey: Survey, before: dict[str, str], user: AbstractBaseUser | None) -> None:
    """Log each condition a reload changed; the eligibility rule has an entry of its own."""
    after = logic_of(survey=survey)
    design_change_record(
        survey=survey,
        what=What.ELIGIBILITY,
        old=before.get("", ""),
        new=after.get("", ""),
        user=user,
    )
    for key in [k for k in {**before, **after} if k]:
        old, new = before.get(key, ""), after.get(key, "")
        if old != new:
            design_change_record(
                survey=survey,
                what=What.QUESTION_LOGIC,
                old=f"{key} = {old}" if old else key,
                new=f"{key} = {new}" if new else key,
                user=user,
            )


@dataclass(frozen=True)
class Change:
    """One design change as a page or a README shows it, in the active language."""

    changed_at: dt.datetime
    what: str  # the stored code (DesignChange.What)
    what_label: str
    seed_link: str  # the seed link's label, "" for the survey's own settings
    old: str
    new: str
    changed_by: str  # the username, "" when nobody logged in (a command, the loader)


def value_label(value: str, *, what: str) -> str:
    """Return a stored value in words: "" is a new seed link, tokens are translated."""
    if value == NEW:
        return _("(new link)") if what.startswith("seed_link") else "—"
    words = {
        UNLIMITED: _("unlimited"),
        NEVER: _("no expiry"),
        OPEN: _("open"),
        CLOSED: _("closed"),
        UNKNOWN: _("unknown"),
        ON: _("on"),
        OFF: _("off"),
    }
    if value in words:
        return words[value]
    if what == What.SEED_LINK_EXPIRY:
        return value.replace("T", " ")[:16]
    return value


def design_changes(
    *, survey: Survey, since: dt.datetime | None = None, limit: int | None = None
) -> list[Change]:
    """Return the survey's design changes, oldest first (the last ``limit`` ones if given)."""
    rows = DesignChange.objects.filter(survey=survey).select_related("seed_link", "changed_by")
    if since is not None:
        rows = rows.filter(changed_at__gte=since)
    if limit is not None:
        rows = list(rows.order_by("-changed_at", "-id")[:limit])[::-1]
    return [
        Change(
            changed_at=row.changed_at,
            what=row.what,
            what_label=str(row.get_what_display()),
            seed_link=row.seed_link.label if row.seed_link else "",
            old=value_label(row.old, what=row.what),
            new=value_label(row.new, what=row.what),
            changed_by=row.changed_by.get_username() if row.changed_by else "",
        )
        for row in rows
    ]
