"""Which pages and questions a respondent is asked, from the answers given so far.

One rule for the server's pages, the draft, the final submit and the exports: questions are
taken in questionnaire order and a question is asked when its page's and its own ``relevant``
conditions hold over the answers to the questions asked before it. The answer to a question
that is not asked counts as no answer for every later condition (as in ODK), and is never kept.
Conditions only read earlier questions (the loader checks it), so one pass decides everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from surveys.logic.expressions import holds
from surveys.models import Page, Survey


def asked_codes(pages: Iterable[Page], answers: Mapping[str, Any]) -> set[str]:
    """Return the codes of the questions the respondent with these answers is asked."""
    asked: set[str] = set()
    seen: dict[str, Any] = {}
    for page in pages:
        page_shown = holds(page.relevant, seen)
        for question in page.questions.all():
            if page_shown and holds(question.relevant, seen):
                asked.add(question.code)
                if question.code in answers:
                    seen[question.code] = answers[question.code]
    return asked


def kept_answers(
    pages: Iterable[Page], answers: Mapping[str, Any], other_texts: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the answers and "other" texts without those to questions that are not asked."""
    pages = list(pages)
    asked = asked_codes(pages, answers)
    skipped = {q.code for page in pages for q in page.questions.all()} - asked
    return (
        {code: value for code, value in answers.items() if code not in skipped},
        {code: text for code, text in other_texts.items() if code not in skipped},
    )


def page_is_asked(pages: list[Page], index: int, answers: Mapping[str, Any]) -> bool:
    """Return whether the page at ``index`` asks the respondent anything."""
    asked = asked_codes(pages, answers)
    return any(question.code in asked for question in pages[index].questions.all())


def next_page_index(pages: list[Page], index: int, answers: Mapping[str, Any]) -> int | None:
    """Return the index of the first page after ``index`` that asks anything, or None."""
    asked = asked_codes(pages, answers)
    for later in range(index + 1, len(pages)):
        if any(question.code in asked for question in pages[later].questions.all()):
            return later
    return None


def previous_page_index(pages: list[Page], index: int, answers: Mapping[str, Any]) -> int:
    """Return the index of the last page before ``index`` that asks anything (else the first)."""
    asked = asked_codes(pages, answers)
    for earlier in range(index - 1, -1, -1):
        if any(question.code in asked for question in pages[earlier].questions.all()):
            return earlier
    return 0


def question_conditions(*, survey: Survey) -> dict[str, str]:
    """Return the condition under which each conditional question is asked (page and own)."""
    pages = dict(survey.pages.values_list("pk", "relevant"))
    conditions: dict[str, str] = {}
    for code, page_id, relevant in survey.questions.values_list("code", "page_id", "relevant"):
        parts = [text for text in (pages.get(page_id, ""), relevant) if text.strip()]
        if parts:
            conditions[code] = parts[0] if len(parts) == 1 else f"({parts[0]}) and ({parts[1]})"
    return conditions
