"""The recruitment forest reads every stored answer as AnswerMatrices does, on either database.

PostgreSQL's reading (COPY, one JSON text per question, each distinct text decoded once) must
give exactly the arrays of the portable ORM reading that SQLite uses.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from aggregates.counting import unflagged_mark
from estimates.rds.estimators.records import Forest
from estimates.rds.reading.portable import read_portable
from estimates.rds.reading.postgres import read_postgres
from estimates.rds.refresh import survey_forest
from surveys.models import Question, QuestionKind, Response, SeedLink, Survey
from tests.fixtures.recruitment import make_response

# A label that COPY's text format must escape: a tab, a newline, a backslash, quotes, Cyrillic.
LABEL = 'Алматы\t"студенты" \\ 2\nчат'  # noqa: RUF001 - Cyrillic on purpose
START = datetime(2026, 3, 1, 9, 30, 15, 123457, tzinfo=UTC)


def _questions(survey: Survey) -> tuple[Question, Question]:
    """Return the survey's first single and first multiple choice question."""
    choice = survey.questions.prefetch_related("options").order_by("page__position", "position")
    return (
        choice.filter(kind=QuestionKind.SINGLE)[0],
        choice.filter(kind=QuestionKind.MULTIPLE)[0],
    )


def _store(survey: Survey, moment: int, recruiter: Response | None, **fields: Any) -> Response:
    fields.setdefault("wave", 0 if recruiter is None else (recruiter.wave or 0) + 1)
    response = make_response(
        survey,
        recruiter=recruiter,
        submitted_at=START + timedelta(seconds=moment, microseconds=moment * 7919),
        quality_flags=[],
        **fields,
    )
    response.save()
    return response


def _odd_chains(survey: Survey) -> dict[str, Any]:
    """Store chains holding every kind of stored answer; return them and the expected rows."""
    single, multiple = _questions(survey)
    s, m = single.code, multiple.code
    one = [o.code for o in single.options.all()]
    many = [o.code for o in multiple.options.all()]
    link = SeedLink.objects.create(survey=survey, label=LABEL)
    seed = _store(survey, 0, None, seed_link=link, answers={s: one[0], m: [many[0], many[2]]})
    # Submitted at the same moment as the seed's first recruit: the id breaks the tie.
    lone = _store(survey, 2, None, answers={s: one[1]}, network_size=None)
    empty = _store(survey, 2, seed, answers={s: "", m: []}, network_size=None)
    unknown = _store(survey, 3, seed, answers={s: "not-an-option", m: ["nope", many[1], many[1]]})
    swapped = _store(survey, 4, empty, answers={s: [one[1]], m: many[2]}, network_size=0)
    Response.objects.filter(pk=swapped.pk).update(quality_flags=["too_fast"])
    odd = _store(survey, 5, unknown, answers={s: None, "other": 3})
    # Text JSON escapes (a quote, a backslash, a control character), a number, a boolean.
    escaped = _store(survey, 6, odd, answers={s: 'a"b\\c\u0001ü', m: [7, True, many[0]]})
    numeric = _store(survey, 7, escaped, answers={s: 7, m: True})
    withdrawn = _store(survey, 8, seed, answers={}, network_size=None)
    Response.objects.filter(pk=withdrawn.pk).update(withdrawn_at=START)
    after = _store(survey, 9, withdrawn, answers={s: one[2], m: [many[3]]})
    outside = _store(survey, 10, None, wave=None, answers={s: one[0]})
    orphan = _store(survey, 11, outside, wave=3, answers={s: one[0], m: many[0]})
    order = [seed, lone, empty, unknown, swapped, odd, escaped, numeric, withdrawn, after, orphan]
    expected: dict[str, Any] = {
        "ids": [str(r.pk) for r in order],
        "answered": {
            s: [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1],
            m: [1, 0, 0, 1, 1, 0, 1, 1, 0, 1, 1],
        },
        "ticked": {
            s: [{0}, {1}, set(), set(), {1}, set(), set(), set(), set(), {2}, {0}],
            m: [{0, 2}, set(), set(), {1}, {2}, set(), {0}, set(), set(), {3}, {0}],
        },
        # The recruiter outside every chain makes the orphan a seed, without a seed label.
        "parents": [None, None, seed, seed, empty, unknown, odd, escaped, seed, withdrawn, None],
        "labels": {str(seed.pk): f"#{seed.pk} · {LABEL}", str(lone.pk): f"#{lone.pk}"},
        "unflagged": [1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
        "degrees": [r.network_size if r.pk != withdrawn.pk else None for r in order],
        "times": [r.submitted_at.timestamp() for r in order],
    }
    return {"questions": [single, multiple], "expected": expected}


def _assert_forest(forest: Forest | None, expected: dict[str, Any]) -> None:
    assert forest is not None
    sample = forest.sample
    assert list(sample.ids) == expected["ids"]
    for code, answered in expected["answered"].items():
        ticked, mask = forest.answers[code]
        assert mask.tolist() == [bool(a) for a in answered], code
        assert [set(np.flatnonzero(row).tolist()) for row in ticked] == expected["ticked"][code]
    rows = {pk: row for row, pk in enumerate(expected["ids"])}
    parents = [-1 if r is None else rows[str(r.pk)] for r in expected["parents"]]
    assert sample.parent.tolist() == parents
    assert forest.seed_labels == expected["labels"]
    assert forest.unflagged.tolist() == [bool(u) for u in expected["unflagged"]]
    assert forest.times is not None and forest.times.tolist() == expected["times"]
    assert forest.outside == 1
    assert sample.imputed_degrees == sum(d in (None, 0) for d in expected["degrees"])


def test_the_forest_reads_every_kind_of_stored_answer_as_answer_matrices_does(
    sco_survey: Survey,
) -> None:
    chains = _odd_chains(sco_survey)
    _assert_forest(survey_forest(sco_survey, chains["questions"]), chains["expected"])


@pytest.mark.postgres
def test_postgresql_reads_the_same_forest_by_copy_as_the_portable_reading(
    sco_survey: Survey,
) -> None:
    chains = _odd_chains(sco_survey)
    _assert_forest(survey_forest(sco_survey, chains["questions"]), chains["expected"])
    options = {q.code: [o.code for o in q.options.all()] for q in chains["questions"]}
    chained = Response.objects.filter(survey=sco_survey, wave__isnull=False)
    rows = chained.order_by("submitted_at", "id").annotate(unflagged=unflagged_mark())
    n = chained.count()
    copied = read_postgres(rows[:n], n, options)
    portable = read_portable(rows[:n], n, options)
    for name in ("ids", "recruiters", "degrees", "unflagged", "times"):
        mine, theirs = getattr(copied, name), getattr(portable, name)
        assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs, equal_nan=True), name
    assert copied.seed_labels == portable.seed_labels
    for code, (ticked, answered) in portable.answers.items():
        assert np.array_equal(copied.answers[code][0], ticked)
        assert np.array_equal(copied.answers[code][1], answered)
    # Only the first n rows are read: a response arriving after the count waits.
    first = read_postgres(rows[:3], 3, options)
    assert first.ids.tolist() == portable.ids[:3].tolist()
    multiple = chains["questions"][1].code
    assert first.answers[multiple][0].shape == (3, len(options[multiple]))
