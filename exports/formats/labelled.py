"""The wide responses as one typed, labelled data frame, for the SPSS and Stata writers.

The values come from the same rows as the responses CSV (``wide_rows`` with codes), so the
files hold the same respondents and the same answers; only the types and labels are added:
single choices become integer codes 1..k in questionnaire order with the options' labels as
value labels, ticks stay 0/1, numbers are numbers and the submission time a datetime. Text
cells keep the CSV's neutralization, so a file passed on to a spreadsheet stays safe.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext as _

from aggregates.selectors import survey_questions
from estimates.margins.weights import WEIGHT_COLUMNS
from exports.options import META_COLUMNS, ExportOptions, Progress, option_label
from exports.rows.codebook import _meta_descriptions, weight_descriptions
from exports.rows.not_asked import NOT_ASKED, NOT_ASKED_LABEL, not_asked_ids
from exports.rows.wide import WideColumn, wide_columns, wide_rows
from surveys.csv_safe import neutralize
from surveys.models import Question, Survey

if TYPE_CHECKING:
    import pandas as pd

# pandas is imported where a file is written: every process (web, worker, a CSV export) loads
# this module with the apps, and pandas alone is some 40 MB of resident memory.

# How each metadata column of the wide export is typed in a statistics file, in their order.
META_KINDS = dict(
    zip(
        META_COLUMNS,
        (
            "number",
            "datetime",
            "string",
            "number",
            "number",
            "number",
            "number",
            "number",
            "string",
        ),
        strict=True,
    )
)
KIND_OF = {
    "single": "single",
    "tick": "number",
    "integer": "number",
    "decimal": "number",
    "text": "string",
}


@dataclass(frozen=True)
class Variable:
    """One column of the file: where it comes from, its type and its labels."""

    header: str  # the column of the responses CSV
    kind: str  # number, single, string, datetime
    label: str
    prefix: str = ""  # a multiple choice's question text, put before its option's label
    values: dict[int, str] = dataclasses.field(default_factory=dict)
    codes: dict[int, str] = dataclasses.field(default_factory=dict)  # value -> option code
    not_asked: bool = False  # holds NOT_ASKED where the question's condition skipped it


@dataclass(frozen=True)
class LabelledData:
    """The typed responses with their variables, in column order."""

    frame: pd.DataFrame
    variables: list[Variable]
    notes: list[str]


def _text(question: Question, language: str) -> str:
    if language == "codes":
        return question.code
    return getattr(question, f"text_{language}") or question.text_en


def _variable(column: WideColumn, question: Question, language: str) -> Variable:
    text = _text(question, language)
    options = list(question.options.all())
    if column.kind == "single":
        values = {
            number: option.code if language == "codes" else option_label(option, language)
            for number, option in enumerate(options, start=1)
        }
        codes = {number: option.code for number, option in enumerate(options, start=1)}
        return Variable(column.header, "single", text, values=values, codes=codes)
    if column.kind == "tick":
        option = next(o for o in options if o.code == column.option)
        label = option.code if language == "codes" else option_label(option, language)
        return Variable(column.header, "number", label, prefix=text)
    if column.kind == "other":
        if language == "codes":
            return Variable(column.header, "string", column.header)
        other = next(o for o in options if o.is_other)
        with translation.override(language):
            label = _("%(option)s (text)") % {"option": option_label(other, language)}
        return Variable(column.header, "string", label, prefix=text)
    return Variable(column.header, KIND_OF[column.kind], text)


def _meta_variables(language: str) -> list[Variable]:
    if language == "codes":
        return [Variable(name, META_KINDS[name], name) for name in META_COLUMNS]
    with translation.override(language):
        descriptions = _meta_descriptions()
    return [Variable(name, META_KINDS[name], descriptions[name]) for name in META_COLUMNS]


def _single(series: pd.Series, variable: Variable) -> tuple[pd.Series, Variable]:
    """Return the integer codes of a single choice, adding any code the questionnaire lacks."""
    numbers = {code: number for number, code in variable.codes.items()}
    # wide_rows neutralizes cells: a code that starts like a formula arrives quoted.
    numbers |= {neutralize(code): number for code, number in list(numbers.items())}
    values, codes = dict(variable.values), dict(variable.codes)
    for cell in series.dropna().unique():
        if cell not in numbers:  # an answer stored before an option was removed
            number = max(codes, default=0) + 1
            numbers[cell] = number
            values[number] = codes[number] = str(cell)
    mapped = series.map(numbers).astype("float64")
    return mapped, dataclasses.replace(variable, values=values, codes=codes)


def _typed(series: pd.Series, variable: Variable) -> tuple[pd.Series, Variable]:
    import pandas as pd

    if variable.kind == "single":
        return _single(series, variable)
    if variable.kind == "number":
        return pd.to_numeric(series, errors="coerce").astype("float64"), variable
    if variable.kind == "datetime":
        return pd.to_datetime(series, format="%Y-%m-%dT%H:%M:%SZ", errors="coerce"), variable
    return series.fillna("").astype(str), variable


def labelled_data(
    *, survey: Survey, options: ExportOptions, progress: Progress | None = None
) -> LabelledData:
    """Return the responses export as a typed frame with labels in the options' language."""
    import pandas as pd

    language = options.labels
    questions = survey_questions(survey=survey)
    by_code = {question.code: question for question in questions}
    columns = wide_columns(survey, questions, "codes")
    variables = [
        *_meta_variables(language),
        *(_variable(column, by_code[column.question], language) for column in columns),
        *_weight_variables(language),
    ]
    question_of = {column.header: column.question for column in columns}
    rows = wide_rows(survey, dataclasses.replace(options, labels="codes"), progress)
    next(rows)  # the header: the variables name the columns
    frame = pd.DataFrame.from_records(list(rows), columns=range(len(variables)))
    headers = [variable.header for variable in variables]
    typed: dict[int, pd.Series] = {}
    for index, variable in enumerate(variables):
        typed[index], variables[index] = _typed(frame[index], variable)
    notes = ["Single choices are coded 1..k in questionnaire order; the option codes are:"] + [
        f"{v.header}: " + ", ".join(f"{n}={code}" for n, code in v.codes.items())
        for v in variables
        if v.kind == "single"
    ]
    _mark_not_asked(typed, variables, question_of, not_asked_ids(survey=survey, options=options))
    data = pd.DataFrame(typed)
    data.columns = headers
    return LabelledData(frame=data, variables=variables, notes=notes)


def _mark_not_asked(
    typed: dict[int, pd.Series],
    variables: list[Variable],
    question_of: dict[str, str],
    skipped: dict[str, set[int]],
) -> None:
    """Put NOT_ASKED in the numeric cells of respondents a question's condition skipped."""
    if not skipped:
        return
    ids = typed[0]  # response_id leads every row
    for index, variable in enumerate(variables):
        code = question_of.get(variable.header)
        if code not in skipped or variable.kind not in {"number", "single"}:
            continue
        typed[index] = typed[index].mask(ids.isin(skipped[code]), NOT_ASKED)
        values = {**variable.values, int(NOT_ASKED): str(NOT_ASKED_LABEL)}
        variables[index] = dataclasses.replace(variable, values=values, not_asked=True)


def _weight_variables(language: str) -> list[Variable]:
    if language == "codes":
        return [Variable(name, "number", name) for name in WEIGHT_COLUMNS]
    with translation.override(language):
        descriptions = weight_descriptions()
    return [Variable(name, "number", descriptions[name]) for name in WEIGHT_COLUMNS]
