"""Which questions of one page are asked, as the page form and its template need to know.

A question whose condition reads only earlier pages is decided when the page is built: it is
asked or it is not on the page at all. One whose condition reads an answer on the same page is
on the page, shown or hidden as those answers change: the browser re-checks its condition (the
tree, with earlier pages' answers already filled in, sent as JSON) and the server decides again
from the posted answers, so the page works the same without JavaScript.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from surveys.logic.expressions import Node, bind, evaluate, parse, references, truthy
from surveys.models import Question

EMPTY = (None, "", [])


def stored_value(value: Any) -> Any:
    """Return a form's cleaned value as the draft and the response keep it."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class PageLogic:
    """The skip logic of one page, given the answers to the earlier pages."""

    def __init__(
        self,
        *,
        questions: list[Question],
        earlier_answers: Mapping[str, Any],
        initial: Mapping[str, Any],
    ) -> None:
        self.questions = questions
        self.codes = frozenset(question.code for question in questions)
        self.earlier = {k: v for k, v in earlier_answers.items() if k not in self.codes}
        self.trees: dict[str, Node] = {}
        self.left_out: set[str] = set()
        for question in questions:
            if not question.relevant.strip():
                continue
            tree = parse(question.relevant)
            if references(tree) & self.codes:
                self.trees[question.code] = bind(tree, self.earlier, self.codes)
            elif not truthy(evaluate(tree, self.earlier)):
                self.left_out.add(question.code)
        self.seen: dict[str, Any] = {}
        self.asked = self._walk(initial)

    def _walk(self, values: Mapping[str, Any]) -> set[str]:
        seen = dict(self.earlier)
        asked: set[str] = set()
        for question in self.questions:
            if question.code in self.left_out:
                continue
            tree = self.trees.get(question.code)
            if tree is None or truthy(evaluate(tree, seen)):
                asked.add(question.code)
                value = stored_value(values.get(question.code))
                if value not in EMPTY:
                    seen[question.code] = value
        self.seen = seen
        return asked

    def may_ask(self, question: Question) -> bool:
        """Return whether the question is on the page at all."""
        return question.code not in self.left_out

    def is_asked(self, question: Question) -> bool:
        """Return whether the question is asked with the answers read last."""
        return question.code in self.asked

    def decide(self, cleaned: Mapping[str, Any], errors: Mapping[str, Any]) -> list[Question]:
        """Decide again from posted answers; return the questions on the page not asked."""
        valid = {code: value for code, value in cleaned.items() if code not in errors}
        self.asked = self._walk(valid)
        return [
            question
            for question in self.questions
            if question.code not in self.asked and question.code not in self.left_out
        ]

    def browser_condition(self, question: Question) -> str:
        """Return the condition the browser re-checks, as JSON; "" when it has none."""
        tree = self.trees.get(question.code)
        return json.dumps(tree, ensure_ascii=False) if tree is not None else ""
