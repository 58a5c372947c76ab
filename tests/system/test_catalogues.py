"""Strict catalogues: msgfmt -c accepts them and no translation drops a placeholder.

A placeholder dropped from one plural form only shows for some numbers (Russian writes 21, 31, …
with the form for 1), and Django renders a missing one silently, so both checks read the files.
Russian and Kazakh also keep a per cent sign on the line of its number (a no-break space).
"""

# ruff: noqa: RUF001 - Russian and Kazakh texts on purpose
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po"))
# %(name)s and %s in python-format entries; {name} in python-brace-format ones. %% is a literal.
PYTHON = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
BRACE = re.compile(r"\{[^{}]*\}")
# An ordinary space before a per cent sign (not before a %(name)s placeholder).
SPACE_BEFORE_PERCENT = re.compile(r" (?=%%|%(?!\())")


def _placeholders(text: str, flags: list[str]) -> set[str]:
    found: set[str] = set()
    if "python-format" in flags:
        found |= set(PYTHON.findall(text.replace("%%", "")))
    if "python-brace-format" in flags:
        found |= set(BRACE.findall(text.replace("{{", "").replace("}}", "")))
    return found


def placeholder_problems(path: Path) -> list[str]:
    """Return, per translated form, the placeholders it drops or adds to its msgid's."""
    problems = []
    for entry in polib.pofile(str(path)).translated_entries():
        expected = _placeholders(entry.msgid + entry.msgid_plural, entry.flags)
        forms = entry.msgstr_plural or {0: entry.msgstr}
        for index, text in sorted(forms.items()):
            got = _placeholders(text, entry.flags)
            if got != expected:
                where = f"msgstr[{index}]" if entry.msgstr_plural else "msgstr"
                problems.append(
                    f"{path.parent.parent.name} {where} of {entry.msgid[:60]!r}: "
                    f"drops {sorted(expected - got)}, adds {sorted(got - expected)}"
                )
    return problems


def msgfmt_problems(path: Path) -> str:
    """Return what ``msgfmt -c`` says is wrong with the catalogue ('' when it accepts it)."""
    run = subprocess.run(
        ["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    return "" if run.returncode == 0 else run.stderr


def test_the_project_has_a_russian_a_kazakh_and_an_english_catalogue() -> None:
    assert {path.parent.parent.name for path in CATALOGUES} == {"ru", "kk", "en"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_msgfmt_check_accepts_every_catalogue(path: Path) -> None:
    assert msgfmt_problems(path) == ""


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_every_translation_keeps_every_placeholder_in_every_plural_form(path: Path) -> None:
    problems = placeholder_problems(path)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_russian_and_kazakh_keep_a_per_cent_sign_on_the_line_of_its_number(language: str) -> None:
    catalogue = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    ordinary = [
        text
        for entry in catalogue.translated_entries()
        for text in (entry.msgstr_plural or {0: entry.msgstr}).values()
        if SPACE_BEFORE_PERCENT.search(text)
    ]
    assert not ordinary, f"use a no-break space (U+00A0) before % in: {ordinary}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_every_entry_starts_after_a_blank_line(path: Path) -> None:
    # Entries appended by several people, or both sides of a merge kept, must not run together.
    lines = path.read_text(encoding="utf-8").splitlines()
    glued = [
        f"{path.parent.parent.name}:{number + 1}: {line}"
        for number, line in enumerate(lines)
        if number
        and re.match(r"(msgid |msgctxt |#)", line)
        and re.match(r'(msgstr|")', lines[number - 1])
    ]
    assert not glued, glued


BROKEN = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && \
(n%100<10 || n%100>=20) ? 1 : 2);\\n"

#, python-format
msgid "Over the last %(waves)s wave"
msgid_plural "Over the last %(waves)s waves"
msgstr[0] "За последнюю волну"
msgstr[1] "За последние %(waves)s волны"
msgstr[2] "За последние %(waves)s волн"

#, python-format
msgid "%(size)s of the %(total)s responses"
msgstr "%(size)s ответов"
"""


def test_the_checks_catch_a_plural_form_or_a_translation_that_drops_a_placeholder(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "django.po"
    broken.write_text(BROKEN, encoding="utf-8")
    assert "'waves' doesn't exist in 'msgstr[0]'" in msgfmt_problems(broken)
    problems = placeholder_problems(broken)
    assert len(problems) == 2
    assert "msgstr[0] of 'Over the last %(waves)s wave': drops ['%(waves)s']" in problems[0]
    assert "drops ['%(total)s']" in problems[1]
