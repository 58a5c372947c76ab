"""The subset of responses an analyst looks at: by country, age group, language, wave, dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from django.db.models import QuerySet

# Filters that are also crosstab dimensions: one of them alone reads the aggregate tables.
DIMENSION_FILTERS = ("country", "age_group", "language", "wave")


@dataclass(frozen=True)
class ResponseFilter:
    """Conditions on responses; empty fields do not filter."""

    country: str = ""
    age_group: str = ""
    language: str = ""
    wave: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) in ("", None) for f in fields(self))

    def single_dimension(self) -> tuple[str, str] | None:
        """Return (dimension, value) when exactly one dimension filter and no dates are set."""
        if self.date_from or self.date_to:
            return None
        chosen = [
            (name, getattr(self, name))
            for name in DIMENSION_FILTERS
            if getattr(self, name) not in ("", None)
        ]
        if len(chosen) != 1:
            return None
        name, value = chosen[0]
        return name, str(value)

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
        if self.country:
            queryset = queryset.filter(answers__country=self.country)
        if self.age_group:
            queryset = queryset.filter(answers__age_group=self.age_group)
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
        if self.country:
            parts.append(f"{alias}.answers->>'country' = %s")
            params.append(self.country)
        if self.age_group:
            parts.append(f"{alias}.answers->>'age_group' = %s")
            params.append(self.age_group)
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
            "country": self.country,
            "age_group": self.age_group,
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
            country=str(data.get("country") or ""),
            age_group=str(data.get("age_group") or ""),
            language=str(data.get("language") or ""),
            wave=int(wave) if wave not in (None, "") else None,
            date_from=day(data.get("date_from")),
            date_to=day(data.get("date_to")),
        )
