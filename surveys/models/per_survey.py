"""Other apps' settings of a survey: one row at most, and a survey without one has defaults."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from surveys.models.questionnaire import Survey


class OneRowPerSurvey:
    """Mixin of a model whose primary key is a one-to-one ``survey`` field."""

    _meta: Any
    DoesNotExist: type[Exception]

    @classmethod
    def of(cls, survey: Survey) -> Self:
        """Return the survey's row, or an unsaved one with the defaults when it has none."""
        # The survey caches the row, a missing one too: one query per survey instance.
        accessor = cls._meta.get_field("survey").remote_field.get_accessor_name()
        try:
            return getattr(survey, accessor)
        except cls.DoesNotExist:
            return cls(survey=survey)  # type: ignore[call-arg]
