"""Counting responses into cells (dimension, group, question, option), in Python or in SQL.

A cell counts respondents. Option "" of a question is its base (respondents who answered it);
question "" is the size of the group. Dimension "" is the whole sample; the crosstab dimensions
are the answers to the single-choice questions that carry a breakdown role (age group, country,
gender, then any other breakdown), the questionnaire language and the recruitment wave.

Every cell is counted twice in the same pass: among all responses, and among the unflagged ones
(``surveys.models.unflagged_q``: flagged responses no organizer accepted, and excluded ones, are
left out), the analyst's sensitivity check. Withdrawn responses count in neither.

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
from django.db.models import Case, IntegerField, QuerySet, Value, When

from aggregates.filters import ResponseFilter
from surveys.changefeed.feed import IdSet
from surveys.models import Question, QuestionKind, QuestionRole, Response, Survey, unflagged_q

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


class Tally(Counter[Cell]):
    """Respondents per cell among all responses; ``unflagged`` holds the same without flagged."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unflagged: Counter[Cell] = Counter()

    def add(self, other: Tally) -> None:
        """Add another tally's counts, both kinds, to this one."""
        self.update(other)
        self.unflagged.update(other.unflagged)


def unflagged_mark() -> Case:
    """Return a response's mark, 1 when it counts without flagged ones (unflagged_q), else 0."""
    return Case(When(unflagged_q(), then=Value(1)), default=Value(0), output_field=IntegerField())


def counted_responses(*, survey: Survey) -> QuerySet[Response]:
    """Return the survey's responses that the tables count, each marked unflagged 1 or 0."""
    return (
        Response.objects.filter(survey=survey, withdrawn_at__isnull=True)
        .annotate(unflagged=unflagged_mark())
        .order_by()
    )


def _counted_sql(survey: Survey) -> tuple[str, list[object]]:
    """Return counted_responses as a SELECT of the columns the SQL counting reads."""
    rows = counted_responses(survey=survey).values(
        "id", "answers", "language", "wave", "submitted_at", "unflagged"
    )
    sql, params = rows.query.sql_with_params()
    return sql, list(params)


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
    *, plan: CountPlan, rows: Iterable[tuple[dict[str, Any], str, int | None, int]]
) -> Tally:
    """Count rows of (answers, language, wave, unflagged) into cells."""
    cells = Tally()
    for answers, language, wave, unflagged in rows:
        groups = [("", "")]
        for dimension in plan.dimensions:
            value = answers.get(dimension)
            if isinstance(value, str):
                groups.append((dimension, value))
        groups.append((LANGUAGE, language))
        if wave is not None:
            groups.append((WAVE, str(wave)))
        keys = [
            (dimension, value, question, option)
            for question, option in _items(plan, answers)
            for dimension, value in groups
        ]
        cells.update(keys)
        if unflagged:
            cells.unflagged.update(keys)
    return cells


def count_python(
    *,
    survey: Survey,
    plan: CountPlan,
    filters: ResponseFilter | None = None,
    ids: IdSet | None = None,
) -> Tally:
    """Count the survey's responses (not withdrawn), those in ids if given, by iterating."""
    queryset = counted_responses(survey=survey)
    if filters is not None:
        queryset = filters.apply(queryset)
    if ids is not None:
        queryset = queryset.filter(ids.q())
    rows = queryset.values_list("answers", "language", "wave", "unflagged").iterator(CHUNK)
    return count_rows(plan=plan, rows=rows)


def _bin_sql(expression: str) -> str:
    whens = " ".join(f"WHEN {expression} <= {upper} THEN '{code}'" for upper, code in INTEGER_BINS)
    return f"CASE {whens} ELSE '{INTEGER_TOP_BIN}' END"


def count_sql(
    *,
    survey: Survey,
    plan: CountPlan,
    filters: ResponseFilter | None = None,
    ids: IdSet | None = None,
) -> tuple[str, list[object]]:
    """Return a PostgreSQL SELECT of (dimension, value, question, option, count, unflagged)."""
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
    counted, counted_params = _counted_sql(survey)
    params += counted_params
    where = "TRUE"
    if ids is not None:
        condition, id_params = ids.sql("r.id")
        where += f" AND {condition}"
        params += id_params
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
        f"SELECT {dim_list}, r.u, a.q, a.o FROM r "  # noqa: S608 - fixed fragments; codes are bound
        f"CROSS JOIN LATERAL (VALUES {values}) AS a(q, o) WHERE a.o IS NOT NULL"
    )
    chosen_sql = ""
    if plan.multiple:
        # Each option ticked in a multiple choice, once per respondent.
        chosen_sql = (
            f"UNION ALL SELECT {dim_list}, r.u, m.q, t.o FROM r "  # noqa: S608 - aliases; codes bound
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
            SELECT r.answers, r.language AS d_language, r.wave::text AS d_wave,
                   r.unflagged AS u {"".join(", " + c for c in dim_columns)}
            FROM ({counted}) r
            WHERE {where}
        ),
        items AS (
            SELECT {dim_list}, r.u, ''::text AS q, ''::text AS o FROM r
            UNION ALL
            {answers_sql}
            {chosen_sql}
        ),
        fine AS MATERIALIZED (
            SELECT {dim_list}, q, o, count(*) AS n, sum(u) AS nu
            FROM items GROUP BY {dim_list}, q, o
        ),
        cells AS MATERIALIZED (
            SELECT CASE {dimension_case} ELSE '' END AS dimension,
                   COALESCE(CASE {value_case} END, '') AS value,
                   q AS question, o AS option, sum(n)::bigint AS count,
                   sum(nu)::bigint AS unflagged
            FROM fine
            GROUP BY GROUPING SETS ({grouping_sets})
            HAVING {having}
        )
        SELECT dimension, value, question, option, count, unflagged FROM cells
        UNION ALL
        SELECT dimension, value, question, '', sum(count)::bigint, sum(unflagged)::bigint
        FROM cells WHERE question = ANY(%s)
        GROUP BY dimension, value, question
    """  # noqa: S608 - fixed fragments and aliases; codes and values are bound parameters
    # The unflagged count rides along as a sum of the rows' 0/1 marks: no second scan.
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


def count_live(*, survey: Survey, plan: CountPlan, filters: ResponseFilter | None = None) -> Tally:
    """Count the responses matching a filter now, with the database's fastest path."""
    if connection.vendor != "postgresql":
        return count_python(survey=survey, plan=plan, filters=filters)
    sql, params = count_sql(survey=survey, plan=plan, filters=filters)
    cells = Tally()
    with transaction.atomic(), connection.cursor() as cursor:
        tune_for_counting(cursor, compile_plan=False)
        cursor.execute(sql, params)
        for dimension, value, question, option, count, unflagged in cursor.fetchall():
            cells[(dimension, value, question, option)] = count
            cells.unflagged[(dimension, value, question, option)] = unflagged
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
) -> Tally:
    """Count one choice question by one dimension among the responses matching a filter.

    Cheaper than count_live when a filter already reads the published tables and only the
    crosstab, which crosses the filter with a second dimension, has to be counted.
    """
    if connection.vendor != "postgresql":
        return count_python(survey=survey, plan=plan, filters=filters)
    group, params = _dimension_sql(dimension)
    counted, counted_params = _counted_sql(survey)
    params += [question, *counted_params]
    where = "TRUE"
    if filters is not None:
        condition, filter_params = filters.sql("r")
        where += condition
        params += filter_params
    sql = f"""
        WITH c AS (
            SELECT {group} AS g, r.answers -> %s AS a, r.unflagged AS u
            FROM ({counted}) r WHERE {where}
        )
        SELECT 'size', g, '', count(*), sum(u) FROM c WHERE g IS NOT NULL GROUP BY g
        UNION ALL
        SELECT 'base', g, '', count(*), sum(u) FROM c
        WHERE g IS NOT NULL AND jsonb_typeof(a) IN ('string', 'array') GROUP BY g
        UNION ALL
        SELECT 'option', g, a #>> '{{}}', count(*), sum(u) FROM c
        WHERE g IS NOT NULL AND jsonb_typeof(a) = 'string' GROUP BY 2, 3
        UNION ALL
        SELECT 'option', g, t.o, count(*), sum(u) FROM c
        CROSS JOIN LATERAL (SELECT DISTINCT o FROM jsonb_array_elements_text(c.a) AS o) AS t
        WHERE g IS NOT NULL AND jsonb_typeof(a) = 'array' GROUP BY 2, 3
    """  # noqa: S608 - fixed fragments; codes and values are bound parameters
    cells = Tally()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, value, option, count, unflagged in cursor.fetchall():
            keys = [(dimension, value, "", "")]
            if kind != "size":
                keys = [(dimension, value, question, option), ("", "", question, option)]
            for key in keys:
                cells[key] += count
                cells.unflagged[key] += unflagged
    return cells
