"""Every string a respondent can see exists in Russian and Kazakh, as well as English."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = "locale/{language}/LC_MESSAGES/django.po"


def _extracted_msgids(tmp_path: Path) -> set[str]:
    """Run makemessages over a copy of the source and return every msgid it finds."""
    copy = tmp_path / "src"
    for name in (
        "config",
        "surveys",
        "recruitment",
        "analytics",
        "aggregates",
        "estimates",
        "exports",
        "sampledata",
        "incentives",
        "membership",
        "api",
        "webhooks",
        "templates",
        "manage.py",
    ):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy(source, copy / name)
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "kk", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "VAR_DIR": str(tmp_path / "var")},
    )
    return {entry.msgid for entry in polib.pofile(copy / CATALOGUE.format(language="kk"))}


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_catalogue_translates_every_string_in_the_source(tmp_path: Path, language: str) -> None:
    catalogue = polib.pofile(ROOT / CATALOGUE.format(language=language))
    translated = {
        entry.msgid
        for entry in catalogue
        if entry.translated() and not entry.obsolete and "fuzzy" not in entry.flags
    }
    missing = _extracted_msgids(tmp_path) - translated
    assert not missing, f"{language}: {len(missing)} untranslated, e.g. {sorted(missing)[:10]}"


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_translations_keep_their_placeholders(language: str) -> None:
    catalogue = polib.pofile(ROOT / CATALOGUE.format(language=language))
    for entry in catalogue.translated_entries():
        for placeholder in ("%(limit_value)s", "%(limit_value)d", "%(show_value)d"):
            assert (placeholder in entry.msgid) == (placeholder in entry.msgstr), entry.msgid


def test_the_kazakh_catalogue_is_written_in_kazakh() -> None:
    catalogue = polib.pofile(ROOT / CATALOGUE.format(language="kk"))
    russian = polib.pofile(ROOT / CATALOGUE.format(language="ru"))
    ru = {entry.msgid: entry for entry in russian}
    same = [
        e.msgid
        for e in catalogue.translated_entries()
        if len(e.msgid) > 12
        and (e.msgstr or e.msgstr_plural) == (ru[e.msgid].msgstr or ru[e.msgid].msgstr_plural)
    ]
    assert len(same) <= 2, same
    letters = "".join(e.msgstr for e in catalogue.translated_entries()).lower()
    assert sum(letters.count(ch) for ch in "әғқңөұүһі") > 50
