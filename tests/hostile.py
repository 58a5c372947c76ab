"""Check that nothing malformed was stored, whatever a hostile client sent."""

from __future__ import annotations

from typing import Any

from surveys.models import Draft, Question, QuestionKind, Response, Survey


def _valid(question: Question, value: Any) -> bool:
    codes = {option.code for option in question.options.all()}
    if question.kind == QuestionKind.SINGLE:
        return isinstance(value, str) and value in codes
    if question.kind == QuestionKind.MULTIPLE:
        return isinstance(value, list) and bool(value) and set(value) <= codes
    if question.kind == QuestionKind.INTEGER:
        low = question.min_value if question.min_value is not None else -(2**31)
        high = question.max_value if question.max_value is not None else 2**31
        return isinstance(value, int) and low <= value <= high
    return isinstance(value, str) and len(value) <= question.max_length and "\x00" not in value


def assert_nothing_malformed_stored(survey: Survey) -> None:
    """Fail if any draft or response holds an answer its question would not accept."""
    questions = {q.code: q for q in survey.questions.prefetch_related("options")}
    for holder in [*Draft.objects.filter(survey=survey), *Response.objects.filter(survey=survey)]:
        assert set(holder.answers) <= set(questions), holder.answers
        for code, value in holder.answers.items():
            assert _valid(questions[code], value), (code, value)
        for code, text in holder.other_texts.items():
            assert code in holder.answers, (code, holder.answers)
            assert isinstance(text, str) and 0 < len(text) <= 500 and "\x00" not in text
