"""Where a consumer of the change feed stands: frozen, typed, stored as versioned JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q

CURSOR_VERSION = 1


@dataclass(frozen=True)
class SequenceCursor:
    """How far one id sequence was read: every id up to the watermark except the gaps.

    A gap is an id at or below the watermark that no reader could see yet (its transaction
    had not committed, or rolled back), kept with the moment it was first missed.
    """

    watermark: int = 0
    gaps: tuple[tuple[int, datetime], ...] = ()

    def gap_ids(self) -> frozenset[int]:
        """Return the ids of the gaps."""
        return frozenset(gap for gap, _ in self.gaps)

    def delivered_q(self, field_name: str = "pk") -> Q:
        """Return the condition on a row's id of having been handed out already."""
        condition = Q(**{f"{field_name}__lte": self.watermark})
        if self.gaps:
            condition &= ~Q(**{f"{field_name}__in": sorted(self.gap_ids())})
        return condition

    def to_json(self) -> dict[str, Any]:
        """Return the cursor as JSON-ready data."""
        return {
            "watermark": self.watermark,
            "gaps": {str(gap): seen.isoformat() for gap, seen in self.gaps},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SequenceCursor:
        """Read a cursor stored by to_json."""
        return cls(
            watermark=int(data.get("watermark", 0)),
            gaps=gaps_from_json(data=data.get("gaps", {})),
        )


def gaps_from_json(*, data: dict[str, str]) -> tuple[tuple[int, datetime], ...]:
    """Read gaps stored as {"<id>": "<ISO moment first missed>"}."""
    return tuple(sorted((int(gap), datetime.fromisoformat(seen)) for gap, seen in data.items()))


@dataclass(frozen=True)
class FeedCursor:
    """Where a consumer stands in a survey's responses and in the log of their changes."""

    responses: SequenceCursor = field(default_factory=SequenceCursor)
    changes: SequenceCursor = field(default_factory=SequenceCursor)

    def to_json(self) -> dict[str, Any]:
        """Return the cursor as JSON-ready data, with the version of its shape."""
        return {
            "version": CURSOR_VERSION,
            "responses": self.responses.to_json(),
            "changes": self.changes.to_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeedCursor:
        """Read a cursor stored by to_json."""
        version = data.get("version")
        if version != CURSOR_VERSION:
            raise ValueError(f"unknown change feed cursor version {version!r}")
        return cls(
            responses=SequenceCursor.from_json(data["responses"]),
            changes=SequenceCursor.from_json(data["changes"]),
        )
