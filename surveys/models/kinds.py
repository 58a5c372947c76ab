"""What kind of answer a question takes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("single choice")
    MULTIPLE = "multiple", _("multiple choice")
    INTEGER = "integer", _("integer")
    TEXT = "text", _("free text")
    DECIMAL = "decimal", _("decimal number")
    DATE = "date", _("date")
    NOTE = "note", _("note (no answer)")
