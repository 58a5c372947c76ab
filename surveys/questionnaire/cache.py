"""The questionnaire (survey, pages, questions, options), kept in each process between requests.

Every page of the respondent's way validates against the whole questionnaire, which is three
queries and about a hundred model instances; it changes only when an organizer edits it. So
each process keeps the prefetched pages and checks one version number in the shared cache
(Redis in production) per request; any save or delete of a survey, page, question or option
bumps that version, both at once and again when its transaction commits (another process may
have re-read the old rows in between). If the cache is unreachable the pages are read from the
database, as before. Saves that bypass signals (``QuerySet.update``) must call
``questionnaire_changed``. Other apps keep per-survey settings a submit consults under the same
version (``survey_memo``); ``survey_settings_watch`` bumps it when one of their rows is saved.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from surveys.models import Option, Page, Question, Response, Survey

log = logging.getLogger(__name__)
T = TypeVar("T")

_local: dict[int, tuple[str, list[Page]]] = {}
_surveys: dict[str, tuple[str, Survey]] = {}
_memos: dict[tuple[int, str], tuple[str, Any]] = {}
_lock = threading.Lock()


def _key(survey_id: int) -> str:
    return f"surveys:questionnaire-version:{survey_id}"


def _version(survey_id: int) -> str | None:
    try:
        version = cache.get(_key(survey_id))
        if version is None:
            cache.add(_key(survey_id), uuid.uuid4().hex, timeout=None)
            version = cache.get(_key(survey_id))
    except Exception:
        # A cache outage must not fail a respondent's request: read the database instead.
        log.warning("questionnaire cache unreachable; reading pages from the database")
        return None
    return version


# The version a survey handed out by survey_cached was found current under, on the instance:
# survey_pages_cached then needs no second round trip to the shared cache in the same request.
_CHECKED = "_questionnaire_version_checked"


def survey_cached(*, slug: str) -> Survey | None:
    """Return the survey with this slug, from this process when its version is current."""
    with _lock:
        held = _surveys.get(slug)
    if held is not None:
        version = _version(held[1].pk)
        if held[0] == version:
            setattr(held[1], _CHECKED, version)
            return held[1]
    survey = Survey.objects.filter(slug=slug).first()
    if survey is None:
        return None
    # Read after the row: a save between the two leaves an older row under the new version only
    # until the save's commit bumps the version once more.
    version = _version(survey.pk)
    if version is not None:
        setattr(survey, _CHECKED, version)
        with _lock:
            _surveys[slug] = (version, survey)
    return survey


def survey_pages_cached(*, survey: Survey) -> list[Page]:
    """Return the survey's pages with questions and options, from this process when current."""
    version = getattr(survey, _CHECKED, None) or _version(survey.pk)
    if version is None:
        return survey.ordered_pages()
    with _lock:
        held = _local.get(survey.pk)
    if held is not None and held[0] == version:
        return held[1]
    pages = survey.ordered_pages()
    with _lock:
        _local[survey.pk] = (version, pages)
    return pages


def survey_memo(*, response: Response, name: str, read: Callable[[], T]) -> T:
    """Return what read() returns for the response's survey, kept while its version holds.

    For other apps' per-survey settings that every submit consults (is there a webhook, are
    incentives on): the submit then makes no round trip for them. Their model must be watched
    (survey_settings_watch). A survey not checked against the shared cache in this request (not
    from survey_cached, or the cache away) is read every time.
    """
    survey = response.survey if Response.survey.is_cached(response) else None
    version = getattr(survey, _CHECKED, None)
    if survey is None or version is None:
        return read()
    key = (survey.pk, name)
    with _lock:
        held = _memos.get(key)
    if held is not None and held[0] == version:
        return held[1]
    value = read()
    with _lock:
        _memos[key] = (version, value)
    return value


def _settings_saved(sender: type, instance: Any, **kwargs: Any) -> None:
    questionnaire_changed(survey_id=instance.survey_id)


def survey_settings_watch(model: type[Model]) -> None:
    """Make every process read survey_memo's values again when a row of model changes."""
    uid = f"survey_memo:{model._meta.label}"
    post_save.connect(_settings_saved, sender=model, dispatch_uid=uid)
    post_delete.connect(_settings_saved, sender=model, dispatch_uid=uid)


def _bump(survey_id: int) -> None:
    with _lock:
        _local.pop(survey_id, None)
        for key in [key for key in _memos if key[0] == survey_id]:
            del _memos[key]
        for slug in [slug for slug, (_, held) in _surveys.items() if held.pk == survey_id]:
            del _surveys[slug]
    try:
        cache.set(_key(survey_id), uuid.uuid4().hex, timeout=None)
    except Exception:
        log.warning("questionnaire cache unreachable; other processes keep their pages")


def questionnaire_changed(*, survey_id: int) -> None:
    """Make every process read the survey's questionnaire again."""
    _bump(survey_id)
    transaction.on_commit(lambda: _bump(survey_id))


def _survey_id(instance: Any) -> int | None:
    if isinstance(instance, Survey):
        return instance.pk
    if isinstance(instance, Page | Question):
        return instance.survey_id
    if isinstance(instance, Option):
        return (
            Question.objects.filter(pk=instance.question_id)
            .values_list("survey_id", flat=True)
            .first()
        )
    return None


@receiver(post_save, sender=Survey)
@receiver(post_save, sender=Page)
@receiver(post_save, sender=Question)
@receiver(post_save, sender=Option)
@receiver(post_delete, sender=Survey)
@receiver(post_delete, sender=Page)
@receiver(post_delete, sender=Question)
@receiver(post_delete, sender=Option)
def _questionnaire_saved(sender: type, instance: Any, **kwargs: Any) -> None:
    survey_id = _survey_id(instance)
    if survey_id is not None:
        questionnaire_changed(survey_id=survey_id)
