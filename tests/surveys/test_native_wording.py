"""What respondents read in Kazakh and Russian is worded as a native editor would write it."""

# ruff: noqa: RUF001 - Russian and Kazakh texts on purpose
from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client
from pytest_django.fixtures import Settings

from surveys.models import Option, Survey
from tests.flow import complete_survey


def _text(reply: HttpResponse) -> str:
    return reply.content.decode().replace("\u00a0", " ")


@pytest.mark.parametrize(
    ("language", "asks", "button"),
    [
        ("kk", "робот емес екеніңізді растаңыз", "Мен робот емеспін — жалғастыру"),
        ("ru", "подтвердите, пожалуйста, что вы не робот", "Я не робот — продолжить"),
    ],
)
def test_the_start_challenge_asks_to_confirm_one_is_not_a_robot(
    sco_survey: Survey, settings: Settings, language: str, asks: str, button: str
) -> None:
    settings.START_RATE_LIMIT = 1
    Client().post(f"/{language}/s/sco-2025/", {"consent": "on"})
    challenge = Client().post(f"/{language}/s/sco-2025/", {"consent": "on"})
    assert challenge.status_code == 429
    page = _text(challenge)
    assert asks in page and button in page
    assert "адам екеніңізді" not in page and "что вы человек" not in page


@pytest.mark.parametrize(
    ("language", "saved", "cannot_undo", "withdrawn", "link_closed"),
    [
        (
            "kk",
            "Рақмет! Жауаптарыңыз сақталды.",
            "Бұл әрекетті кейін қайтару мүмкін болмайды.",
            "келесі жаңарту кезінде жиынтық кестелерден де алынып тасталады",
            "жеке сілтемеңіз арқылы енді ешкім қатыса алмайды",
        ),
        (
            "ru",
            "Спасибо! Ваши ответы сохранены.",
            "Это действие нельзя отменить.",
            "при следующем обновлении будут исключены из сводных таблиц",
            "по вашей личной ссылке больше никто не сможет принять участие",
        ),
    ],
)
def test_thanks_and_withdrawal_read_naturally(
    sco_survey: Survey,
    language: str,
    saved: str,
    cannot_undo: str,
    withdrawn: str,
    link_closed: str,
) -> None:
    client = Client()
    response = complete_survey(client, sco_survey, language=language)
    thanks = _text(client.get(f"/{language}/s/sco-2025/thanks/"))
    assert saved in thanks and "Рахмет" not in thanks
    link = f"/{language}/withdraw/{response.withdraw_token}/"
    assert cannot_undo in _text(client.get(link))
    assert withdrawn in _text(client.post(link))
    after = _text(client.get(f"/{language}/s/sco-2025/thanks/"))
    assert link_closed in after and "ешкімді әкелмейді" not in after


@pytest.mark.parametrize(
    ("language", "said", "unsaid"),
    [
        (
            "kk",
            [
                "апта сайын ауысатын құпия «тұзбен» хештелген цифрлық ізі",
                "браузеріңіздің цифрлық ізі",
                "Жеке сілтемеңіз арқылы енді ешкім қатыса алмайды.",
            ],
            ["шифрлан", "таңбасы", "ешкімді әкелмейді"],
        ),
        (
            "ru",
            [
                "хеш с секретной «солью», которая меняется каждую неделю",
                "необратимый хеш",
                "По вашей личной ссылке больше никто не сможет принять участие.",
            ],
            ["зашифрован", "больше никого не приводит"],
        ),
    ],
)
def test_the_privacy_page_calls_a_salted_hash_a_hash_not_encryption(
    sco_survey: Survey, client: Client, language: str, said: list[str], unsaid: list[str]
) -> None:
    page = _text(client.get(f"/{language}/privacy/"))
    assert all(text in page for text in said), [text for text in said if text not in page]
    assert not [text for text in unsaid if text in page]


def test_platform_options_carry_their_russian_and_kazakh_names(sco_survey: Survey) -> None:
    options = {
        option.code: option
        for option in Option.objects.filter(question__survey=sco_survey, code__in=["x", "dzen"])
    }
    assert options["x"].label_ru == "X (бывший Twitter)"
    assert options["x"].label_kk == "X (бұрынғы Twitter)"
    assert options["dzen"].label_ru == options["dzen"].label_kk == "Дзен"
