"""Codes typed by hand: look-alike letters are folded before the look-up, never guesses."""

# The look-alike letters are the point of these tests: ruff's warning about them is not.
# ruff: noqa: RUF001

from __future__ import annotations

import pytest
from django.test import Client

from surveys.links import limits
from surveys.links.codes import normalize_code
from surveys.models import SeedLink, Survey

# The Cyrillic letters that look like Latin ones, as Russian and Kazakh keyboards type them.
CYRILLIC_CAPITALS = "АВЕКМНОРСТХ"
CYRILLIC_SMALL = "авекмнорстх"
LATIN_TWINS = "ABEKMH0PCTX"  # Cyrillic O is read like Latin O, which codes spell as zero


def test_cyrillic_look_alikes_are_folded_to_their_latin_twins() -> None:
    assert normalize_code(CYRILLIC_CAPITALS) == LATIN_TWINS
    assert normalize_code(CYRILLIC_SMALL) == LATIN_TWINS
    # Mixed with Latin letters, digits and the groups a code is read out in.
    assert normalize_code("Ае1Х-ТРс 9") == "AE1XTPC9"


def test_a_code_typed_with_cyrillic_letters_opens_its_link_and_is_no_guess(
    sco_survey: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "GUESS_LIMIT", 1)
    seed = SeedLink.objects.create(survey=sco_survey, label="Paper flyer", code="ABEKMH0PCTX123")
    typed = "АВЕК-МНОР-СТХ1-23"  # copied off the flyer on a Russian keyboard
    visitor = Client(REMOTE_ADDR="203.0.113.40")
    for path in (f"/ru/r/{typed}/", f"/ru/r/{typed.lower()}/"):
        reply = visitor.get(path)
        assert reply.status_code == 302, path
        assert reply.headers["Location"] == "/ru/s/sco-2025/"
        visitor.cookies.clear()
    # Typed into the box on the link page, too.
    entered = Client(REMOTE_ADDR="203.0.113.40").get("/ru/r/", {"code": typed})
    assert entered.status_code == 302
    assert entered.headers["Location"].endswith(f"/r/{seed.code}/")
    # None of it counted as a guess: the first real guess is still answered with a 404.
    assert visitor.get("/ru/r/ZZZZZZZZZZZZZZ/").status_code == 404
