"""Each link's funnel (opened → consented → screened out → completed), also per chain.

Seed links are listed by their code and label; a personal link by the first six symbols of its
code (as the monitor shows recruiters: the full code is a working invitation) and its holder's
wave. A screened-out visit left only its event, so a chain's screened-out count is read from
the events of its seed link and of its members' personal links.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import Count

from surveys.csv_safe import neutralize
from surveys.models import LinkEvent, Response, SeedLink, Survey

LINK_COLUMNS = ["code", "label", "wave", "opened", "consented", "screened_out", "completed"]
STEPS = ("opened", "consented", "screened_out", "completed")
SHORT_CODE = 6
CHUNK = 2000


def _events(survey_id: int, kinds: tuple[str, ...] = STEPS) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    rows = (
        LinkEvent.objects.filter(survey_id=survey_id, kind__in=kinds)
        .values("code", "kind")
        .annotate(n=Count("id"))
        .values_list("code", "kind", "n")
    )
    for code, kind, n in rows:
        counts[code][kind] = n
    return counts


def link_funnel_rows(*, survey: Survey) -> Iterator[list[Any]]:
    """Yield the header and one row per seed link and per personal link that was opened."""
    yield list(LINK_COLUMNS)
    counts = _events(survey.pk)
    for seed in SeedLink.objects.filter(survey=survey).order_by("created_at", "pk"):
        steps = counts.pop(seed.code, {})
        yield [seed.code, neutralize(seed.label), None, *(steps.get(s, 0) for s in STEPS)]
    personal = (
        Response.objects.filter(survey=survey, referral_code__in=list(counts))
        .order_by("pk")
        .values_list("referral_code", "wave")
        .iterator(CHUNK)
    )
    for code, wave in personal:
        steps = counts[code]
        yield [code[:SHORT_CODE], None, wave, *(steps.get(s, 0) for s in STEPS)]


def screened_out_by_chain(*, survey_id: int, seed_ids: list[int]) -> dict[int, int]:
    """Return how many visits each of these chains screened out, through any of its links."""
    screened = _events(survey_id, (LinkEvent.Kind.SCREENED_OUT,))
    if not screened:
        return {}
    by_chain: dict[int, int] = defaultdict(int)
    for pk, code in SeedLink.objects.filter(pk__in=seed_ids).values_list("pk", "code"):
        by_chain[pk] += screened.get(code, {}).get(LinkEvent.Kind.SCREENED_OUT, 0)
    members = Response.objects.filter(
        survey_id=survey_id, seed_link_id__in=seed_ids, referral_code__in=list(screened)
    ).values_list("seed_link_id", "referral_code")
    for seed_id, code in members:
        by_chain[seed_id] += screened[code].get(LinkEvent.Kind.SCREENED_OUT, 0)
    return dict(by_chain)
