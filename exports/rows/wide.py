"""The wide export: one row per response, one column per single answer, option or text.

On PostgreSQL it is one ``COPY (SELECT …) TO STDOUT WITH (FORMAT csv)`` whose SELECT already
produces the final cells (labels, 0/1 columns, neutralized text), so the export costs about what
``COPY`` costs and memory stays flat. Elsewhere the rows are built in Python from an iterator.
Both paths write the same bytes for the same data. The last three columns are the respondent's
weights (``estimates.margins.weights``), computed with numpy before the rows stream and joined
by response id: in the SELECT on PostgreSQL (``exports.rows.wide_weights``), in Python elsewhere.
When RDS-II is the only weight set, the SELECT computes it from its two terms instead.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from aggregates.selectors import survey_questions
from estimates.margins.weights import (
    WEIGHT_COLUMNS,
    RDS2Terms,
    WeightTable,
    rds2_terms,
    weight_table,
)
from exports.options import (
    CHUNK_BYTES,
    ITERATOR_CHUNK,
    META_COLUMNS,
    OTHER_TEXT,
    PROGRESS_EVERY,
    SLUG,
    ExportOptions,
    Progress,
    encoded,
    header_row,
    option_label,
    with_progress,
)
from exports.rows.wide_weights import WEIGHTS_TABLE, weight_text_sql, weights_drop, weights_upload
from surveys.csv_safe import FORMULA_TRIGGERS, neutralize
from surveys.models import Question, QuestionKind, QuestionRole, Response, Survey

# A withdrawn response is a tombstone: its row stays, so that its recruits' recruiter_id
# resolves, with its wave, recruiter and seed link, this in quality_flags and every other
# cell empty (its answers were erased).
WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class WideColumn:
    header: str
    kind: str  # single, tick, integer, decimal, text, other
    question: str
    option: str = ""
    display: dict[str, str] = field(default_factory=dict)  # option code -> cell


def wide_columns(survey: Survey, questions: list[Question], labels: str) -> list[WideColumn]:
    columns: list[WideColumn] = []
    for question in questions:
        code = question.code
        if not SLUG.match(code):
            raise ValueError(f"question code {code!r} is not a slug")
        if question.role == QuestionRole.NETWORK_SIZE:
            continue  # already there as the network_size column
        header = code if code not in META_COLUMNS else f"answer__{code}"
        options = list(question.options.all())
        for option in options:
            if not SLUG.match(option.code):
                raise ValueError(f"option code {option.code!r} is not a slug")
        if question.kind == QuestionKind.SINGLE:
            display = (
                {o.code: neutralize(option_label(o, labels)) for o in options}
                if labels != "codes"
                else {}
            )
            columns.append(WideColumn(header, "single", code, display=display))
        elif question.kind == QuestionKind.MULTIPLE:
            columns += [WideColumn(f"{code}__{o.code}", "tick", code, o.code) for o in options]
        elif question.kind == QuestionKind.INTEGER:
            columns.append(WideColumn(header, "integer", code))
        elif question.kind == QuestionKind.DECIMAL:
            columns.append(WideColumn(header, "decimal", code))
        elif question.kind == QuestionKind.NOTE:
            continue  # a note shows a text and takes no answer
        else:
            columns.append(WideColumn(header, "text", code))
        if any(o.is_other for o in options):
            columns.append(WideColumn(f"{code}{OTHER_TEXT}", "other", code))
    return columns


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: Any) -> str | None:
    return neutralize(value) if isinstance(value, str) else None


def _wide_cell(column: WideColumn, answers: dict[str, Any], other_texts: dict[str, Any]) -> Any:
    value = answers.get(column.question)
    if column.kind == "single":
        if not isinstance(value, str):
            return None
        return column.display.get(value, neutralize(value))
    if column.kind == "tick":
        return int(column.option in value) if isinstance(value, list) else None
    if column.kind == "integer":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if column.kind == "decimal":
        return value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if column.kind == "text":
        return _text(value)
    return _text(other_texts.get(column.question))


class _Weights:
    """Each response's weight cells, looked up in ascending id order as the rows arrive."""

    def __init__(self, table: WeightTable) -> None:
        self.ids = table.ids
        self.weights = table.weights
        self.at = 0
        self.empty = [None] * len(WEIGHT_COLUMNS)

    def cells(self, pk: int) -> list[float | None]:
        # The rows come in id order, as the table: one forward walk, no search per row.
        while self.at < len(self.ids) and self.ids[self.at] < pk:
            self.at += 1
        if self.at == len(self.ids) or self.ids[self.at] != pk:
            return self.empty
        return [None if math.isnan(w) else float(w) for w in self.weights[self.at]]


def wide_header(columns: list[WideColumn]) -> list[str]:
    """Return the wide export's header: metadata, answers, then the weights."""
    return header_row([*META_COLUMNS, *(column.header for column in columns), *WEIGHT_COLUMNS])


def wide_responses(*, survey: Survey, options: ExportOptions) -> QuerySet[Response]:
    """Return the responses of the wide export: the filtered ones and the tombstones."""
    return options.filters.apply(Response.objects.filter(survey=survey))


def wide_rows(
    survey: Survey, options: ExportOptions, progress: Progress | None
) -> Iterator[list[Any]]:
    columns = wide_columns(survey, survey_questions(survey=survey), options.labels)
    yield wide_header(columns)
    weights = _Weights(weight_table(survey=survey))
    rows = (
        wide_responses(survey=survey, options=options)
        .order_by("id")
        .values_list(
            "id",
            "submitted_at",
            "started_at",
            "language",
            "wave",
            "recruiter_id",
            "seed_link_id",
            "network_size",
            "quality_flags",
            "answers",
            "other_texts",
            "withdrawn_at",
        )
        .iterator(ITERATOR_CHUNK)
    )
    for (
        pk,
        submitted_at,
        started_at,
        language,
        wave,
        recruiter_id,
        seed_id,
        network_size,
        flags,
        answers,
        other_texts,
        withdrawn_at,
    ) in with_progress(rows, progress):
        flag_text = "|".join(str(flag) for flag in flags) if isinstance(flags, list) else ""
        withdrawn = withdrawn_at is not None
        yield [
            pk,
            _timestamp(submitted_at),
            _text(language),
            None if withdrawn else int((submitted_at - started_at).total_seconds()),
            wave,
            recruiter_id,
            seed_id,
            network_size,
            _text(WITHDRAWN if withdrawn else flag_text),
            *(_wide_cell(column, answers, other_texts) for column in columns),
            *weights.cells(pk),
        ]


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# Each trigger is one character: a text starts with one when its first code point is one of
# these (ascii() gives that code point as an integer, 0 for ''), a cheaper test per cell than
# comparing left(text, 1) with each trigger as text.
_TRIGGERS_SQL = ", ".join(str(ord(trigger)) for trigger in FORMULA_TRIGGERS)


# What a JSON number or boolean reads as through ->> (5 as "5", true as "true"): an option code
# of that form could be met by a value that is not a string.
_NOT_A_STRING = re.compile(r"-?[0-9]+|true|false")


def _any_read_as(codes: dict[str, str]) -> bool:
    return any(_NOT_A_STRING.fullmatch(code) for code in codes)


def _neutral_sql(expression: str) -> str:
    """Return SQL that neutralizes a text expression and writes '' as an empty cell."""
    return (
        f"NULLIF(CASE WHEN ascii({expression}) IN ({_TRIGGERS_SQL}) "
        f"THEN '''' || {expression} ELSE {expression} END, '')"
    )


def _weights_sql(terms: RDS2Terms | None) -> tuple[list[str], list[Any], list[str], str]:
    """Return the weights' inner and outer columns, the inner ones' parameters, and the join."""
    if terms is None:  # the weights table uploaded from weight_table
        weights = range(len(WEIGHT_COLUMNS))
        return (
            # Each weight's text once, for the few tests on it in the outer SELECT.
            [f"w.w{n} AS w{n}, w.w{n}::text AS wt{n}, w.t{n} AS t{n}" for n in weights],
            [],
            [weight_text_sql(value=f"v.w{n}", text=f"v.wt{n}", written=f"v.t{n}") for n in weights],
            f"LEFT JOIN pg_temp.{WEIGHTS_TABLE} w ON w.id = r.id ",
        )
    # weight_rds2 computed here, and below 1e15 (at most the largest network size): no text
    # from Python, no NaN. The other weight sets are empty.
    rds2, params = terms.sql(response="r")
    rds2_at = WEIGHT_COLUMNS.index("weight_rds2")
    outer = ["NULL"] * len(WEIGHT_COLUMNS)
    outer[rds2_at] = weight_text_sql(text="v.rds2")
    return [f"({rds2})::text AS rds2"], params, outer, ""


def wide_sql(
    *, survey: Survey, options: ExportOptions, terms: RDS2Terms | None = None
) -> tuple[str, list[Any], list[str]]:
    """Return the PostgreSQL SELECT of the wide export, its parameters and its header.

    The weights come from the temporary weights table, or from ``terms`` when given.
    """
    columns = wide_columns(survey, survey_questions(survey=survey), options.labels)
    weight_inner, weight_params, weight_outer, join = _weights_sql(terms)
    inner = [
        "r.id",
        "r.submitted_at",
        "r.started_at",
        "r.language",
        "r.wave",
        "r.recruiter_id",
        "r.seed_link_id",
        "r.network_size",
        "r.withdrawn_at IS NOT NULL AS withdrawn",
        "r.answers",
        # Most responses have no flag: skip the subquery for them.
        f"CASE WHEN r.withdrawn_at IS NOT NULL THEN {_literal(WITHDRAWN)} "
        "WHEN r.quality_flags = '[]'::jsonb THEN NULL "
        "WHEN jsonb_typeof(r.quality_flags) = 'array' THEN array_to_string(ARRAY("
        "SELECT jsonb_array_elements_text(r.quality_flags)), '|') END AS flags",
    ]
    outer = [
        "v.id",
        "to_char(v.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
        _neutral_sql("v.language"),
        "CASE WHEN NOT v.withdrawn "
        "THEN trunc(extract(epoch FROM (v.submitted_at - v.started_at)))::bigint END",
        "v.wave",
        "v.recruiter_id",
        "v.seed_link_id",
        "v.network_size",
        _neutral_sql("v.flags"),
    ]
    params: list[Any] = []
    ticked: dict[str, str] = {}
    for index, column in enumerate(columns):
        alias = f"c{index}"
        key = _literal(column.question)
        if column.kind == "single" and column.display and not _any_read_as(column.display):
            # One extraction, one lookup in a code -> label object: a value found there was a
            # string (no other JSON value reads as a code here), so only a value not found
            # there (rare: an old or unknown code) has its JSON type tested.
            inner.append(f"r.answers ->> {key} AS {alias}")
            params.append(json.dumps(column.display, ensure_ascii=False))
            string = f"jsonb_typeof(v.answers -> {key}) = 'string'"
            cell = (
                f"COALESCE(%s::jsonb ->> v.{alias}, "
                f"CASE WHEN {string} THEN {_neutral_sql('v.' + alias)} END)"
            )
            # A label is never '' here unless an editor left one empty: only then is the
            # label's '' turned into an empty cell (the other branch does it already).
            outer.append(cell if all(column.display.values()) else f"NULLIF({cell}, '')")
        elif column.kind == "single":
            inner.append(
                f"CASE WHEN jsonb_typeof(r.answers -> {key}) = 'string' "
                f"THEN r.answers ->> {key} END AS {alias}"
            )
            if column.display:
                params.append(json.dumps(column.display, ensure_ascii=False))
                outer.append(
                    f"NULLIF(COALESCE(%s::jsonb ->> v.{alias}, {_neutral_sql('v.' + alias)}), '')"
                )
            else:
                outer.append(_neutral_sql(f"v.{alias}"))
        elif column.kind == "tick":
            # One extraction of the question's list serves every option's column.
            chosen = ticked.get(column.question)
            if chosen is None:
                chosen = ticked[column.question] = f"m{len(ticked)}"
                inner.append(
                    f"CASE WHEN jsonb_typeof(r.answers -> {key}) = 'array' "
                    f"THEN r.answers -> {key} END AS {chosen}"
                )
            outer.append(f"(v.{chosen} ? {_literal(column.option)})::int")
        elif column.kind in {"integer", "decimal"}:
            inner.append(
                f"CASE WHEN jsonb_typeof(r.answers -> {key}) = 'number' "
                f"THEN r.answers ->> {key} END AS {alias}"
            )
            outer.append(f"v.{alias}")
        else:
            source = "r.answers" if column.kind == "text" else "r.other_texts"
            inner.append(
                f"CASE WHEN jsonb_typeof({source} -> {key}) = 'string' "
                f"THEN {source} ->> {key} END AS {alias}"
            )
            outer.append(_neutral_sql(f"v.{alias}"))
    outer += weight_outer
    condition, filter_params = options.filters.sql("r")
    # OFFSET 0 keeps the inner SELECT a separate step, so each JSON value is extracted once.
    sql = (
        f"SELECT {', '.join(outer)} FROM ("  # noqa: S608 - slug-checked codes, bound values
        f"SELECT {', '.join([*inner, *weight_inner])} FROM surveys_response r {join}"
        f"WHERE r.survey_id = %s{condition} "
        "ORDER BY r.id OFFSET 0) AS v ORDER BY v.id"
    )
    return sql, [*params, *weight_params, survey.pk, *filter_params], wide_header(columns)


def wide_copy(survey: Survey, options: ExportOptions, progress: Progress | None) -> Iterator[bytes]:
    # When weight_rds2 is the only weight set, PostgreSQL computes it from two numbers: the rows
    # start at once, with no forest read into numpy and no weights table (seconds at a million).
    terms = rds2_terms(survey=survey)
    sql, params, header = wide_sql(survey=survey, options=options, terms=terms)
    table = weight_table(survey=survey) if terms is None else None
    yield from encoded([header], options)
    delimiter = _literal(options.delimiter)
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, DELIMITER {delimiter})"
    parts: list[Any] = []
    size = done = 0
    # The psycopg cursor itself: Django's debug wrapper passes no parameters to copy().
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        # PostgreSQL's default, said here: the weights' text relies on its shortest digits.
        cursor.execute("SET extra_float_digits = 1")
        if table is not None:
            weights_upload(cursor=cursor, table=table)
        try:
            with cursor.copy(statement, params) as copy:
                for row in copy:
                    # COPY sends one row per message, ending in "\n"; RFC 4180 wants "\r\n".
                    parts += (row[:-1], b"\r\n")
                    size += len(row) + 1
                    done += 1
                    if size >= CHUNK_BYTES:
                        yield b"".join(parts)
                        parts.clear()
                        size = 0
                    if progress is not None and done % PROGRESS_EVERY == 0:
                        progress(done)
        finally:
            if table is not None:
                weights_drop(cursor=cursor)
    if parts:
        yield b"".join(parts)
    if progress is not None:
        progress(done)
