"""The subset of responses an analyst looks at: by answers, language, wave and dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import QuerySet

# Dates a filter may name: wide enough for any study, narrow enough that the day after the last
# one is still a date (date.max + 1 day overflows) and a database can compare it.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def filter_dates_problem(*, date_from: dt.date | None, date_to: dt.date | None) -> str:
    """Return what is wrong with a filter's dates in plain English, or an empty string."""
    for name, day in (("from", date_from), ("to", date_to)):
        if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE:
            return f"The {name} date {day} is outside {EARLIEST_DATE}..{LATEST_DATE}."
    if date_from and date_to and date_from > date_to:
        return f"The from date {date_from} is after the to date {date_to}."
    return ""


@dataclass(frozen=True)
class ResponseFilter:
    """Conditions on responses; empty fields do not filter.

    ``answers`` holds (question code, option code) pairs: the callers turn a role (the
    respondent's country, age group, ...) into the code of the question that holds it.
    """

    answers: Mapping[str, str] | tuple[tuple[str, str], ...] = ()
    language: str = ""
    wave: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive

    def __post_init__(self) -> None:
        pairs = self.answers.items() if isinstance(self.answers, Mapping) else self.answers
        # Sorted and without empty values, so that equal filters compare (and store) equal.
        object.__setattr__(
            self, "answers", tuple(sorted((str(c), str(v)) for c, v in pairs if c and v))
        )
        problem = filter_dates_problem(date_from=self.date_from, date_to=self.date_to)
        if problem:
            raise ValueError(problem)

    def is_empty(self) -> bool:
        return (
            not self.answers
            and not self.language
            and self.wave is None
            and not (self.date_from or self.date_to)
        )

    def single_dimension(self) -> tuple[str, str] | None:
        """Return (dimension, value) when exactly one dimension filter and no dates are set."""
        if self.date_from or self.date_to:
            return None
        chosen: list[tuple[str, str]] = list(self.answers)
        if self.language:
            chosen.append(("language", self.language))
        if self.wave is not None:
            chosen.append(("wave", str(self.wave)))
        return chosen[0] if len(chosen) == 1 else None

    def _bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        utc = dt.UTC
        start = (
            dt.datetime.combine(self.date_from, dt.time.min, tzinfo=utc) if self.date_from else None
        )
        end = (
            dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=utc)
            if self.date_to
            else None
        )
        return start, end

    def apply(self, queryset: QuerySet) -> QuerySet:
        """Return the response queryset narrowed to this filter."""
        for code, value in self.answers:
            queryset = queryset.filter(**{f"answers__{code}": value})
        if self.language:
            queryset = queryset.filter(language=self.language)
        if self.wave is not None:
            queryset = queryset.filter(wave=self.wave)
        start, end = self._bounds()
        if start:
            queryset = queryset.filter(submitted_at__gte=start)
        if end:
            queryset = queryset.filter(submitted_at__lt=end)
        return queryset

    def sql(self, alias: str = "r") -> tuple[str, list[object]]:
        """Return an SQL condition (starting with AND, or empty) and its parameters."""
        parts: list[str] = []
        params: list[object] = []
        for code, value in self.answers:
            parts.append(f"{alias}.answers->>%s = %s")
            params += [code, value]
        if self.language:
            parts.append(f"{alias}.language = %s")
            params.append(self.language)
        if self.wave is not None:
            parts.append(f"{alias}.wave = %s")
            params.append(self.wave)
        start, end = self._bounds()
        if start:
            parts.append(f"{alias}.submitted_at >= %s")
            params.append(start)
        if end:
            parts.append(f"{alias}.submitted_at < %s")
            params.append(end)
        return "".join(f" AND {part}" for part in parts), params

    def as_dict(self) -> dict[str, object]:
        """Return the filter as JSON-ready values, e.g. to store with an export job."""
        return {
            "answers": dict(self.answers),
            "language": self.language,
            "wave": self.wave,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ResponseFilter:
        """Return the filter stored by as_dict."""

        def day(value: object) -> dt.date | None:
            return dt.date.fromisoformat(str(value)) if value else None

        wave = data.get("wave")
        return cls(
            answers=dict(data.get("answers") or {}),
            language=str(data.get("language") or ""),
            wave=int(wave) if wave not in (None, "") else None,
            date_from=day(data.get("date_from")),
            date_to=day(data.get("date_to")),
        )
