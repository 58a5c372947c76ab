"""The survey's eligibility rule: decided as soon as every screening question is behind."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from surveys.logic.expressions import evaluate, parse, references, truthy
from surveys.logic.skip import kept_answers
from surveys.models import Page, Survey


def screening_codes(*, survey: Survey) -> set[str]:
    """Return the codes of the questions the eligibility rule reads."""
    return references(parse(survey.eligibility)) if survey.eligibility.strip() else set()


def screened_out(
    *, survey: Survey, pages: list[Page], answers: Mapping[str, Any], through_index: int
) -> bool:
    """Return whether the rule can be decided after the page ``through_index`` and fails."""
    if not survey.eligibility.strip():
        return False
    codes = screening_codes(survey=survey)
    behind = {q.code for page in pages[: through_index + 1] for q in page.questions.all()}
    if not codes <= behind:
        return False
    asked, _ = kept_answers(pages, answers, {})
    return not truthy(evaluate(parse(survey.eligibility), asked))
