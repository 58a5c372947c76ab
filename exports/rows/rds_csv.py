"""The recruitment as a CSV in the layout of R's ``RDS`` package.

Columns: ``id``, ``recruiter.id``, ``network.size``, ``wave``, ``seed``, then one column per
single-choice or integer question holding the answer code or number, and one 0/1 column
``<question>__<option>`` per option of a multiple-choice question. Free texts are left out.

* ``id`` is the response id, as in the raw export.
* Seeds have ``recruiter.id`` = ``seed`` (R's convention) and ``wave`` 0; ``seed`` is the id of
  the wave-0 respondent at the root of each row's tree.
* A withdrawn response stays as a row with every answer and ``network.size`` empty (they were
  erased): R's ``RDS`` needs every recruiter in the data, and its recruits keep their recruiter,
  wave and seed. The same tombstone is in the wide export, the tree and the RDS forest.
* A respondent who came without a link is the wave-0 seed of a chain of their own.
* ``wave`` and ``seed`` are computed from the chains, and agree with the stored waves.
* A question left unanswered is an empty cell (``NA`` in R).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from surveys.models import Question, QuestionKind, QuestionRole, Response, Survey

SEED = "seed"
FIXED_COLUMNS = ["id", "recruiter.id", "network.size", "wave", "seed"]


def _questions(survey: Survey) -> list[Question]:
    # Texts, dates and notes are no categories or numbers for the estimators.
    skipped = [QuestionKind.TEXT, QuestionKind.DATE, QuestionKind.NOTE]
    questions = Question.objects.filter(survey=survey).exclude(kind__in=skipped)
    # The network-size question is already exported as network.size.
    questions = questions.exclude(role=QuestionRole.NETWORK_SIZE)
    return list(questions.order_by("page__position", "position").prefetch_related("options"))


def recruitment_header(*, questions: list[Question]) -> list[str]:
    """Return the CSV's column names."""
    header = list(FIXED_COLUMNS)
    for question in questions:
        if question.kind == QuestionKind.MULTIPLE:
            header.extend(f"{question.code}__{option.code}" for option in question.options.all())
        else:
            header.append(question.code)
    return header


def _answer_cells(questions: list[Question], answers: dict[str, Any]) -> list[Any]:
    cells: list[Any] = []
    for question in questions:
        value = answers.get(question.code)
        if question.kind == QuestionKind.MULTIPLE:
            options = question.options.all()
            if isinstance(value, list):
                ticked = set(value)
                cells.extend(1 if option.code in ticked else 0 for option in options)
            else:
                cells.extend("" for _ in options)
        else:
            cells.append("" if value is None else value)
    return cells


def recruitment_rows(*, survey: Survey) -> Iterator[list[Any]]:
    """Yield the header, then one row per response (withdrawn ones as tombstones), oldest first."""
    questions = _questions(survey)
    yield recruitment_header(questions=questions)
    wave_of: dict[int, int] = {}
    seed_of: dict[int, int] = {}
    rows = (
        Response.objects.filter(survey=survey)
        .order_by("id")
        .values_list("id", "recruiter_id", "network_size", "answers")
    )
    # A recruiter is always stored before their recruits, so one pass in id order suffices.
    for response_id, recruiter_id, network_size, answers in rows.iterator(chunk_size=2000):
        if recruiter_id in wave_of:
            wave_of[response_id] = wave_of[recruiter_id] + 1
            seed_of[response_id] = seed_of[recruiter_id]
            recruiter: int | str = recruiter_id
        else:
            wave_of[response_id] = 0
            seed_of[response_id] = response_id
            recruiter = SEED
        yield [
            response_id,
            recruiter,
            "" if network_size is None else network_size,
            wave_of[response_id],
            seed_of[response_id],
            *_answer_cells(questions, answers),
        ]
