"""The responses as SPSS (.sav) and Stata (.dta) files with variable and value labels."""

from __future__ import annotations

from pathlib import Path

from exports.formats.labelled import LabelledData
from exports.formats.naming import SPSS, STATA, fit, prepared
from exports.rows.not_asked import NOT_ASKED, STATA_NOT_ASKED

# Version 14 writes format 118, the first whose strings and labels are UTF-8 (older formats
# are Latin-1 and would lose every Cyrillic and Kazakh letter); pyreadstat's default, 15,
# writes 119, which Stata 14 cannot open.
STATA_VERSION = 14


def write_statistics_file(*, data: LabelledData, path: Path, title: str, file_format: str) -> None:
    """Write the labelled responses as an SPSS system file or a Stata dataset."""
    # Imported here: it loads pandas, which every process would otherwise hold (some 45 MB).
    import pyreadstat

    spss = file_format == "sav"
    ready = prepared(data, SPSS if spss else STATA, integer_format="F12.0" if spss else "%12.0g")
    labels = {
        "column_labels": ready.column_labels,
        "variable_value_labels": ready.value_labels,
        "variable_format": ready.formats,
    }
    skipped = [
        name
        for name, variable in zip(ready.frame.columns, data.variables, strict=True)
        if variable.not_asked
    ]
    if spss:
        file_label = fit(title, 64, in_bytes=True)
        missing = {name: [NOT_ASKED] for name in skipped}
        pyreadstat.write_sav(
            ready.frame,
            path,
            file_label=file_label,
            note=ready.notes,
            missing_ranges=missing,
            **labels,
        )
    else:
        # pyreadstat writes no notes to .dta: the renamed columns lead their variable labels.
        # Not asked is Stata's extended missing value .a; its value label stays in the codebook.
        frame = ready.frame.copy()
        for name in skipped:
            column = frame[name].astype(object)
            frame[name] = column.mask(column == NOT_ASKED, STATA_NOT_ASKED)
            ready.value_labels[name].pop(NOT_ASKED, None)
        file_label = fit(title, 80, in_bytes=False)
        pyreadstat.write_dta(
            frame,
            path,
            file_label=file_label,
            version=STATA_VERSION,
            missing_user_values={name: [STATA_NOT_ASKED] for name in skipped},
            **labels,
        )
