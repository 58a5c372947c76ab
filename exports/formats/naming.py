"""Variable names and labels within what SPSS and Stata accept, and the mapping kept."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import Any

from estimates.margins.weights import WEIGHT_COLUMNS
from exports.formats.labelled import LabelledData

ELLIPSIS = "…"
NOTE_LINE = 80  # SPSS keeps its notes ("documents") as lines of 80 bytes


@dataclass(frozen=True)
class Rules:
    """A file format's limits on names and labels."""

    name_length: int
    label_length: int  # of a variable label
    value_length: int  # of a value label
    in_bytes: bool  # lengths count UTF-8 bytes (SPSS), not characters (Stata)
    reserved: frozenset[str]  # lower case


# SPSS 14+: names up to 64 bytes, variable labels 256 bytes, value labels 120 bytes.
SPSS = Rules(
    64,
    256,
    120,
    True,
    frozenset({"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"}),
)
# Stata 14+ (format 118, UTF-8): names 32, variable labels 80 characters.
STATA = Rules(
    32,
    80,
    32_000,
    False,
    frozenset({"byte", "double", "float", "if", "in", "int", "long", "strl", "using", "with"}),
)


def fit(text: str, limit: int, *, in_bytes: bool) -> str:
    """Return the text cut to the limit, ending in an ellipsis when cut."""

    def size(value: str) -> int:
        return len(value.encode()) if in_bytes else len(value)

    if size(text) <= limit:
        return text
    while text and size(text + ELLIPSIS) > limit:
        text = text[:-1]  # whole characters: a Kazakh letter is never split
    return text + ELLIPSIS


def labelled(prefix: str, label: str, limit: int, *, in_bytes: bool) -> str:
    """Return "prefix: label", shortening the prefix first so that the label survives."""
    if not prefix:
        return fit(label, limit, in_bytes=in_bytes)
    ending = f": {label}"
    room = limit - (len(ending.encode()) if in_bytes else len(ending))
    if room < 8:
        return fit(label, limit, in_bytes=in_bytes)
    return fit(prefix, room, in_bytes=in_bytes) + ending


def safe_names(headers: list[str], rules: Rules) -> list[str]:
    """Return valid, unique (ignoring case) variable names for the columns, in order."""
    taken: set[str] = set()
    names = []
    for header in headers:
        base = re.sub(r"[^A-Za-z0-9_]", "_", header)
        if not re.match(r"[A-Za-z]", base):  # SPSS names start with a letter
            base = "v" + base
        if base.lower() in rules.reserved:
            base += "_"
        name, number = base[: rules.name_length], 1
        while name.lower() in taken:
            number += 1
            suffix = f"_{number}"
            name = base[: rules.name_length - len(suffix)] + suffix
        taken.add(name.lower())
        names.append(name)
    return names


@dataclass(frozen=True)
class Prepared:
    """What pyreadstat needs: the renamed frame, its labels and the notes."""

    frame: Any
    column_labels: dict[str, str]
    value_labels: dict[str, dict[float, str]]
    formats: dict[str, str]
    notes: list[str]


def prepared(data: LabelledData, rules: Rules, *, integer_format: str) -> Prepared:
    """Rename the columns for the format and fit every label to its limits."""
    headers = [variable.header for variable in data.variables]
    names = safe_names(headers, rules)
    limit, in_bytes = rules.label_length, rules.in_bytes
    column_labels, value_labels, formats, renamed = {}, {}, {}, []
    for name, variable in zip(names, data.variables, strict=True):
        if name != variable.header:
            # The CSV column's name leads the label, so that the two files can be matched.
            renamed.append(f"{name} = {variable.header}")
            label = labelled(variable.header, variable.label, limit, in_bytes=in_bytes)
        else:
            label = labelled(variable.prefix, variable.label, limit, in_bytes=in_bytes)
        column_labels[name] = label
        if variable.values:
            value_labels[name] = {
                float(number): fit(text, rules.value_length, in_bytes=in_bytes)
                for number, text in variable.values.items()
            }
        if variable.kind in {"number", "single"} and variable.header not in WEIGHT_COLUMNS:
            formats[name] = integer_format
    frame = data.frame.set_axis(names, axis="columns")
    notes = [*data.notes]
    if renamed:
        notes.append("Variables renamed from the CSV columns: " + "; ".join(renamed))
    lines = [
        fit(line, NOTE_LINE, in_bytes=True)
        for note in notes
        for line in textwrap.wrap(note, NOTE_LINE, break_on_hyphens=False)
    ]
    return Prepared(frame, column_labels, value_labels, formats, lines)
