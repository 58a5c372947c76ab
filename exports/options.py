"""What an export covers and how its CSV is written, shared by every kind of export.

Every export is a stream of bytes (UTF-8, a BOM first unless asked not to) written by the
``csv`` module through ``surveys.csv_safe``, so quoting follows RFC 4180 and any text cell
that a spreadsheet would run as a formula is neutralized; numbers stay numbers.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from aggregates.filters import ResponseFilter
from surveys.csv_safe import DELIMITERS, csv_writer, neutralize
from surveys.http import file_stem
from surveys.models import Response, Survey

# "paradata": seconds per page, language switches and device class, one row per response and
# page (exports/rows/paradata.py).
KINDS = ("responses", "long", "aggregates", "crosstabs", "codebook", "paradata")
# The ones that grow with the number of responses.
ROW_KINDS = ("responses", "long", "paradata")
LABELS = ("codes", *(code for code, _name in settings.LANGUAGES))
FORMATS = ("csv", "xlsx", "sav", "dta")
# SPSS and Stata files hold one table of typed, labelled variables: the wide responses.
LABELLED_FORMATS = ("sav", "dta")
OTHER_TEXT = "__other_text"
CHUNK_BYTES = 64 * 1024
PROGRESS_EVERY = 5_000
ITERATOR_CHUNK = 2_000
SLUG = re.compile(r"^[-A-Za-z0-9_]+$")

META_COLUMNS = (
    "response_id",
    "submitted_at",
    "language",
    "duration_seconds",
    "wave",
    "recruiter_id",
    "seed_id",
    "network_size",
    "quality_flags",
)

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExportOptions:
    """What to export, in which file format, and how a CSV is written."""

    kind: str
    labels: str = "codes"
    delimiter: str = ","
    bom: bool = True
    filters: ResponseFilter = field(default_factory=ResponseFilter)
    format: str = "csv"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        if self.labels not in LABELS:
            raise ValueError(f"labels must be one of {LABELS}")
        if self.delimiter not in DELIMITERS:
            raise ValueError(f"delimiter must be one of {DELIMITERS}")
        if self.format not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}")
        if self.format in LABELLED_FORMATS and self.kind != "responses":
            raise ValueError(f"a {self.format} file holds the responses export only")

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "labels": self.labels,
            "delimiter": self.delimiter,
            "bom": self.bom,
            "filters": self.filters.as_dict(),
            "format": self.format,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExportOptions:
        return cls(
            kind=data["kind"],
            labels=data.get("labels", "codes"),
            delimiter=data.get("delimiter", ","),
            bom=bool(data.get("bom", True)),
            filters=ResponseFilter.from_dict(data.get("filters") or {}),
            format=data.get("format", "csv"),
        )


def export_filename(*, survey: Survey, kind: str, when: dt.datetime, extension: str = "csv") -> str:
    """Return the download's file name, made on the server from the survey and the time."""
    return f"{file_stem(survey=survey)}-{kind}-{when.astimezone(dt.UTC):%Y%m%d-%H%M}.{extension}"


def export_responses(*, survey: Survey, options: ExportOptions) -> QuerySet[Response]:
    """Return the queryset of the responses an export covers."""
    queryset = Response.objects.filter(survey=survey, withdrawn_at__isnull=True)
    return options.filters.apply(queryset)


def export_size(*, survey: Survey, options: ExportOptions) -> int:
    """Return how many responses a row export covers (0 for the small table exports)."""
    if options.kind not in ROW_KINDS:
        return 0
    return export_responses(survey=survey, options=options).count()


def encoded(rows: Iterable[list[Any]], options: ExportOptions) -> Iterator[bytes]:
    """Write rows (already neutralized) with the csv module, in chunks of bytes."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, delimiter=options.delimiter, bom=False)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def with_progress(rows: Iterable[Any], progress: Progress | None) -> Iterator[Any]:
    """Yield the rows, telling progress how many were done every PROGRESS_EVERY and at the end."""
    done = 0
    for row in rows:
        yield row
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
    if progress is not None:
        progress(done)


def header_row(columns: Iterable[str]) -> list[str]:
    """Return a header row with every column name neutralized."""
    return [neutralize(column) for column in columns]


def option_label(option: Any, labels: str) -> str:
    """Return an option's label in a language, the English one when it has none."""
    return getattr(option, f"label_{labels}") or option.label_en
