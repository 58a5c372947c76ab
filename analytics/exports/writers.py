"""CSV exports: wide responses, long answers, aggregates, crosstabs and the codebook.

Every export is a stream of bytes (UTF-8, a BOM first unless asked not to) written by the
``csv`` module through ``analytics.csv_safe``, so quoting follows RFC 4180 and any text cell
that a spreadsheet would run as a formula is neutralized; numbers stay numbers.

On PostgreSQL the wide export is one ``COPY (SELECT …) TO STDOUT WITH (FORMAT csv)`` whose
SELECT already produces the final cells (labels, 0/1 columns, neutralized text), so the export
costs about what ``COPY`` costs and memory stays flat. Elsewhere the rows are built in Python
from an iterator. Both paths write the same bytes for the same data.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from analytics.aggregation.filters import ResponseFilter
from analytics.csv_safe import BOM, DELIMITERS, FORMULA_TRIGGERS, csv_writer, neutralize
from analytics.dashboard.selectors import (
    all_crosstabs,
    survey_questions,
    survey_results,
)
from analytics.models import RDSQuestion
from surveys.models import Question, QuestionKind, QuestionRole, Response, Survey

KINDS = ("responses", "long", "aggregates", "crosstabs", "codebook")
ROW_KINDS = ("responses", "long")  # the ones that grow with the number of responses
LABELS = ("codes", "ru", "kk", "en")
OTHER_TEXT = "__other_text"
CHUNK_BYTES = 64 * 1024
PROGRESS_EVERY = 5_000
ITERATOR_CHUNK = 2_000
_SLUG = re.compile(r"^[-A-Za-z0-9_]+$")

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
    """What to export and how the CSV is written."""

    kind: str
    labels: str = "codes"
    delimiter: str = ","
    bom: bool = True
    filters: ResponseFilter = field(default_factory=ResponseFilter)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        if self.labels not in LABELS:
            raise ValueError(f"labels must be one of {LABELS}")
        if self.delimiter not in DELIMITERS:
            raise ValueError(f"delimiter must be one of {DELIMITERS}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "labels": self.labels,
            "delimiter": self.delimiter,
            "bom": self.bom,
            "filters": self.filters.as_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExportOptions:
        return cls(
            kind=data["kind"],
            labels=data.get("labels", "codes"),
            delimiter=data.get("delimiter", ","),
            bom=bool(data.get("bom", True)),
            filters=ResponseFilter.from_dict(data.get("filters") or {}),
        )


def export_filename(*, survey: Survey, kind: str, when: dt.datetime) -> str:
    """Return the download's file name, made on the server from the survey and the time."""
    return f"{survey.slug}-{kind}-{when.astimezone(dt.UTC):%Y%m%d-%H%M}.csv"


def export_responses(*, survey: Survey, options: ExportOptions) -> Any:
    """Return the queryset of the responses an export covers."""
    queryset = Response.objects.filter(survey=survey, withdrawn_at__isnull=True)
    return options.filters.apply(queryset)


def export_size(*, survey: Survey, options: ExportOptions) -> int:
    """Return how many responses a row export covers (0 for the small table exports)."""
    if options.kind not in ROW_KINDS:
        return 0
    return export_responses(survey=survey, options=options).count()


def export_chunks(
    *, survey: Survey, options: ExportOptions, progress: Progress | None = None
) -> Iterator[bytes]:
    """Yield the export as UTF-8 byte chunks, BOM first."""
    if options.bom:
        yield BOM.encode()
    if options.kind == "responses":
        if connection.vendor == "postgresql":
            yield from _wide_copy(survey, options, progress)
        else:
            yield from _encoded(_wide_python(survey, options, progress), options)
        return
    producers = {
        "long": _long_rows,
        "aggregates": _aggregate_rows,
        "crosstabs": _crosstab_rows,
        "codebook": _codebook_rows,
    }
    rows = producers[options.kind](survey, options, progress)
    yield from _encoded(rows, options)


def _encoded(rows: Iterable[list[Any]], options: ExportOptions) -> Iterator[bytes]:
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


def _header(columns: Iterable[str]) -> list[str]:
    return [neutralize(column) for column in columns]


# --- the wide export ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    header: str
    kind: str  # single, tick, integer, text, other
    question: str
    option: str = ""
    display: dict[str, str] = field(default_factory=dict)  # option code -> cell


def _label(option: Any, labels: str) -> str:
    return getattr(option, f"label_{labels}") or option.label_en


def _wide_columns(survey: Survey, questions: list[Question], labels: str) -> list[_Column]:
    columns: list[_Column] = []
    for question in questions:
        code = question.code
        if not _SLUG.match(code):
            raise ValueError(f"question code {code!r} is not a slug")
        if question.role == QuestionRole.NETWORK_SIZE:
            continue  # already there as the network_size column
        header = code if code not in META_COLUMNS else f"answer__{code}"
        options = list(question.options.all())
        for option in options:
            if not _SLUG.match(option.code):
                raise ValueError(f"option code {option.code!r} is not a slug")
        if question.kind == QuestionKind.SINGLE:
            display = (
                {o.code: neutralize(_label(o, labels)) for o in options}
                if labels != "codes"
                else {}
            )
            columns.append(_Column(header, "single", code, display=display))
        elif question.kind == QuestionKind.MULTIPLE:
            columns += [_Column(f"{code}__{o.code}", "tick", code, o.code) for o in options]
        elif question.kind == QuestionKind.INTEGER:
            columns.append(_Column(header, "integer", code))
        else:
            columns.append(_Column(header, "text", code))
        if any(o.is_other for o in options):
            columns.append(_Column(f"{code}{OTHER_TEXT}", "other", code))
    return columns


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: Any) -> str | None:
    return neutralize(value) if isinstance(value, str) else None


def _wide_cell(column: _Column, answers: dict[str, Any], other_texts: dict[str, Any]) -> Any:
    value = answers.get(column.question)
    if column.kind == "single":
        if not isinstance(value, str):
            return None
        return column.display.get(value, neutralize(value))
    if column.kind == "tick":
        return int(column.option in value) if isinstance(value, list) else None
    if column.kind == "integer":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if column.kind == "text":
        return _text(value)
    return _text(other_texts.get(column.question))


def _wide_python(
    survey: Survey, options: ExportOptions, progress: Progress | None
) -> Iterator[list[Any]]:
    columns = _wide_columns(survey, survey_questions(survey=survey), options.labels)
    yield _header([*META_COLUMNS, *(column.header for column in columns)])
    rows = (
        export_responses(survey=survey, options=options)
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
        )
        .iterator(ITERATOR_CHUNK)
    )
    done = 0
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
    ) in rows:
        flag_text = "|".join(str(flag) for flag in flags) if isinstance(flags, list) else ""
        yield [
            pk,
            _timestamp(submitted_at),
            _text(language),
            int((submitted_at - started_at).total_seconds()),
            wave,
            recruiter_id,
            seed_id,
            network_size,
            _text(flag_text),
            *(_wide_cell(column, answers, other_texts) for column in columns),
        ]
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
    if progress is not None:
        progress(done)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_TRIGGERS_SQL = ", ".join(
    {"\t": "E'\\t'", "\r": "E'\\r'"}.get(trigger, _literal(trigger)) for trigger in FORMULA_TRIGGERS
)


def _neutral_sql(expression: str) -> str:
    """Return SQL that neutralizes a text expression and writes '' as an empty cell."""
    return (
        f"NULLIF(CASE WHEN left({expression}, 1) IN ({_TRIGGERS_SQL}) "
        f"THEN '''' || {expression} ELSE {expression} END, '')"
    )


def wide_sql(*, survey: Survey, options: ExportOptions) -> tuple[str, list[Any], list[str]]:
    """Return the PostgreSQL SELECT of the wide export, its parameters and its header."""
    columns = _wide_columns(survey, survey_questions(survey=survey), options.labels)
    inner = [
        "r.id",
        "r.submitted_at",
        "r.started_at",
        "r.language",
        "r.wave",
        "r.recruiter_id",
        "r.seed_link_id",
        "r.network_size",
        # Most responses have no flag: skip the subquery for them.
        "CASE WHEN r.quality_flags = '[]'::jsonb THEN '' "
        "WHEN jsonb_typeof(r.quality_flags) = 'array' THEN array_to_string(ARRAY("
        "SELECT jsonb_array_elements_text(r.quality_flags)), '|') END AS flags",
    ]
    outer = [
        "v.id",
        "to_char(v.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
        _neutral_sql("v.language"),
        "trunc(extract(epoch FROM (v.submitted_at - v.started_at)))::bigint",
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
        if column.kind == "single":
            inner.append(
                f"CASE WHEN jsonb_typeof(r.answers -> {key}) = 'string' "
                f"THEN r.answers ->> {key} END AS {alias}"
            )
            if column.display:
                # One lookup in a code -> label object, not a comparison per option.
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
        elif column.kind == "integer":
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
    condition, filter_params = options.filters.sql("r")
    # OFFSET 0 keeps the inner SELECT a separate step, so each JSON value is extracted once.
    sql = (
        f"SELECT {', '.join(outer)} FROM ("  # noqa: S608 - slug-checked codes, bound values
        f"SELECT {', '.join(inner)} FROM surveys_response r "
        f"WHERE r.survey_id = %s AND r.withdrawn_at IS NULL{condition} "
        "ORDER BY r.id OFFSET 0) AS v ORDER BY v.id"
    )
    header = _header([*META_COLUMNS, *(column.header for column in columns)])
    return sql, [*params, survey.pk, *filter_params], header


def _wide_copy(
    survey: Survey, options: ExportOptions, progress: Progress | None
) -> Iterator[bytes]:
    sql, params, header = wide_sql(survey=survey, options=options)
    yield from _encoded([header], options)
    delimiter = _literal(options.delimiter)
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, DELIMITER {delimiter})"
    buffer = bytearray()
    done = 0
    # The psycopg cursor itself: Django's debug wrapper passes no parameters to copy().
    with connection.cursor() as wrapper, wrapper.cursor.copy(statement, params) as copy:
        for row in copy:
            # COPY sends one row per message, ending in "\n"; RFC 4180 wants "\r\n".
            buffer += bytes(row)[:-1]
            buffer += b"\r\n"
            done += 1
            if len(buffer) >= CHUNK_BYTES:
                yield bytes(buffer)
                buffer.clear()
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)
    if buffer:
        yield bytes(buffer)
    if progress is not None:
        progress(done)


# --- the long export ----------------------------------------------------------------------------


def _long_rows(
    survey: Survey, options: ExportOptions, progress: Progress | None
) -> Iterator[list[Any]]:
    questions = survey_questions(survey=survey)
    language = "en" if options.labels == "codes" else options.labels
    labels = {
        question.code: {o.code: neutralize(_label(o, language)) for o in question.options.all()}
        for question in questions
    }
    kinds = {question.code: question.kind for question in questions}
    yield _header(["response_id", "question", "option", "label", "value"])
    rows = (
        export_responses(survey=survey, options=options)
        .order_by("id")
        .values_list("id", "answers", "other_texts")
        .iterator(ITERATOR_CHUNK)
    )
    done = 0
    for pk, answers, other_texts in rows:
        for question in questions:
            code = question.code
            value = answers.get(code)
            if value is None:
                continue
            kind = kinds[code]
            if kind == QuestionKind.SINGLE and isinstance(value, str):
                yield [pk, code, neutralize(value), labels[code].get(value, ""), 1]
            elif kind == QuestionKind.MULTIPLE and isinstance(value, list):
                for option in value:
                    option = str(option)
                    yield [pk, code, neutralize(option), labels[code].get(option, ""), 1]
            elif kind == QuestionKind.INTEGER and isinstance(value, int | float):
                yield [pk, code, None, None, value]
            elif isinstance(value, str):
                yield [pk, code, None, None, neutralize(value)]
            other = other_texts.get(code) if isinstance(other_texts, dict) else None
            if isinstance(other, str) and other:
                yield [pk, f"{code}{OTHER_TEXT}", None, None, neutralize(other)]
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
    if progress is not None:
        progress(done)


# --- the small tables ---------------------------------------------------------------------------


def _labelled(options: ExportOptions) -> bool:
    return options.labels != "codes"


def _aggregate_rows(
    survey: Survey, options: ExportOptions, progress: Progress | None
) -> Iterator[list[Any]]:
    with translation.override(options.labels if _labelled(options) else "en"):
        results, _crosstab = survey_results(survey=survey, filters=options.filters)
        # Population estimates hold for the whole sample only; a filtered export leaves them empty.
        estimates = {} if not options.filters.is_empty() else _estimates(survey)
        header = ["question", "option"]
        if _labelled(options):
            header += ["question_text", "option_label"]
        yield _header([*header, "count", "base", "percent", *RDS_COLUMNS])
        for question in results.questions:
            for share in question.shares:
                row: list[Any] = [neutralize(question.code), neutralize(share.code)]
                if _labelled(options):
                    row += [neutralize(question.text), neutralize(share.label)]
                weighted = estimates.get(question.code, {}).get(share.code, {})
                yield [
                    *row,
                    share.count,
                    question.base,
                    share.percent,
                    *(weighted.get(key) for key in ("rds2", "low", "high", "rds1")),
                ]


# Shares as fractions at full precision, so that they can be checked against other software.
RDS_COLUMNS = ["rds2_share", "rds2_ci_low", "rds2_ci_high", "rds1_share"]


def _estimates(survey: Survey) -> dict[str, dict[str, dict[str, float | None]]]:
    rows = RDSQuestion.objects.filter(estimate_set__survey=survey).values_list("question", "shares")
    return dict(rows)


def _crosstab_rows(
    survey: Survey, options: ExportOptions, progress: Progress | None
) -> Iterator[list[Any]]:
    with translation.override(options.labels if _labelled(options) else "en"):
        tables = all_crosstabs(survey=survey, filters=options.filters)
        header = ["dimension", "group", "question", "option"]
        if _labelled(options):
            header += ["group_label", "question_text", "option_label"]
        yield _header([*header, "count", "base", "percent"])
        for table in tables:
            for group in table.groups:
                for share in group.shares:
                    row: list[Any] = [
                        neutralize(table.dimension),
                        neutralize(group.value),
                        neutralize(table.question.code),
                        neutralize(share.code),
                    ]
                    if _labelled(options):
                        row += [
                            neutralize(group.label),
                            neutralize(table.question.text),
                            neutralize(share.label),
                        ]
                    yield [*row, share.count, group.base, share.percent]


def _meta_descriptions() -> dict[str, str]:
    return {
        "response_id": _("Response number"),
        "submitted_at": _("When the response was submitted (UTC)"),
        "language": _("Questionnaire language"),
        "duration_seconds": _("Seconds from consent to submission"),
        "wave": _("Recruitment wave (0 = came through a seed link)"),
        "recruiter_id": _("Response number of the recruiter"),
        "seed_id": _("Seed link at the root of the recruitment chain"),
        "network_size": _("Network size (number of people the respondent knows)"),
        "quality_flags": _("Quality flags, separated by |"),
    }


def _codebook_rows(
    survey: Survey, options: ExportOptions, progress: Progress | None
) -> Iterator[list[Any]]:
    languages = ("ru", "kk", "en")
    descriptions = {}
    for language in languages:
        with translation.override(language):
            descriptions[language] = _meta_descriptions()
    yield _header(
        ["column", "question", "option", "kind", "other", "wording_ru", "wording_kk", "wording_en"]
    )
    for column in META_COLUMNS:
        yield [
            column,
            None,
            None,
            "metadata",
            0,
            *(neutralize(descriptions[language][column]) for language in languages),
        ]
    questions = survey_questions(survey=survey)
    own_columns: dict[str, str] = {}
    for column in _wide_columns(survey, questions, "codes"):
        if column.kind not in {"tick", "other"}:
            own_columns[column.question] = column.header
    for question in questions:
        texts = [neutralize(getattr(question, f"text_{language}")) for language in languages]
        own_column = own_columns.get(question.code)
        if question.role == QuestionRole.NETWORK_SIZE and own_column is None:
            own_column = "network_size"
        yield [
            neutralize(own_column) if own_column else None,
            neutralize(question.code),
            None,
            question.kind,
            0,
            *texts,
        ]
        for option in question.options.all():
            option_column = (
                f"{question.code}__{option.code}"
                if question.kind == QuestionKind.MULTIPLE
                else own_column
            )
            yield [
                neutralize(option_column) if option_column else None,
                neutralize(question.code),
                neutralize(option.code),
                "option",
                int(option.is_other),
                *(neutralize(getattr(option, f"label_{language}")) for language in languages),
            ]
        if any(option.is_other for option in question.options.all()):
            yield [
                neutralize(f"{question.code}{OTHER_TEXT}"),
                neutralize(question.code),
                None,
                "other_text",
                1,
                *texts,
            ]
