"""A condition in words, for the codebook: "asked when «Do you ride?» is “Yes”"."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from surveys.logic.expressions import Node, parse
from surveys.models import Question
from surveys.models.i18n import localized


def _value(node: Node, questions: dict[str, Question], language: str) -> str:
    kind = node[0]
    if kind == "ref":
        question = questions.get(node[1])
        text = localized(question, "text", language) if question else node[1]
        return f"«{text}»"
    if kind == "self":
        return _("the answer")
    if kind == "count":
        return _("the number of choices at %(question)s") % {
            "question": _value(node[1], questions, language)
        }
    if kind == "lit":
        return f"“{node[1]}”" if isinstance(node[1], str) else str(node[1])
    return _words(node, questions, language)


def _option(ref: Node, code: str, questions: dict[str, Question], language: str) -> str:
    question = questions.get(ref[1]) if ref[0] == "ref" else None
    for option in question.options.all() if question is not None else []:
        if option.code == code:
            return f"“{localized(option, 'label', language)}”"
    return f"“{code}”"


def _words(node: Node, questions: dict[str, Question], language: str) -> str:
    kind = node[0]
    if kind in {"and", "or"}:
        joiner = _("and") if kind == "and" else _("or")
        parts = [_words(child, questions, language) for child in node[1:]]
        return f" {joiner} ".join(f"({part})" if " " in part else part for part in parts)
    if kind == "not":
        return _("not (%(condition)s)") % {"condition": _words(node[1], questions, language)}
    if kind == "selected":
        return _("%(question)s includes %(option)s") % {
            "question": _value(node[1], questions, language),
            "option": _option(node[1], str(node[2]), questions, language),
        }
    if kind == "cmp":
        op, left, right = node[1], node[2], node[3]
        if (
            op in {"=", "!="}
            and left[0] == "ref"
            and right[0] == "lit"
            and isinstance(right[1], str)
        ):
            value = _option(left, right[1], questions, language)
        else:
            value = _value(right, questions, language)
        phrase = {
            "=": _("%(left)s is %(right)s"),
            "!=": _("%(left)s is not %(right)s"),
            "<": _("%(left)s is less than %(right)s"),
            "<=": _("%(left)s is at most %(right)s"),
            ">": _("%(left)s is more than %(right)s"),
            ">=": _("%(left)s is at least %(right)s"),
        }[op]
        return phrase % {"left": _value(left, questions, language), "right": value}
    return _value(node, questions, language)


def condition_in_words(text: str, *, questions: dict[str, Question], language: str) -> str:
    """Return a condition as a sentence in ``language``, naming questions by their wording."""
    with translation.override(language):
        return _words(parse(text), questions, language)
