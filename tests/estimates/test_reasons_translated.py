"""Every reason the estimators give for a missing estimate reads in the page's language, and a
margin question's own post-stratified interval is explained rather than shown with no width."""
# ruff: noqa: RUF001 - Russian and Kazakh texts on purpose

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from aggregates.rebuild import aggregates_rebuild
from estimates.margins.services import margins_replace
from estimates.rds import sample
from estimates.rds.refresh import rds_rebuild
from surveys.models import Response, Survey
from tests.estimates.test_margins import COUNTRY, _rows
from tests.estimates.test_margins import sampled as sampled  # a fixture
from tests.fixtures.factories import ResponseFactory
from tests.fixtures.staff import logged_in

ROOT = Path(__file__).resolve().parents[2]


def _marked(path: Path) -> dict[str, str]:
    """Return the reasons a module (or estimates.rds.sample) marks as NAME = gettext_noop(...)."""
    marked = {}
    for source in (path, ROOT / "estimates" / "rds" / "sample.py"):
        for node in ast.parse(source.read_text()).body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "id", "") == "gettext_noop"
                and isinstance(node.targets[0], ast.Name)
            ):
                (text,) = node.value.args
                assert isinstance(text, ast.Constant)
                marked.setdefault(node.targets[0].id, text.value)
    return marked


def _reasons() -> list[str]:
    """Return the constant messages of every RDSError the estimators raise."""
    found = []
    for path in (ROOT / "estimates" / "rds").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Raise)
                and isinstance(node.exc, ast.Call)
                and getattr(node.exc.func, "id", "") == "RDSError"
            ):
                argument = node.exc.args[0]  # then the values a reason names, if any
                if isinstance(argument, ast.Name):
                    found.append(_marked(path)[argument.id])
                    continue
                if isinstance(argument, ast.Call) and getattr(argument.func, "id", "") == (
                    "gettext_noop"
                ):
                    argument = argument.args[0]
                if isinstance(argument, ast.Constant):
                    found.append(argument.value)
    return found


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_every_constant_estimator_reason_is_translated(language: str) -> None:
    reasons = _reasons()
    assert (
        "The recruitment Markov chain has no unique stationary distribution (some groups "
        "never recruit into the others)." in reasons
    )
    with translation.override(language):
        untranslated = [reason for reason in reasons if translation.gettext(reason) == reason]
    assert not untranslated, untranslated


def test_every_estimator_reason_is_a_marked_message_never_an_f_string() -> None:
    unmarked = []
    for path in (ROOT / "estimates" / "rds").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (
                isinstance(node, ast.Raise)
                and isinstance(node.exc, ast.Call)
                and getattr(node.exc.func, "id", "") == "RDSError"
            ):
                continue
            message = node.exc.args[0]
            if not (
                isinstance(message, ast.Call)
                and getattr(message.func, "id", "") == "gettext_noop"
                and isinstance(message.args[0], ast.Constant)
            ) and not (isinstance(message, ast.Name) and message.id in _marked(path)):
                unmarked.append(f"{path.name}:{node.lineno}")
    assert not unmarked, unmarked


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_every_reason_naming_a_value_is_translated_with_its_placeholders(language: str) -> None:
    assert len(sample.WITH_PARAMS) >= 6
    with translation.override(language):
        for message in sample.WITH_PARAMS:
            translated = translation.gettext(message)
            assert translated != message, message
            assert set(re.findall(r"%\(\w+\)s", translated)) == set(
                re.findall(r"%\(\w+\)s", message)
            ), message


def _chains_with_a_cycle(survey: Survey) -> tuple[Response, Response]:
    """A seed and its recruit, and two respondents who name each other as recruiter."""
    seed = ResponseFactory(survey=survey, recruiter=None, wave=0, network_size=5)
    ResponseFactory(survey=survey, recruiter=seed, wave=1, network_size=7)
    first = ResponseFactory(survey=survey, recruiter=seed, wave=1, network_size=4)
    second = ResponseFactory(survey=survey, recruiter=first, wave=2, network_size=6)
    Response.objects.filter(pk=first.pk).update(recruiter=second)
    return first, second


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", "В цепочках привлечения есть цикл"),
        ("kk", "Тарту тізбектерінде тұйық цикл бар"),
    ],
)
def test_the_dashboard_gives_a_reason_naming_respondents_in_the_pages_language(
    sco_survey: Survey, analyst: User, language: str, expected: str
) -> None:
    first, second = _chains_with_a_cycle(sco_survey)
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    stored = rds_rebuild(survey_id=sco_survey.pk, replicates=20).unavailable
    # Stored as the estimators give it, in English with the ids: rows stored before the reasons
    # were translatable hold the same text.
    assert stored.startswith("The recruitment chains contain a cycle")
    html = logged_in(analyst).get(f"/{language}/analytics/", {"survey": sco_survey.slug})
    (reason,) = re.findall(r'<p class="mb-0 rds-unavailable">(.*?)</p>', html.content.decode())
    assert reason.startswith(expected)
    assert f"{first.pk}, {second.pk}" in reason or f"{second.pk}, {first.pk}" in reason
    assert "cycle" not in reason


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", "постстратификация по вопросу приравнивает его доли к маргиналам"),
        ("kk", "сұрақ бойынша постстратификация оның үлестерін маргиналдарға теңестіреді"),
    ],
)
def test_a_margin_questions_own_poststratified_interval_is_explained_not_shown_as_zero_width(
    sampled: Survey, analyst: User, language: str, expected: str
) -> None:
    aggregates_rebuild(survey_id=sampled.pk, full=True)
    rds_rebuild(survey_id=sampled.pk, replicates=20)
    margins_replace(survey=sampled, rows=_rows({"country": COUNTRY}), user=analyst)
    html = logged_in(analyst).get(f"/{language}/analytics/", {"survey": sampled.slug})
    html = html.content.decode()
    country = html[html.index('id="q-country"') :]
    country = country[: country.index('id="q-', 10)]
    assert expected in country
    # The margin's shares stand as they are, with no zero-width "50,0 to 50,0" beside them.
    assert re.search(r'<td class="text-end poststrat">50,0</td>', country)
    assert country.count('poststrat-fixed"') == country.count('<td class="text-end poststrat">')
    zero_width = re.search(r'poststrat-interval">(\d+,\d)\u2013\1', country)
    assert not zero_width, country[zero_width.start() - 300 : zero_width.end()]
    # Another question keeps its interval and no explanation.
    awareness = html[html.index('id="q-awareness"') :]
    awareness = awareness[: awareness.index('id="q-', 10)]
    assert expected not in awareness
    assert re.search(r'poststrat-interval">\d+,\d\u2013\d+,\d', awareness)
