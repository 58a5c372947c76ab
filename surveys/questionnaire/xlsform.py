"""Read an XLSForm (ODK, KoboToolbox, SurveyCTO) into questionnaire data, with pyxform.

pyxform reads the workbook and checks it as ODK would; this module then maps what the
platform supports onto the questionnaire format the loader takes (the same as the JSON files)
and refuses anything else with its sheet, its row and the reason, before anything is written.
Groups become pages; ``or_other`` becomes the platform's "other (specify)" option with its
own translated label; a ``role`` column names the platform's roles; the ``settings`` sheet's
``eligibility`` column is the screening rule. Languages are read from column suffixes such as
``label::Russian (ru)`` or ``label::ru``; a column without one is in the default language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from surveys.logic.checks import LogicError
from surveys.models import QuestionRole, Survey
from surveys.models.i18n import LANGUAGE_CODES
from surveys.questionnaire.loader import questionnaire_load

KINDS = {
    "select_one": "single",
    "select_multiple": "multiple",
    "integer": "integer",
    "decimal": "decimal",
    "text": "text",
    "note": "note",
    "date": "date",
}
# Metadata a Kobo form records by itself; they ask nothing, so they are passed over.
IGNORED_TYPES = {"start", "end", "today"}
LANGUAGE_NAMES = {"english": "en", "russian": "ru", "kazakh": "kk"}
TRANSLATED = ("label", "hint", "constraint_message")
UNSUPPORTED_COLUMNS = ("choice_filter", "repeat_count", "calculation", "default", "trigger")
OTHER_CODE = "other"
OTHER_LABEL = gettext_noop("Other")  # the platform's own label (pyxform's is English only)


@dataclass
class XLSFormProblem(Exception):
    """Something in the form the platform cannot take; nothing of the form is loaded."""

    sheet: str
    row: int | None
    reason: str

    def __str__(self) -> str:
        if self.row is None:
            return _("sheet “%(sheet)s”: %(reason)s") % {"sheet": self.sheet, "reason": self.reason}
        return _("sheet “%(sheet)s”, row %(row)s: %(reason)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "reason": self.reason,
        }


@dataclass
class XLSForm:
    """The questionnaire data read from a form, and where each question and page came from."""

    data: dict[str, Any]
    rows: dict[str, int] = field(default_factory=dict)  # survey-sheet row per code

    def problem_for(self, error: ValidationError) -> XLSFormProblem:
        """Return a loader's error as a problem of the form's row that caused it."""
        message = " ".join(error.messages)
        cause = error.__cause__
        where = cause.problem.where if isinstance(cause, LogicError) else None
        if where == "":  # the eligibility rule
            return XLSFormProblem("settings", 2, message)
        for code, row in self.rows.items():
            if code == where or (where is None and re.search(rf"\b{re.escape(code)}\b", message)):
                return XLSFormProblem("survey", row, message)
        return XLSFormProblem("survey", None, message)


def _language(suffix: str, default: str) -> str | None:
    suffix = suffix.strip()
    if not suffix:
        return default
    match = re.search(r"\(([A-Za-z-]+)\)\s*$", suffix)
    code = (match.group(1) if match else LANGUAGE_NAMES.get(suffix.lower(), suffix)).lower()
    return code if code in LANGUAGE_CODES else None


def _texts(row: dict[str, str], name: str, default: str, sheet: str, number: int) -> dict:
    texts: dict[str, str] = {}
    for column, value in row.items():
        base, _sep, suffix = column.partition("::")
        if base.strip() != name or not value:
            continue
        language = _language(suffix, default)
        if language is None:
            reason = _("the language of column “%(column)s” is not one the platform offers")
            raise XLSFormProblem(sheet, number, reason % {"column": column})
        texts[language] = value
    if texts and "en" not in texts:
        texts["en"] = texts.get(default) or next(iter(texts.values()))  # shown when untranslated
    return texts


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"yes", "true", "true()", "1"}


def _slug(value: str, sheet: str, number: int, what: str) -> str:
    try:
        validate_slug(value)
    except ValidationError:
        reason = _("%(what)s “%(value)s” must be letters, digits, hyphens or underscores")
        raise XLSFormProblem(sheet, number, reason % {"what": what, "value": value}) from None
    return value


def _other_option() -> dict[str, Any]:
    labels = {}
    for language in LANGUAGE_CODES:
        with translation.override(language):
            labels[language] = _(OTHER_LABEL)
    return {"code": OTHER_CODE, "other": True, "label": labels}


def _choices(book: Any, default: str) -> dict[str, list[dict[str, Any]]]:
    lists: dict[str, list[dict[str, Any]]] = {}
    for index, row in enumerate(book.choices or []):
        number = index + 2
        if not row:
            continue
        list_name, name = row.get("list_name", ""), row.get("name", "")
        if not list_name or not name:
            raise XLSFormProblem("choices", number, _("a choice needs a list_name and a name"))
        label = _texts(row, "label", default, "choices", number)
        option = {"code": _slug(name, "choices", number, _("the choice name")), "label": label}
        if _flag(row.get("other")):  # the platform's column: "other (specify)" asks for a text
            option["other"] = True
        lists.setdefault(list_name, []).append(option)
    return lists


def _settings(book: Any) -> dict[str, str]:
    rows = [row for row in (book.settings or []) if row]
    return dict(rows[0]) if rows else {}


class _Reader:
    def __init__(self, book: Any) -> None:
        self.settings = _settings(book)
        self.default = _language(self.settings.get("default_language", ""), "en") or "en"
        self.lists = _choices(book, self.default)
        self.pages: list[dict[str, Any]] = []
        self.rows: dict[str, int] = {}
        self.page: dict[str, Any] | None = None
        self.book = book

    def read(self) -> dict[str, Any]:
        for index, row in enumerate(self.book.survey or []):
            if row:
                self.row(row, index + 2)
        if self.page is not None and self.page.get("group"):
            raise XLSFormProblem("survey", self.page["row"], _("this group is never closed"))
        return self.questionnaire()

    def row(self, row: dict[str, str], number: int) -> None:
        kind_words = re.sub(r"\s+", " ", row.get("type", "").strip()).split(" ")
        kind = kind_words[0].replace("begin group", "begin_group")
        if len(kind_words) > 1 and kind_words[0] in {"begin", "end"}:
            kind, kind_words = f"{kind_words[0]}_{kind_words[1]}", [kind_words[0], *kind_words[2:]]
        for column in UNSUPPORTED_COLUMNS:
            if row.get(column):
                reason = _("the column “%(column)s” is not supported")
                raise XLSFormProblem("survey", number, reason % {"column": column})
        if kind in IGNORED_TYPES:
            return
        if kind == "begin_group":
            self.begin_group(row, number)
        elif kind == "end_group":
            if self.page is None or not self.page.get("group"):
                raise XLSFormProblem("survey", number, _("end_group without a begin_group"))
            self.page = None
        elif kind in KINDS:
            self.question(row, number, kind, kind_words[1:])
        else:
            reason = _("the question type “%(type)s” is not supported")
            raise XLSFormProblem("survey", number, reason % {"type": row.get("type", "")})

    def begin_group(self, row: dict[str, str], number: int) -> None:
        if self.page is not None and self.page.get("group"):
            raise XLSFormProblem("survey", number, _("groups inside groups are not supported"))
        code = _slug(row.get("name", ""), "survey", number, _("the group name"))
        title = _texts(row, "label", self.default, "survey", number) or {"en": code}
        self.page = {"code": code, "title": title, "questions": [], "group": True, "row": number}
        intro = _texts(row, "hint", self.default, "survey", number)
        if intro:
            self.page["intro"] = intro
        if row.get("relevant"):
            self.page["relevant"] = row["relevant"]
        self.pages.append(self.page)
        self.rows[code] = number

    def question(self, row: dict[str, str], number: int, kind: str, rest: list[str]) -> None:
        code = _slug(row.get("name", ""), "survey", number, _("the question name"))
        if code in self.rows:
            reason = _("the name “%(code)s” is used twice")
            raise XLSFormProblem("survey", number, reason % {"code": code})
        text = _texts(row, "label", self.default, "survey", number)
        if not text:
            raise XLSFormProblem("survey", number, _("the question has no label"))
        question: dict[str, Any] = {
            "code": code,
            "kind": KINDS[kind],
            "text": text,
            "help": _texts(row, "hint", self.default, "survey", number),
            "required": _flag(row.get("required")) and kind != "note",
        }
        for column in ("relevant", "constraint"):
            if row.get(column):
                question[column] = row[column]
        message = _texts(row, "constraint_message", self.default, "survey", number)
        if message:
            question["constraint_message"] = message
        for column in ("min", "max"):  # the platform's bounds; an XLSForm says them as a constraint
            if row.get(column):
                try:
                    question[column] = int(row[column])
                except ValueError:
                    reason = _("“%(column)s” must be a whole number")
                    raise XLSFormProblem("survey", number, reason % {"column": column}) from None
        role = row.get("role", "")
        if role:
            if role not in QuestionRole.values:
                reason = _("the role “%(role)s” is not one of %(roles)s")
                roles = ", ".join(QuestionRole.values)
                raise XLSFormProblem("survey", number, reason % {"role": role, "roles": roles})
            question["role"] = role
        if kind in {"select_one", "select_multiple"}:
            question["options"] = self.options(rest, number)
        if kind == "note":
            question["required"] = False
        if self.page is None:  # questions outside any group make a page of their own
            self.page = {"code": f"page-{len(self.pages) + 1}", "questions": [], "row": number}
            self.page["title"] = self.title()
            self.pages.append(self.page)
        self.page["questions"].append(question)
        self.rows[code] = number

    def options(self, rest: list[str], number: int) -> list[dict[str, Any]]:
        other = bool(rest) and rest[-1] == "or_other"
        names = rest[:-1] if other else rest
        if len(names) != 1 or names[0] not in self.lists:
            reason = _("the choice list “%(name)s” is not on the choices sheet")
            raise XLSFormProblem("survey", number, reason % {"name": " ".join(names)})
        options = [dict(option) for option in self.lists[names[0]]]
        if other:
            if any(option["code"] == OTHER_CODE for option in options):
                reason = _("or_other adds the choice “other”, which the list already has")
                raise XLSFormProblem("survey", number, reason)
            options.append(_other_option())
        return options

    def title(self) -> dict[str, str]:
        return _texts(self.settings, "form_title", self.default, "settings", 2) or {
            "en": self.settings.get("form_id", "")
        }

    def questionnaire(self) -> dict[str, Any]:
        form_id = self.settings.get("form_id", "")
        if not form_id:
            raise XLSFormProblem("settings", 2, _("form_id is missing: it becomes the address"))
        _slug(form_id, "settings", 2, _("form_id"))
        if not self.pages:
            raise XLSFormProblem("survey", None, _("the form asks no question"))
        for page in self.pages:
            page.pop("group", None)
            page.pop("row", None)
        data: dict[str, Any] = {
            "slug": form_id,
            "title": self.title(),
            "consent": _texts(self.settings, "consent", self.default, "settings", 2)
            or _default_texts(DEFAULT_CONSENT),
            "consent_label": _texts(self.settings, "consent_label", self.default, "settings", 2)
            or _default_texts(DEFAULT_CONSENT_LABEL),
            "description": _texts(self.settings, "description", self.default, "settings", 2),
            "eligibility": self.settings.get("eligibility", ""),
            "form_version": self.settings.get("version", ""),
            "pages": self.pages,
        }
        for name in ("coupon_limit", "min_completion_seconds"):  # the platform's own settings
            if self.settings.get(name, "").strip().isdigit():
                data[name] = int(self.settings[name])
        return data


DEFAULT_CONSENT = (
    "Taking part is voluntary and your answers are anonymous. You may stop at any time."
)
DEFAULT_CONSENT_LABEL = "I agree to take part"


def _default_texts(message: str) -> dict[str, str]:
    texts = {}
    for language in LANGUAGE_CODES:
        with translation.override(language):
            texts[language] = _(message)
    return texts


def xlsform_read(*, source: Path | bytes) -> XLSForm:
    """Return the questionnaire data of an XLSForm file; raise XLSFormProblem if unusable."""
    # Imported on use: every process loads this module with the apps, pyxform is some 14 MB.
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    try:
        book = get_xlsform(xlsform=BytesIO(source) if isinstance(source, bytes) else source)
        workbook_to_json(
            workbook_dict=book,
            form_name="data",
            fallback_form_name=book.fallback_form_name,
            default_language="default",
            warnings=[],
        )
    except PyXFormError as error:
        # pyxform says where in its own words: "[row : 7]", "On the 'settings' sheet".
        row = re.search(r"\[row : (\d+)\]", str(error))
        sheet = re.search(r"[Oo]n the '(\w+)' sheet", str(error))
        raise XLSFormProblem(
            sheet.group(1) if sheet else "survey", int(row.group(1)) if row else None, str(error)
        ) from None
    reader = _Reader(book)
    data = reader.read()
    return XLSForm(data=data, rows=reader.rows)


def xlsform_load(*, source: Path | bytes) -> Survey:
    """Load an XLSForm as a survey, all of it or, with XLSFormProblem, nothing."""
    form = xlsform_read(source=source)
    try:
        return questionnaire_load(data=form.data)
    except ValidationError as error:
        raise form.problem_for(error) from error
