"""Counting responses into cells (dimension, group, question, option), in Python or in SQL.

A cell counts respondents. Option "" of a question is its base (respondents who answered it);
question "" is the size of the group. Dimension "" is the whole sample; the crosstab dimensions
are the answers to the single-choice questions that carry a breakdown role (age group, country,
gender, then any other breakdown), the questionnaire language and the recruitment wave.

Two implementations give the same cells: a Python one over an iterator of rows (SQLite, the
embedded default) and one SQL statement for PostgreSQL that groups the ``answers`` jsonb with
``GROUPING SETS`` in a single pass, so that a rebuild costs about what the raw ``GROUP BY``
queries cost.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from analytics.aggregation.filters import ResponseFilter
from surveys.models import Question, QuestionKind, QuestionRole, Response, Survey

Cell = tuple[str, str, str, str]  # dimension, value, question, option

# The roles' fixed order, which is the order of the published crosstabs; questions with the
# plain breakdown role follow in questionnaire order.
DIMENSION_ROLES = (QuestionRole.AGE_GROUP, QuestionRole.COUNTRY, QuestionRole.GENDER)
LANGUAGE = "language"
WAVE = "wave"
# Integer answers (network size) are counted in these bins: (largest value, code).
INTEGER_BINS: tuple[tuple[int, str], ...] = (
    (0, "0"),
    (5, "1-5"),
    (10, "6-10"),
    (20, "11-20"),
    (50, "21-50"),
    (100, "51-100"),
    (500, "101-500"),
)
INTEGER_TOP_BIN = "501+"
INTEGER_BIN_CODES = (*(code for _, code in INTEGER_BINS), INTEGER_TOP_BIN)
CHUNK = 2000


@dataclass(frozen=True)
class CountPlan:
    """Which answer keys are counted how, and the survey's crosstab dimensions."""

    single: frozenset[str]
    multiple: frozenset[str]
    integer: frozenset[str]
    text: frozenset[str]
    dimensions: tuple[str, ...]

    @property
    def all_dimensions(self) -> tuple[str, ...]:
        return (*self.dimensions, LANGUAGE, WAVE)


def answer_dimensions(*, questions: Sequence[Question]) -> tuple[str, ...]:
    """Return the codes of the single-choice questions that break answers down, in order."""
    singles = [q for q in questions if q.kind == QuestionKind.SINGLE]
    by_role = [q.code for role in DIMENSION_ROLES for q in singles if q.role == role]
    others = [q.code for q in singles if q.role == QuestionRole.BREAKDOWN]
    return (*by_role, *others)


def count_plan(*, survey: Survey) -> CountPlan:
    """Return how the survey's questions are counted."""
    questions = list(
        survey.questions.order_by("page__position", "position").only("code", "kind", "role")
    )
    kinds: dict[str, set[str]] = {kind: set() for kind in QuestionKind.values}
    for question in questions:
        kinds[question.kind].add(question.code)
    return CountPlan(
        single=frozenset(kinds[QuestionKind.SINGLE]),
        multiple=frozenset(kinds[QuestionKind.MULTIPLE]),
        integer=frozenset(kinds[QuestionKind.INTEGER]),
        text=frozenset(kinds[QuestionKind.TEXT]),
        dimensions=answer_dimensions(questions=questions),
    )


def integer_bin(value: float) -> str:
    """Return the code of the bin an integer answer falls in."""
    for upper, code in INTEGER_BINS:
        if value <= upper:
            return code
    return INTEGER_TOP_BIN


def _items(plan: CountPlan, answers: dict[str, Any]) -> list[tuple[str, str]]:
    items = [("", "")]
    for code, value in answers.items():
        if code in plan.single:
            if isinstance(value, str) and value:
                items += [(code, ""), (code, value)]
        elif code in plan.multiple:
            if isinstance(value, list):
                items.append((code, ""))
                items += [(code, option) for option in dict.fromkeys(str(v) for v in value)]
        elif code in plan.integer:
            if isinstance(value, int | float) and not isinstance(value, bool):
                items += [(code, ""), (code, integer_bin(value))]
        elif code in plan.text and isinstance(value, str):
            items.append((code, ""))
    return items


def count_rows(
    *, plan: CountPlan, rows: Iterable[tuple[dict[str, Any], str, int | None]]
) -> Counter[Cell]:
    """Count rows of (answers, language, wave) into cells."""
    cells: Counter[Cell] = Counter()
    for answers, language, wave in rows:
        groups = [("", "")]
        for dimension in plan.dimensions:
            value = answers.get(dimension)
            if isinstance(value, str):
                groups.append((dimension, value))
        groups.append((LANGUAGE, language))
        if wave is not None:
            groups.append((WAVE, str(wave)))
        for question, option in _items(plan, answers):
            for dimension, value in groups:
                cells[(dimension, value, question, option)] += 1
    return cells


def count_python(
    *,
    survey: Survey,
    plan: CountPlan,
    filters: ResponseFilter | None = None,
    id_range: tuple[int, int] | None = None,
    extra_ids: Iterable[int] = (),
) -> Counter[Cell]:
    """Count the survey's responses (not withdrawn) by iterating over them."""
    queryset = Response.objects.filter(survey=survey, withdrawn_at__isnull=True)
    if filters is not None:
        queryset = filters.apply(queryset)
    if id_range is not None:
        low, high = id_range
        extra = list(extra_ids)
        in_range = queryset.filter(id__gt=low, id__lte=high)
        queryset = in_range | queryset.filter(id__in=extra) if extra else in_range
    rows = queryset.order_by().values_list("answers", "language", "wave").iterator(CHUNK)
    return count_rows(plan=plan, rows=rows)


def _bin_sql(expression: str) -> str:
    whens = " ".join(f"WHEN {expression} <= {upper} THEN '{code}'" for upper, code in INTEGER_BINS)
    return f"CASE {whens} ELSE '{INTEGER_TOP_BIN}' END"


def count_sql(
    *,
    survey: Survey,
    plan: CountPlan,
    filters: ResponseFilter | None = None,
    id_range: tuple[int, int] | None = None,
    extra_ids: Iterable[int] = (),
) -> tuple[str, list[object]]:
    """Return a PostgreSQL SELECT of (dimension, value, question, option, count)."""
    dims = [f"d{i}" for i in range(len(plan.dimensions))] + ["d_language", "d_wave"]
    names = [*plan.dimensions, LANGUAGE, WAVE]
    params: list[object] = []

    dim_columns = []
    for alias, code in zip(dims, plan.dimensions, strict=False):
        dim_columns.append(
            f"CASE WHEN jsonb_typeof(r.answers -> %s) = 'string' "
            f"THEN r.answers ->> %s END AS {alias}"
        )
        params += [code, code]
    where = "r.survey_id = %s AND r.withdrawn_at IS NULL"
    params.append(survey.pk)
    if id_range is not None:
        where += " AND ((r.id > %s AND r.id <= %s) OR r.id = ANY(%s))"
        params += [id_range[0], id_range[1], list(extra_ids)]
    if filters is not None:
        condition, filter_params = filters.sql("r")
        where += condition
        params += filter_params

    dim_list = ", ".join(dims)
    # One row per answered question, read by its code (no jsonb_each over every key): a single
    # choice gives its option, an integer its bin, a text and a multiple choice their base ("").
    number = "(r.answers #>> ARRAY[%s])::numeric"
    typed = "jsonb_typeof(r.answers -> %s)"
    answer_rows: list[str] = []
    for code in sorted(plan.single):
        answer_rows.append(
            f"(%s, CASE WHEN {typed} = 'string' AND r.answers ->> %s <> '' "
            "THEN r.answers ->> %s END)"
        )
        params += [code, code, code, code]
    for code in sorted(plan.integer):
        answer_rows.append(f"(%s, CASE WHEN {typed} = 'number' THEN {_bin_sql(number)} END)")
        params += [code, code, *[code] * len(INTEGER_BINS)]
    for code in sorted(plan.text):
        answer_rows.append(f"(%s, CASE WHEN {typed} = 'string' THEN '' END)")
        params += [code, code]
    for code in sorted(plan.multiple):
        answer_rows.append(f"(%s, CASE WHEN {typed} = 'array' THEN '' END)")
        params += [code, code]
    values = ", ".join(answer_rows) or "(NULL::text, NULL::text)"
    answers_sql = (
        f"SELECT {dim_list}, a.q, a.o FROM r "  # noqa: S608 - fixed fragments; codes are bound
        f"CROSS JOIN LATERAL (VALUES {values}) AS a(q, o) WHERE a.o IS NOT NULL"
    )
    chosen_sql = ""
    if plan.multiple:
        # Each option ticked in a multiple choice, once per respondent.
        chosen_sql = (
            f"UNION ALL SELECT {dim_list}, m.q, t.o FROM r "  # noqa: S608 - aliases; codes bound
            "CROSS JOIN LATERAL unnest(%s::text[]) AS m(q) "
            "CROSS JOIN LATERAL (SELECT DISTINCT o FROM jsonb_array_elements_text("
            "CASE WHEN jsonb_typeof(r.answers -> m.q) = 'array' THEN r.answers -> m.q END"
            ") AS o) AS t"
        )
        params.append(sorted(plan.multiple))

    dimension_case = " ".join(f"WHEN GROUPING({alias}) = 0 THEN %s" for alias in dims)
    value_case = " ".join(f"WHEN GROUPING({alias}) = 0 THEN {alias}" for alias in dims)
    grouping_sets = ", ".join(["(q, o)"] + [f"(q, o, {alias})" for alias in dims])
    having = " AND ".join(f"NOT (GROUPING({alias}) = 0 AND {alias} IS NULL)" for alias in dims)
    select_params: list[object] = list(names)

    sql = f"""
        WITH r AS (
            SELECT r.answers, r.language AS d_language, r.wave::text AS d_wave
                   {"".join(", " + c for c in dim_columns)}
            FROM surveys_response r
            WHERE {where}
        ),
        items AS (
            SELECT {dim_list}, ''::text AS q, ''::text AS o FROM r
            UNION ALL
            {answers_sql}
            {chosen_sql}
        ),
        fine AS MATERIALIZED (
            SELECT {dim_list}, q, o, count(*) AS n FROM items GROUP BY {dim_list}, q, o
        ),
        cells AS MATERIALIZED (
            SELECT CASE {dimension_case} ELSE '' END AS dimension,
                   COALESCE(CASE {value_case} END, '') AS value,
                   q AS question, o AS option, sum(n)::bigint AS count
            FROM fine
            GROUP BY GROUPING SETS ({grouping_sets})
            HAVING {having}
        )
        SELECT dimension, value, question, option, count FROM cells
        UNION ALL
        SELECT dimension, value, question, '', sum(count)::bigint FROM cells
        WHERE question = ANY(%s)
        GROUP BY dimension, value, question
    """  # noqa: S608 - fixed fragments and aliases; codes and values are bound parameters
    # "fine" hashes the items into one row per group of respondents first: the planner, misled
    # by the set-returning functions' row estimates, would otherwise sort millions of item rows
    # once for every grouping set. A single-choice or integer question's base is the sum of its
    # options' counts, so it is added up from the cells instead of counted from every answer.
    return sql, [*params, *select_params, sorted(plan.single | plan.integer)]


def tune_for_counting(cursor: Any, *, compile_plan: bool) -> None:
    """Let the counting statement hash instead of sort, inside the current transaction.

    JIT compilation pays off for a full rebuild but costs more than a small incremental one.
    """
    cursor.execute("SET LOCAL enable_sort = off")
    cursor.execute("SET LOCAL work_mem = '64MB'")
    if not compile_plan:
        cursor.execute("SET LOCAL jit = off")


def count_live(
    *, survey: Survey, plan: CountPlan, filters: ResponseFilter | None = None
) -> Counter[Cell]:
    """Count the responses matching a filter now, with the database's fastest path."""
    if connection.vendor != "postgresql":
        return count_python(survey=survey, plan=plan, filters=filters)
    sql, params = count_sql(survey=survey, plan=plan, filters=filters)
    cells: Counter[Cell] = Counter()
    with transaction.atomic(), connection.cursor() as cursor:
        tune_for_counting(cursor, compile_plan=False)
        cursor.execute(sql, params)
        for dimension, value, question, option, count in cursor.fetchall():
            cells[(dimension, value, question, option)] = count
    return cells


def _dimension_sql(dimension: str) -> tuple[str, list[object]]:
    if dimension == LANGUAGE:
        return "r.language", []
    if dimension == WAVE:
        return "r.wave::text", []
    return "CASE WHEN jsonb_typeof(r.answers -> %s) = 'string' THEN r.answers ->> %s END", [
        dimension,
        dimension,
    ]


def count_crosstab(
    *,
    survey: Survey,
    plan: CountPlan,
    question: str,
    dimension: str,
    filters: ResponseFilter | None = None,
) -> Counter[Cell]:
    """Count one choice question by one dimension among the responses matching a filter.

    Cheaper than count_live when a filter already reads the published tables and only the
    crosstab, which crosses the filter with a second dimension, has to be counted.
    """
    if connection.vendor != "postgresql":
        return count_python(survey=survey, plan=plan, filters=filters)
    group, params = _dimension_sql(dimension)
    where = "r.survey_id = %s AND r.withdrawn_at IS NULL"
    params += [question, survey.pk]
    if filters is not None:
        condition, filter_params = filters.sql("r")
        where += condition
        params += filter_params
    sql = f"""
        WITH c AS (
            SELECT {group} AS g, r.answers -> %s AS a FROM surveys_response r WHERE {where}
        )
        SELECT 'size', g, '', count(*) FROM c WHERE g IS NOT NULL GROUP BY g
        UNION ALL
        SELECT 'base', g, '', count(*) FROM c
        WHERE g IS NOT NULL AND jsonb_typeof(a) IN ('string', 'array') GROUP BY g
        UNION ALL
        SELECT 'option', g, a #>> '{{}}', count(*) FROM c
        WHERE g IS NOT NULL AND jsonb_typeof(a) = 'string' GROUP BY 2, 3
        UNION ALL
        SELECT 'option', g, t.o, count(*) FROM c
        CROSS JOIN LATERAL (SELECT DISTINCT o FROM jsonb_array_elements_text(c.a) AS o) AS t
        WHERE g IS NOT NULL AND jsonb_typeof(a) = 'array' GROUP BY 2, 3
    """  # noqa: S608 - fixed fragments; codes and values are bound parameters
    cells: Counter[Cell] = Counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, value, option, count in cursor.fetchall():
            if kind == "size":
                cells[(dimension, value, "", "")] += count
            else:
                cells[(dimension, value, question, option)] += count
                cells[("", "", question, option)] += count
    return cells
