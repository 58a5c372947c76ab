"""Write youth-sport-2026.xlsx, the Kobo-style XLSForm the tests load (run it after editing)."""
# ruff: noqa: RUF001 - Russian and Kazakh labels on purpose

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

LANGS = ("English (en)", "Russian (ru)", "Kazakh (kk)")
SURVEY_COLUMNS = [
    "type",
    "name",
    *(f"label::{lang}" for lang in LANGS),
    *(f"hint::{lang}" for lang in LANGS),
    "required",
    "relevant",
    "constraint",
    *(f"constraint_message::{lang}" for lang in LANGS),
    "role",
    "calculation",
]


def row(kind: str, name: str = "", label: tuple[str, ...] = (), **extra: object) -> list:
    hint = extra.pop("hint", ())
    message = extra.pop("message", ())
    values = {
        "type": kind,
        "name": name,
        **{f"label::{lang}": text for lang, text in zip(LANGS, label, strict=False)},
        **{f"hint::{lang}": text for lang, text in zip(LANGS, hint, strict=False)},
        **{f"constraint_message::{lang}": text for lang, text in zip(LANGS, message, strict=False)},
        **extra,
    }
    return [values.get(column) for column in SURVEY_COLUMNS]


SURVEY = [
    row("start", "start"),
    row("begin_group", "screening", ("About you", "О вас", "Өзіңіз туралы")),
    row(
        "select_one yesno",
        "student",
        ("Are you a student?", "Вы студент?", "Сіз студентсіз бе?"),
        required="yes",
    ),
    row(
        "integer",
        "age",
        ("How old are you?", "Сколько вам лет?", "Жасыңыз нешеде?"),
        required="yes",
        constraint=". >= 14 and . <= 35",
        message=(
            "Enter an age between 14 and 35.",
            "Укажите возраст от 14 до 35 лет.",
            "Жасыңызды 14 пен 35 аралығында жазыңыз.",
        ),
    ),
    row("end_group"),
    row("begin_group", "sport", ("Sport", "Спорт", "Спорт")),
    row(
        "select_one yesno",
        "plays_sport",
        ("Do you play any sport?", "Вы занимаетесь спортом?", "Спортпен айналысасыз ба?"),
        required="yes",
    ),
    row(
        "select_multiple sports or_other",
        "sports_played",
        ("Which sports?", "Какими видами спорта?", "Қандай спорт түрлерімен?"),
        hint=("Tick all that apply.", "Отметьте всё подходящее.", "Барлық сәйкесін белгілеңіз."),
        required="yes",
        relevant="${plays_sport} = 'yes'",
    ),
    row(
        "integer",
        "hours_week",
        ("How many hours a week?", "Сколько часов в неделю?", "Аптасына неше сағат?"),
        required="yes",
        relevant="count-selected(${sports_played}) >= 1",
        constraint=". <= 60",
        message=(
            "More than 60 hours a week is not plausible.",
            "Больше 60 часов в неделю — неправдоподобно.",
            "Аптасына 60 сағаттан көп болуы мүмкін емес.",
        ),
    ),
    row("end_group"),
    row(
        "begin_group",
        "no_sport",
        ("Without sport", "Без спорта", "Спортсыз"),
        relevant="${plays_sport} = 'no'",
    ),
    row(
        "select_one reasons",
        "why_no_sport",
        ("What keeps you from it?", "Что вам мешает?", "Сізге не кедергі?"),
        required="yes",
    ),
    row(
        "note",
        "no_sport_note",
        (
            "Thank you: that helps us too.",
            "Спасибо, это нам тоже поможет.",
            "Рахмет, бұл да бізге көмектеседі.",
        ),
    ),
    row("end_group"),
    row("begin_group", "about", ("Your circle", "Ваш круг", "Сіздің ортаңыз")),
    row(
        "select_one cities",
        "city",
        ("Where do you study?", "Где вы учитесь?", "Қай қалада оқисыз?"),
        required="yes",
        role="country",
    ),
    row(
        "select_one genders",
        "gender",
        ("Your gender", "Ваш пол", "Жынысыңыз"),
        required="yes",
        role="gender",
    ),
    row(
        "integer",
        "students_known",
        (
            "How many students do you know by name?",
            "Скольких студентов вы знаете по имени?",
            "Қанша студентті атымен танисыз?",
        ),
        required="yes",
        constraint=". >= 1 and . <= 500",
        message=(
            "Enter a number from 1 to 500.",
            "Введите число от 1 до 500.",
            "1-ден 500-ге дейінгі санды жазыңыз.",
        ),
        role="network_size",
    ),
    row(
        "text", "comments", ("Anything else?", "Что-нибудь ещё?", "Тағы не айтасыз?"), required="no"
    ),
    row("end_group"),
    row("end", "end"),
]

CHOICES = [
    ("yesno", "yes", ("Yes", "Да", "Иә")),
    ("yesno", "no", ("No", "Нет", "Жоқ")),
    ("sports", "football", ("Football", "Футбол", "Футбол")),
    ("sports", "volleyball", ("Volleyball", "Волейбол", "Волейбол")),
    ("sports", "chess", ("Chess", "Шахматы", "Шахмат")),
    ("reasons", "time", ("No time", "Нет времени", "Уақыт жоқ")),
    ("reasons", "money", ("Too expensive", "Слишком дорого", "Тым қымбат")),
    ("reasons", "health", ("Health", "Здоровье", "Денсаулық")),
    ("cities", "almaty", ("Almaty", "Алматы", "Алматы")),
    ("cities", "astana", ("Astana", "Астана", "Астана")),
    ("cities", "shymkent", ("Shymkent", "Шымкент", "Шымкент")),
    ("genders", "female", ("Female", "Женский", "Әйел")),
    ("genders", "male", ("Male", "Мужской", "Ер")),
]

SETTINGS = {
    "form_id": "youth-sport-2026",
    "form_title": "Students and sport (2026)",
    "form_title::Russian (ru)": "Студенты и спорт (2026)",
    "form_title::Kazakh (kk)": "Студенттер және спорт (2026)",
    "version": "2026-01",
    "default_language": "English (en)",
    "eligibility": "${student} = 'yes' and ${age} >= 16",
}


def build(
    survey_rows: list[list] | None = None, settings: dict[str, str] | None = None
) -> Workbook:
    """Return the workbook, with other survey rows or settings for a test's variant."""
    settings = SETTINGS if settings is None else settings
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(SURVEY_COLUMNS)
    for values in SURVEY if survey_rows is None else survey_rows:
        survey.append(values)
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", *(f"label::{lang}" for lang in LANGS)])
    for list_name, name, labels in CHOICES:
        choices.append([list_name, name, *labels])
    sheet = book.create_sheet("settings")
    sheet.append(list(settings))
    sheet.append(list(settings.values()))
    return book


def main() -> None:
    build().save(Path(__file__).with_name("youth-sport-2026.xlsx"))


if __name__ == "__main__":
    main()
