"""Refuse deletions that would strip stored answers of their meaning."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from surveys.models import Option, Page, Question, Survey


def _survey_of(instance: Page | Question | Option) -> Survey:
    if isinstance(instance, Option):
        return instance.question.survey
    return instance.survey


@receiver(pre_delete, sender=Page)
@receiver(pre_delete, sender=Question)
@receiver(pre_delete, sender=Option)
def refuse_deleting_answered_parts(sender: type, instance: Any, **kwargs: Any) -> None:
    if _survey_of(instance).has_responses():
        raise ValidationError(
            _(
                "This survey already has responses: its pages, questions and options can no "
                "longer be deleted. Close the survey or copy it instead."
            ),
            code="questionnaire_locked",
        )
