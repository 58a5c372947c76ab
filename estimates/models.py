"""Stored estimates: RDS estimate sets and their questions, population margins and sizes, and
what analysts tell the estimators (EstimationSettings).

The tables moved from analytics keep their names there (db_table): moving them moved no row.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from estimates.contracts import QuestionRecord
from surveys.models import OneRowPerSurvey


class RDSEstimateSet(models.Model):
    """One build of a survey's respondent-driven-sampling estimates, replaced as a whole."""

    survey = models.OneToOneField(
        "surveys.Survey", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    built_at = models.DateTimeField(_("built at"))
    # The aggregate snapshot whose responses these estimates cover.
    watermark = models.BigIntegerField(default=0)
    respondents = models.PositiveIntegerField(default=0)
    seeds = models.PositiveIntegerField(default=0)
    waves = models.PositiveIntegerField(default=0)
    imputed_degrees = models.PositiveIntegerField(default=0)
    outside_chains = models.PositiveIntegerField(
        default=0, help_text=_("Respondents who came without a seed or referral link.")
    )
    replicates = models.PositiveIntegerField(default=0)
    # Why no estimate could be made for the whole survey (e.g. no network sizes); "" if fine.
    unavailable = models.TextField(blank=True)
    # The population size Gile's SS estimates were computed with, and why there are none.
    population_size = models.PositiveIntegerField(null=True, blank=True)
    ss_unavailable = models.TextField(blank=True)
    seconds = models.FloatField(default=0)

    class Meta:
        db_table = "analytics_rdsestimateset"
        verbose_name = _("RDS estimates")
        verbose_name_plural = _("RDS estimates")

    def __str__(self) -> str:
        return f"RDS estimates of {self.survey_id}"


class RDSQuestion(models.Model):
    """One question's estimates: shares with intervals, and the diagnostics behind them."""

    estimate_set = models.ForeignKey(
        RDSEstimateSet, on_delete=models.CASCADE, related_name="questions"
    )
    question = models.CharField(max_length=50)
    # The shape of the columns below is defined, written and read in one place only:
    # estimates.contracts.QuestionRecord. Null: stored before the shape carried a version.
    version = models.PositiveSmallIntegerField(null=True, blank=True)
    shares = models.JSONField(default=dict)
    homophily = models.FloatField(null=True, blank=True)
    convergence_wave = models.JSONField(default=list)
    convergence_order = models.JSONField(default=list)
    bottleneck = models.JSONField(default=dict)
    diagnostics = models.JSONField(default=dict)
    unavailable = models.JSONField(default=dict)

    class Meta:
        db_table = "analytics_rdsquestion"
        constraints = [
            models.UniqueConstraint(fields=["estimate_set", "question"], name="rds_question_once")
        ]

    def __str__(self) -> str:
        return self.question

    def record(self) -> QuestionRecord:
        """Return the stored estimates, typed; a column deferred by ``only()`` reads empty."""
        deferred = self.get_deferred_fields()
        return QuestionRecord.from_json(
            {name: getattr(self, name) for name in RECORD_COLUMNS if name not in deferred}
        )


# The columns that QuestionRecord.to_json fills.
RECORD_COLUMNS = (
    "version",
    "shares",
    "homophily",
    "unavailable",
    "convergence_wave",
    "convergence_order",
    "bottleneck",
    "diagnostics",
)


class PopulationMargin(models.Model):
    """A known population share of one option of a question with a role (country, gender, ...).

    One question's margins post-stratify the sample; several rake it (estimates.margins).
    """

    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    question = models.CharField(_("question"), max_length=50)
    option = models.CharField(_("option"), max_length=100)
    share = models.FloatField(_("population share"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "analytics_populationmargin"
        verbose_name = _("population margin")
        verbose_name_plural = _("population margins")
        ordering = ["question", "option"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "question", "option"], name="population_margin_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.question}={self.option}: {self.share}"


class PopulationSizeEstimate(models.Model):
    """One SS-PSE estimate of a survey's population size, run in the background."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    survey = models.ForeignKey(
        "surveys.Survey", on_delete=models.CASCADE, related_name="population_size_estimates"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    prior_median = models.PositiveIntegerField(_("prior median of the population size"))
    samples = models.PositiveIntegerField(_("posterior draws"))
    seed = models.BigIntegerField(_("random seed"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # estimates.rds.sspse_estimates.population_size_json: summaries, prior, densities.
    result = models.JSONField(default=dict, blank=True)
    # A reason for the analyst (stored untranslated, translated when shown), or a failure.
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "analytics_populationsizeestimate"
        verbose_name = _("population size estimate")
        verbose_name_plural = _("population size estimates")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.survey_id} N ~ {self.result.get('median', '?')} ({self.status})"


class EstimationSettings(OneRowPerSurvey, models.Model):
    """What an analyst tells the estimators about a survey: the population size and the
    interval to report. One row per survey that set any; a survey without one has defaults."""

    survey = models.OneToOneField(
        "surveys.Survey",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="estimation_settings",
    )
    # Gile's SS estimator needs the size of the population the chains were drawn from; an
    # analyst's guess, so a range may be given to show how much the estimate depends on it.
    population_size = models.PositiveIntegerField(
        _("population size"),
        null=True,
        blank=True,
        help_text=_(
            "How many people make up the population the recruitment chains were drawn from. "
            "Needed for Gile's successive-sampling (SS) estimates; leave empty if unknown."
        ),
    )
    population_size_low = models.PositiveIntegerField(
        _("population size, low guess"), null=True, blank=True
    )
    population_size_high = models.PositiveIntegerField(
        _("population size, high guess"), null=True, blank=True
    )
    # Which 95 % interval the estimates report (estimates.rds.estimators.intervals); the other
    # is exported beside it. A single-seed sample always gets R's: the tree bootstrap cannot
    # run on it.
    interval_method = models.CharField(
        _("reported interval"),
        max_length=8,
        choices=[
            ("tree", _("tree bootstrap (resamples recruitment trees)")),
            ("el", _("R's empirical-likelihood interval (the RDS package's default)")),
        ],
        default="tree",
        help_text=_(
            "Which 95 % interval the RDS-II and SS estimates report. The tree bootstrap needs at "
            "least two seeds; with one seed R's interval is reported whatever is chosen here."
        ),
    )

    class Meta:
        verbose_name = _("estimation settings")
        verbose_name_plural = _("estimation settings")

    def __str__(self) -> str:
        return f"{self.survey_id}: N = {self.population_size}"

    def clean(self) -> None:
        """Require a population size between the low and high guesses, when they are given."""
        super().clean()
        low, mid, high = self.population_size_low, self.population_size, self.population_size_high
        if (low is not None or high is not None) and mid is None:
            message = _("Give the population size as well as its range.")
            error = ValidationError(message, code="population_size_missing")
            raise ValidationError({"population_size": error})
        if (low is not None and low > mid) or (high is not None and high < mid):
            message = _("The population size must lie between its low and high guesses.")
            error = ValidationError(message, code="population_size_range")
            raise ValidationError({"population_size": error})

    def population_sizes(self) -> list[int]:
        """Return the population sizes across which to show the SS estimate, smallest first."""
        mid = self.population_size
        if mid is None:
            return []
        low = self.population_size_low or mid
        high = self.population_size_high or mid
        if low == high:
            return [mid]
        # The guesses and three sizes evenly between them: enough to see a trend on a plot.
        steps = [round(low + (high - low) * k / 4) for k in range(5)]
        return sorted({*steps, mid})
