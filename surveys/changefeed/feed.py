"""Read the change feed: the rows a consumer has not counted yet, and counted ones that changed.

Ids come from sequences, and a transaction can commit after another one that took a higher
id: a reader that sees id 105 may not see id 104 yet. So a step records the ids at or below its
new watermark that it could not see, the gaps, and the next step hands out those that have
appeared since. Ids still missing after ``GAP_TTL`` were rolled back and are forgotten; only
the last ``GAP_LOOKBACK`` ids below a watermark are searched for gaps (a submission's
transaction lasts milliseconds, not while a thousand later ids are handed out).

A row handed out is exactly the set described by ``IdSet``, whatever commits meanwhile: the
gaps found are left out of the id range explicitly. A consumer that applies a change as a
difference must read the feed and the rows in one snapshot (REPEATABLE READ on PostgreSQL);
one that recounts what changed may read them one statement after another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Model, OuterRef, Q, Subquery
from django.utils import timezone

from surveys.changefeed.cursor import FeedCursor, SequenceCursor
from surveys.models import Response, ResponseChange, Survey

GAP_LOOKBACK = 1_000
GAP_TTL = timedelta(minutes=10)


@dataclass(frozen=True)
class IdSet:
    """Ids handed out by one step: those in (low, high] but the missing ones, and late ones."""

    low: int = 0
    high: int = 0
    missing: tuple[int, ...] = ()
    late: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        """Return whether the step handed out no row of the survey."""
        return self.high <= self.low and not self.late

    def q(self, field_name: str = "pk") -> Q:
        """Return the condition on a row's id of being in the set."""
        condition = Q(**{f"{field_name}__gt": self.low, f"{field_name}__lte": self.high})
        if self.missing:
            condition &= ~Q(**{f"{field_name}__in": self.missing})
        if self.late:
            condition |= Q(**{f"{field_name}__in": self.late})
        return condition

    def sql(self, column: str) -> tuple[str, list[object]]:
        """Return the condition on a PostgreSQL column of being in the set, with parameters."""
        # Parts that hold nothing are left out: an OR, even with an empty array, can keep the
        # planner from reading the id range alone off an index.
        condition, params = f"{column} > %s AND {column} <= %s", [self.low, self.high]
        if self.missing:
            condition += f" AND NOT ({column} = ANY(%s))"
            params.append(list(self.missing))
        if self.late:
            condition = f"(({condition}) OR {column} = ANY(%s))"
            params.append(list(self.late))
        return f"({condition})", params


@dataclass(frozen=True)
class SequenceStep:
    """The ids one step handed out and the cursor to read from next time."""

    ids: IdSet
    cursor: SequenceCursor


@dataclass(frozen=True)
class Changes:
    """Responses new to a consumer, counted responses that changed since, and the next cursor."""

    added: IdSet
    cursor: FeedCursor
    # Response id -> kinds of change (ResponseChange.Kind), for responses handed out before;
    # a response new in this step is counted as it is now, its changes included.
    changed: Mapping[int, frozenset[str]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        """Return whether nothing is new and nothing counted changed."""
        return self.added.empty and not self.changed

    @property
    def withdrawals(self) -> bool:
        """Return whether a response counted before was withdrawn."""
        return any(ResponseChange.Kind.WITHDRAWN in kinds for kinds in self.changed.values())


def _highest(model: type[Model], watermark: int) -> Subquery:
    """Return the survey's highest id above the watermark, as a subquery (None when none)."""
    rows = model._default_manager.filter(survey_id=OuterRef("pk"), pk__gt=watermark)
    return Subquery(rows.order_by("-pk").values("pk")[:1])


def _step(
    *,
    model: type[Model],
    survey_id: int,
    cursor: SequenceCursor,
    high: int | None,
    now: datetime,
) -> SequenceStep:
    """Advance one sequence to ``high`` (the survey's highest visible id above the watermark)."""
    low = cursor.watermark
    new_high = max(low, high or 0)
    gaps = cursor.gap_ids()
    if new_high == low and not gaps:
        return SequenceStep(ids=IdSet(low=low, high=low), cursor=cursor)
    scan_from = max(low, new_high - GAP_LOOKBACK)
    condition = Q(pk__in=sorted(gaps)) if gaps else Q(pk__in=[])
    if new_high > scan_from:
        condition |= Q(pk__gt=scan_from, pk__lte=new_high)
    # Ids are shared by every survey: an id is a gap only if no survey's row holds it.
    present = dict(model._default_manager.filter(condition).values_list("pk", "survey_id"))
    cutoff = now - GAP_TTL
    kept = [(gap, seen) for gap, seen in cursor.gaps if gap not in present and seen >= cutoff]
    missing = tuple(i for i in range(scan_from + 1, new_high + 1) if i not in present)
    late = tuple(sorted(gap for gap in gaps if present.get(gap) == survey_id))
    return SequenceStep(
        ids=IdSet(low=low, high=new_high, missing=missing, late=late),
        cursor=SequenceCursor(
            watermark=new_high, gaps=tuple(sorted([*kept, *((i, now) for i in missing)]))
        ),
    )


def sequence_read(
    *, model: type[Model], survey_id: int, cursor: SequenceCursor, now: datetime | None = None
) -> SequenceStep:
    """Hand out a survey's rows of a model (with a survey key) not read yet, late ones too."""
    high = (
        model._default_manager.filter(survey_id=survey_id, pk__gt=cursor.watermark)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return _step(
        model=model, survey_id=survey_id, cursor=cursor, high=high, now=now or timezone.now()
    )


def changes_since(
    *, survey_id: int, cursor: FeedCursor | None, now: datetime | None = None
) -> Changes:
    """Hand out the survey's responses new since the cursor and those changed since counted."""
    cursor = cursor or FeedCursor()
    now = now or timezone.now()
    # One statement reads both marks, so they are consistent with each other.
    highs = (
        Survey.objects.filter(pk=survey_id)
        .annotate(
            responses_high=_highest(Response, cursor.responses.watermark),
            changes_high=_highest(ResponseChange, cursor.changes.watermark),
        )
        .values_list("responses_high", "changes_high")
        .first()
    ) or (None, None)
    responses = _step(
        model=Response, survey_id=survey_id, cursor=cursor.responses, high=highs[0], now=now
    )
    changes = _step(
        model=ResponseChange, survey_id=survey_id, cursor=cursor.changes, high=highs[1], now=now
    )
    changed: dict[int, set[str]] = {}
    # Before anything was handed out, no change can concern a counted response.
    if not changes.ids.empty and cursor.responses.watermark:
        watermark, gaps = cursor.responses.watermark, cursor.responses.gap_ids()
        for response_id, kind in ResponseChange.objects.filter(
            changes.ids.q(), survey_id=survey_id
        ).values_list("response_id", "kind"):
            # A response not handed out yet will be counted as it is then, changes included.
            if response_id <= watermark and response_id not in gaps:
                changed.setdefault(response_id, set()).add(kind)
    return Changes(
        added=responses.ids,
        cursor=FeedCursor(responses=responses.cursor, changes=changes.cursor),
        changed={response_id: frozenset(kinds) for response_id, kinds in changed.items()},
    )


def change_record(*, response: Response, kind: str) -> ResponseChange:
    """Log a change to a stored response, inside the transaction that makes it."""
    return ResponseChange.objects.create(
        survey_id=response.survey_id, response_id=response.pk, kind=kind
    )
