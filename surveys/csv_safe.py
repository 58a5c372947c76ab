"""CSV that opens cleanly in Excel, pandas and R, and whose cells never become formulas."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import IO, Any

BOM = "\ufeff"
# OWASP CSV injection: a spreadsheet treats cells starting with these as formulas.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DELIMITERS = (",", ";")


def neutralize(value: Any) -> Any:
    """Return the value with a leading quote if it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    """Return a row whose text cells are neutralized; numbers stay numbers."""
    return [neutralize(cell) for cell in row]


class _Echo:
    """A file-like object that hands back what is written, for streaming responses."""

    def write(self, value: str) -> str:
        return value


def csv_writer(stream: IO[str], *, delimiter: str = ",", bom: bool = True) -> Any:
    """Return a csv.writer with RFC 4180 quoting, writing the BOM first when asked."""
    if delimiter not in DELIMITERS:
        raise ValueError(f"delimiter must be one of {DELIMITERS}")
    if bom:
        stream.write(BOM)
    return csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")


def csv_lines(
    rows: Iterable[Iterable[Any]], *, delimiter: str = ",", bom: bool = True
) -> Iterator[str]:
    """Yield CSV text line by line (header first) for a StreamingHttpResponse."""
    if delimiter not in DELIMITERS:
        raise ValueError(f"delimiter must be one of {DELIMITERS}")
    if bom:
        yield BOM
    writer = csv.writer(_Echo(), delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        yield writer.writerow(safe_row(row))
