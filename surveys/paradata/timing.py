"""Paradata: the seconds spent on each page and the language switches, kept in the draft.

Timing is server-side. A page served by GET carries a signed hidden stamp of the moment it
was served (no write on GET); the POST that leaves the page (Next, Submit, Back or a language
switch) adds the seconds since then to that page. A stamp older than the draft's last save is
replaced by the save's time, so no page is counted twice and a stamp kept from another page or
draft cannot lengthen anything: the page seconds of a draft never add up to more than the time
it took. A page gets at most ``PAGE_SECONDS_CAP`` per visit, so that a tab left open overnight
does not distort the medians. A client that posts without the stamp is timed from the draft's
last save.

A draft's paradata: ``{"page_seconds": {"<page position>": s}, "language_switches": n,
"device_class": "phone", "honeypot": true}``; a response's: ``page_seconds``,
``language_switches`` and ``total_seconds`` (their sum; ``surveys.paradata.speed`` reads it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core import signing
from django.utils import timezone

from surveys.models import Draft

# One visit of a page counts at most this long: longer is a tab left open, not reading.
PAGE_SECONDS_CAP = 30 * 60
SERVED_FIELD = "page_served"
SERVED_SALT = "surveys.page-served"
# Named like something a form-filling script fills in; people never see it (templates/surveys/
# page.html hides it from screens and screen readers alike); a filled one flags "honeypot".
HONEYPOT_FIELD = "website"

PAGE_SECONDS = "page_seconds"
LANGUAGE_SWITCHES = "language_switches"
TOTAL_SECONDS = "total_seconds"
DEVICE_CLASS = "device_class"
HONEYPOT = "honeypot"


@dataclass(frozen=True)
class PageVisit:
    """What one POST that leaves a page adds to the draft's paradata."""

    position: int
    seconds: int
    honeypot: bool = False


def served_stamp(*, position: int, at: datetime | None = None) -> str:
    """Return the signed stamp of a page served now (or at the given moment)."""
    moment = (at or timezone.now()).timestamp()
    return signing.dumps({"p": position, "t": round(moment, 3)}, salt=SERVED_SALT)


def _served_at(stamp: str, position: int) -> datetime | None:
    """Return when the page was served according to a genuine stamp of it, else None."""
    try:
        data = signing.loads(stamp, salt=SERVED_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("p") != position:
        return None
    moment = data.get("t")
    if not isinstance(moment, int | float):
        return None
    return datetime.fromtimestamp(moment, tz=UTC)


def posted_stamp(*, data: Any, position: int) -> str:
    """Return the posted stamp when it is a genuine one of this page, else a new one."""
    stamp = str(data.get(SERVED_FIELD, ""))
    return stamp if _served_at(stamp, position) else served_stamp(position=position)


def page_visit(*, data: Any, draft: Draft, position: int) -> PageVisit:
    """Return the seconds this POST spent on the page, and whether the honeypot was filled."""
    now = timezone.now()
    start = draft.updated_at
    served = _served_at(str(data.get(SERVED_FIELD, "")), position)
    if served is not None and served > start:
        start = served
    seconds = min(max((now - start).total_seconds(), 0.0), PAGE_SECONDS_CAP)
    return PageVisit(
        position=position,
        seconds=round(seconds),
        honeypot=bool(str(data.get(HONEYPOT_FIELD, "")).strip()),
    )


def paradata_add_visit(paradata: dict[str, Any], visit: PageVisit) -> None:
    """Add a page visit to a draft's paradata, in place."""
    pages = paradata.setdefault(PAGE_SECONDS, {})
    key = str(visit.position)
    pages[key] = pages.get(key, 0) + visit.seconds
    if visit.honeypot:
        paradata[HONEYPOT] = True


def paradata_add_switch(paradata: dict[str, Any]) -> None:
    """Count a language switch in a draft's paradata, in place."""
    paradata[LANGUAGE_SWITCHES] = paradata.get(LANGUAGE_SWITCHES, 0) + 1


def paradata_for_response(paradata: dict[str, Any]) -> dict[str, Any]:
    """Return the paradata a response keeps from its draft's."""
    pages = {key: int(value) for key, value in (paradata.get(PAGE_SECONDS) or {}).items()}
    ordered = dict(sorted(pages.items(), key=lambda item: int(item[0])))
    kept: dict[str, Any] = {
        PAGE_SECONDS: ordered,
        LANGUAGE_SWITCHES: int(paradata.get(LANGUAGE_SWITCHES, 0)),
    }
    # Every answer through the pages is timed; a draft stored by a service alone (tests, a
    # draft from before timing existed) is not, and is neither judged nor counted as fast.
    if ordered:
        kept[TOTAL_SECONDS] = sum(ordered.values())
    return kept
