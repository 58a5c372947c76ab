"""Check a questionnaire's conditions when it is loaded: they parse and name what exists."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from surveys.logic.expressions import ExpressionError, Node, option_literals, parse, walk
from surveys.models import Page, Question


@dataclass(frozen=True)
class LogicProblem:
    """One condition that cannot be used; ``where`` is a question or page code, "" the survey."""

    where: str
    column: str  # relevant, constraint or eligibility
    reason: str


class LogicError(ValueError):
    """A questionnaire whose conditions cannot be used; nothing of it may be loaded."""

    def __init__(self, problem: LogicProblem) -> None:
        where = f"{problem.where}: " if problem.where else ""
        super().__init__(f"{where}{problem.column}: {problem.reason}")
        self.problem = problem


def _names(
    tree: Node,
    *,
    known: dict[str, Question],
    earlier: set[str],
    allow_self: bool,
) -> str | None:
    """Return why the tree cannot be evaluated here, or None."""
    for node in walk(tree):
        if node[0] == "self" and not allow_self:
            return _("“.” (this question's answer) is only allowed in a constraint")
        if node[0] == "ref":
            code = node[1]
            if code not in known:
                return _("names an unknown question ${%(code)s}") % {"code": code}
            if code not in earlier:
                return _("reads ${%(code)s}, which is not asked before it") % {"code": code}
    for code, option in option_literals(tree):
        question = known.get(code)
        if (
            question is not None
            and question.has_options
            and option not in {choice.code for choice in question.options.all()}
        ):
            return _("names an unknown option “%(option)s” of ${%(code)s}") % {
                "option": option,
                "code": code,
            }
    return None


def _check(text: str, where: str, column: str, **context: object) -> None:
    if not text.strip():
        return
    try:
        tree = parse(text)
    except ExpressionError as error:
        raise LogicError(
            LogicProblem(where, column, _("does not parse: %(error)s") % {"error": error})
        ) from None
    reason = _names(tree, **context)  # type: ignore[arg-type]
    if reason is not None:
        raise LogicError(LogicProblem(where, column, reason))


def questionnaire_check(*, pages: list[Page], eligibility: str) -> None:
    """Raise LogicError for the first condition that does not parse or names the unknown.

    A condition may read only questions asked before it (a page's: those of earlier pages), so
    that one pass in questionnaire order decides what is asked (surveys.logic.skip).
    """
    known = {question.code: question for page in pages for question in page.questions.all()}
    earlier: set[str] = set()
    for page in pages:
        _check(
            page.relevant,
            page.code,
            "relevant",
            known=known,
            earlier=set(earlier),
            allow_self=False,
        )
        for question in page.questions.all():
            _check(
                question.relevant,
                question.code,
                "relevant",
                known=known,
                earlier=set(earlier),
                allow_self=False,
            )
            _check(
                question.constraint,
                question.code,
                "constraint",
                known=known,
                earlier=earlier | {question.code},
                allow_self=True,
            )
            earlier.add(question.code)
    _check(eligibility, "", "eligibility", known=known, earlier=set(known), allow_self=False)
