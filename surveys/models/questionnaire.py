"""The questionnaire as data: surveys, their pages, questions and options."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.models.i18n import localized
from surveys.models.kinds import QuestionKind


def _is_iso_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


class Survey(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    consent_ru = models.TextField(_("consent text (Russian)"))
    consent_kk = models.TextField(_("consent text (Kazakh)"))
    consent_en = models.TextField(_("consent text (English)"))
    consent_label_ru = models.CharField(_("consent checkbox (Russian)"), max_length=300)
    consent_label_kk = models.CharField(_("consent checkbox (Kazakh)"), max_length=300)
    consent_label_en = models.CharField(_("consent checkbox (English)"), max_length=300)
    is_open = models.BooleanField(_("open for responses"), default=True)
    coupon_limit = models.PositiveIntegerField(
        _("recruits per personal link"),
        default=3,
        help_text=_("How many completed recruits one personal link may bring; 0 = unlimited."),
    )
    allow_unattributed = models.BooleanField(
        _("let visitors with a used-up link answer unattributed"), default=False
    )
    # Shown on the consent and privacy pages: how to reach the study from another device.
    contact = models.CharField(
        _("study contact"),
        max_length=300,
        blank=True,
        help_text=_(
            "An e-mail address or another way to reach the study team, shown on the consent and "
            "privacy pages, e.g. for withdrawing answers from another device."
        ),
    )
    # Completions faster than this are flagged too_fast whatever the median says.
    min_completion_seconds = models.PositiveIntegerField(
        _("fastest plausible completion (seconds)"),
        default=60,
        help_text=_(
            "Responses completed faster than this are flagged too fast; so are those under "
            "40 percent of the median once 30 responses exist."
        ),
    )
    # A condition over screening questions (surveys.logic): a respondent for whom it fails is
    # screened out as soon as it can be decided, and nothing of theirs is stored.
    eligibility = models.TextField(
        _("eligibility rule"),
        blank=True,
        help_text=_("An XLSForm condition over the screening questions; empty: everyone."),
    )
    # The XLSForm's settings version, shown back in its export; informative only.
    form_version = models.CharField(_("form version"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["slug"]
        permissions = [
            ("organizer", _("Can create seed links and watch recruitment")),
            ("analyst", _("Can see aggregate tables and export data")),
        ]

    def __str__(self) -> str:
        return self.slug

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def consent(self) -> str:
        return localized(self, "consent")

    @property
    def consent_label(self) -> str:
        return localized(self, "consent_label")

    def has_responses(self) -> bool:
        return self.responses.exists()

    def role_codes(self) -> dict[str, str]:
        """Return the code of the question that holds each single role (country, ...)."""
        return dict(
            self.questions.filter(role__in=QuestionRole.single_roles())
            .order_by()
            .values_list("role", "code")
        )

    def role_code(self, role: str) -> str | None:
        """Return the code of the question holding ``role``, None when no question does."""
        return self.role_codes().get(role)

    def breakdown_codes(self) -> list[str]:
        """Return the codes of the questions by which answers may be broken down, in order."""
        return list(
            self.questions.filter(role__in=QuestionRole.breakdown_roles())
            .order_by("page__position", "position")
            .values_list("code", flat=True)
        )

    def ordered_pages(self) -> list[Page]:
        """Return the pages with their questions and options, in order, in three queries."""
        return list(
            self.pages.order_by("position").prefetch_related(
                models.Prefetch(
                    "questions",
                    queryset=Question.objects.order_by("position").prefetch_related(
                        models.Prefetch("options", queryset=Option.objects.order_by("position"))
                    ),
                )
            )
        )


class Page(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="pages")
    code = models.SlugField(_("code"))
    position = models.PositiveIntegerField(_("position"))
    title_ru = models.CharField(_("title (Russian)"), max_length=300)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    intro_ru = models.TextField(_("introduction (Russian)"), blank=True)
    intro_kk = models.TextField(_("introduction (Kazakh)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    relevant = models.TextField(
        _("shown when"), blank=True, help_text=_("An XLSForm condition; empty: always.")
    )

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="page_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.survey.slug}/{self.code}"

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def intro(self) -> str:
        return localized(self, "intro")


class QuestionRole(models.TextChoices):
    """What a question means to the platform, whatever its code in a given study.

    The monitor, the filters, the crosstabs and the RDS estimators ask for a role, never for a
    study's question code, so that another questionnaire needs no code change.
    """

    COUNTRY = "country", _("respondent's country")
    AGE_GROUP = "age_group", _("age group")
    GENDER = "gender", _("gender")
    NETWORK_SIZE = "network_size", _("network size (the RDS degree)")
    BREAKDOWN = "breakdown", _("another breakdown for crosstabs")

    @classmethod
    def single_roles(cls) -> list[str]:
        """Return the roles that at most one question of a survey may hold."""
        return [cls.COUNTRY, cls.AGE_GROUP, cls.GENDER, cls.NETWORK_SIZE]

    @classmethod
    def breakdown_roles(cls) -> list[str]:
        """Return the roles of questions that group respondents in crosstabs and filters."""
        return [cls.COUNTRY, cls.AGE_GROUP, cls.GENDER, cls.BREAKDOWN]


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("code"), help_text=_("Stable identifier used in exports."))
    position = models.PositiveIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    required = models.BooleanField(_("required"), default=True)
    min_value = models.IntegerField(_("minimum"), null=True, blank=True)
    max_value = models.IntegerField(_("maximum"), null=True, blank=True)
    max_length = models.PositiveIntegerField(_("maximum text length"), default=1000)
    role = models.CharField(
        _("role"),
        max_length=16,
        choices=QuestionRole.choices,
        blank=True,
        default="",
        help_text=_("What the platform reads this question as: country, network size, ..."),
    )
    text_ru = models.TextField(_("question (Russian)"))
    text_kk = models.TextField(_("question (Kazakh)"))
    text_en = models.TextField(_("question (English)"))
    help_ru = models.CharField(_("help (Russian)"), max_length=500, blank=True)
    help_kk = models.CharField(_("help (Kazakh)"), max_length=500, blank=True)
    help_en = models.CharField(_("help (English)"), max_length=500, blank=True)
    # XLSForm conditions (surveys.logic), checked when the questionnaire is loaded.
    relevant = models.TextField(
        _("asked when"), blank=True, help_text=_("An XLSForm condition; empty: always.")
    )
    constraint = models.TextField(
        _("answer check"), blank=True, help_text=_("An XLSForm condition on “.”, the answer.")
    )
    constraint_message_ru = models.CharField(
        _("check message (Russian)"), max_length=500, blank=True
    )
    constraint_message_kk = models.CharField(
        _("check message (Kazakh)"), max_length=500, blank=True
    )
    constraint_message_en = models.CharField(
        _("check message (English)"), max_length=500, blank=True
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "page__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "code"], name="question_code_unique"),
            models.UniqueConstraint(
                fields=["survey", "role"],
                condition=models.Q(role__in=["country", "age_group", "gender", "network_size"]),
                name="question_role_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def text(self) -> str:
        return localized(self, "text")

    @property
    def help(self) -> str:
        return localized(self, "help")

    @property
    def constraint_message(self) -> str:
        return localized(self, "constraint_message")

    @property
    def has_answer(self) -> bool:
        """Whether the question takes an answer (a note only shows its text)."""
        return self.kind != QuestionKind.NOTE

    @property
    def has_options(self) -> bool:
        return self.kind in {QuestionKind.SINGLE, QuestionKind.MULTIPLE}

    def accepts(self, value: Any, other_text: str = "") -> bool:
        """Return whether a stored answer completes this question as its form field would."""
        if self.kind == QuestionKind.NOTE:
            return value in (None, "", [])
        if value in (None, "", []):
            return not self.required
        if self.has_options:
            if self.kind == QuestionKind.SINGLE:
                chosen = [value] if isinstance(value, str) else None
            else:
                chosen = value if isinstance(value, list) else None
            is_other = {option.code: option.is_other for option in self.options.all()}
            if chosen is None or any(code not in is_other for code in chosen):
                return False
            return bool(other_text) or not any(is_other[code] for code in chosen)
        if self.kind == QuestionKind.INTEGER:
            if isinstance(value, bool) or not isinstance(value, int):
                return False
            return (self.min_value is None or value >= self.min_value) and (
                self.max_value is None or value <= self.max_value
            )
        if self.kind == QuestionKind.DECIMAL:
            return isinstance(value, int | float) and not isinstance(value, bool)
        if self.kind == QuestionKind.DATE:
            return isinstance(value, str) and _is_iso_date(value)
        return isinstance(value, str) and len(value) <= self.max_length

    def clean(self) -> None:
        if self.page_id and self.survey_id and self.page.survey_id != self.survey_id:
            raise ValidationError(
                _("The page belongs to another survey."), code="page_survey_mismatch"
            )
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            raise ValidationError(
                _("The minimum is larger than the maximum."), code="bounds_inverted"
            )
        wanted_kind = QuestionKind.INTEGER if self.role == QuestionRole.NETWORK_SIZE else None
        if self.role and self.role != QuestionRole.NETWORK_SIZE:
            wanted_kind = QuestionKind.SINGLE
        if wanted_kind is not None and self.kind != wanted_kind:
            raise ValidationError(
                _("A question with the role “%(role)s” must be of the kind “%(kind)s”."),
                code="role_kind",
                params={"role": self.get_role_display(), "kind": wanted_kind.label},
            )
        if self.pk is None:
            return
        stored = Question.objects.filter(pk=self.pk).values("code", "kind").first()
        changed = stored is not None and (stored["code"], stored["kind"]) != (self.code, self.kind)
        if changed and self.survey.has_responses():
            raise ValidationError(
                _(
                    "This survey already has responses: a question's code and kind can no "
                    "longer change, or the stored answers would lose their meaning."
                ),
                code="questionnaire_locked",
            )


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    code = models.SlugField(_("code"), help_text=_("Stable identifier used in exports."))
    position = models.PositiveIntegerField(_("position"))
    is_other = models.BooleanField(
        _("other (specify)"), default=False, help_text=_("Ticking it asks for a text.")
    )
    label_ru = models.CharField(_("label (Russian)"), max_length=300)
    label_kk = models.CharField(_("label (Kazakh)"), max_length=300)
    label_en = models.CharField(_("label (English)"), max_length=300)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="option_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.question.code}={self.code}"

    @property
    def label(self) -> str:
        return localized(self, "label")

    def clean(self) -> None:
        if self.pk is None:
            return
        stored = Option.objects.filter(pk=self.pk).values_list("code", flat=True).first()
        if stored is not None and stored != self.code and self.question.survey.has_responses():
            raise ValidationError(
                _(
                    "This survey already has responses: an option's code can no longer change, "
                    "or the stored answers would lose their meaning."
                ),
                code="questionnaire_locked",
            )
