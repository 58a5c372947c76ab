"""Margins read from a CSV file with the columns question, option, share."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import Truncator
from django.utils.translation import gettext as _

COLUMNS = ("question", "option", "share")


@dataclass(frozen=True)
class MarginRow:
    """One entered population share, with the line of the file it came from, if any."""

    question: str
    option: str
    share: float
    line: int | None = None


def _share(text: str, line: int) -> float:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        value = math.nan
    if math.isnan(value) or math.isinf(value):
        raise ValidationError(
            _("Line %(line)s: the share “%(share)s” is not a number."),
            code="share_not_a_number",
            params={"line": line, "share": Truncator(text).chars(40)},
        )
    return value


def _lines(reader: Any, errors: list[ValidationError]) -> Iterator[tuple[int, list[str]]]:
    """Yield the line number and cells of each line; a cell the csv module refuses ends it."""
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error:
        # The only refusal of a reader over text: a cell beyond csv.field_size_limit().
        errors.append(
            ValidationError(
                _("Line %(line)s: a cell is too large (limit %(limit)s characters)."),
                code="cell_too_large",
                params={"line": reader.line_num, "limit": csv.field_size_limit()},
            )
        )


def margins_read(*, text: str) -> list[MarginRow]:
    """Return the rows of a margins CSV (comma or semicolon, optional BOM); raise on bad lines."""
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [cell.strip().lower() for cell in next(reader, [])]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise ValidationError(
            _("Line 1: the header must name the columns question, option and share."),
            code="bad_header",
        )
    at = {column: header.index(column) for column in COLUMNS}
    rows: list[MarginRow] = []
    errors: list[ValidationError] = []
    for line, cells in _lines(reader, errors):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < len(header):
            errors.append(
                ValidationError(
                    _("Line %(line)s: expected %(expected)s cells, found %(found)s."),
                    code="short_line",
                    params={"line": line, "expected": len(header), "found": len(cells)},
                )
            )
            continue
        try:
            share = _share(cells[at["share"]], line)
        except ValidationError as error:
            errors.append(error)
            continue
        rows.append(
            MarginRow(cells[at["question"]].strip(), cells[at["option"]].strip(), share, line)
        )
    if errors:
        raise ValidationError(errors)
    return rows
