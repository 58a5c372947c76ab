"""Aggregate tables published as snapshots, their rebuild state, and export jobs."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from analytics.contracts import QuestionRecord


class AggregateSnapshot(models.Model):
    """One complete build of a survey's counts; readers only ever see a published one."""

    survey = models.ForeignKey(
        "surveys.Survey", on_delete=models.CASCADE, related_name="aggregate_snapshots"
    )
    built_at = models.DateTimeField(_("built at"))
    # Every response with an id up to the watermark is counted, except the gaps: ids that were
    # not visible yet (a transaction still in flight, or rolled back) when this was built.
    watermark = models.BigIntegerField(default=0)
    gaps = models.JSONField(default=dict, blank=True)
    responses = models.PositiveIntegerField(_("responses counted"), default=0)
    full = models.BooleanField(default=True)
    seconds = models.FloatField(_("build time (s)"), default=0)

    class Meta:
        verbose_name = _("aggregate snapshot")
        verbose_name_plural = _("aggregate snapshots")

    def __str__(self) -> str:
        return f"{self.survey_id}@{self.built_at:%Y-%m-%d %H:%M:%S}"


class AggregateCount(models.Model):
    """How many respondents chose an option, within one value of one dimension.

    ``dimension`` "" is the whole sample; otherwise it is a crosstab dimension (the code of a
    breakdown question, or ``language`` and ``wave``) and ``value`` the group. ``option`` ""
    holds the base (respondents who answered the question); ``question`` "" holds the group's
    size.
    """

    snapshot = models.ForeignKey(AggregateSnapshot, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=50, blank=True)
    value = models.CharField(max_length=100, blank=True)
    question = models.CharField(max_length=50, blank=True)
    option = models.CharField(max_length=100, blank=True)
    count = models.PositiveIntegerField()
    # The same count without flagged responses that no organizer accepted, nor excluded ones:
    # the analyst's sensitivity check (surveys.quality decides who counts).
    unflagged = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["snapshot", "dimension", "value"])]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "dimension", "value", "question", "option"],
                name="aggregate_count_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.value} {self.question}={self.option}: {self.count}"


class AggregateState(models.Model):
    """Which snapshot of a survey is published, and how its rebuilds went."""

    survey = models.OneToOneField(
        "surveys.Survey", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    snapshot = models.ForeignKey(
        AggregateSnapshot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    runs = models.PositiveIntegerField(_("rebuilds"), default=0)
    full_runs = models.PositiveIntegerField(_("full rebuilds"), default=0)
    last_full_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("aggregate state")
        verbose_name_plural = _("aggregate states")

    def __str__(self) -> str:
        return f"aggregates of {self.survey_id}"


class AggregateSchedule(models.Model):
    """When a rebuild was last enqueued: the flag that coalesces a burst of submissions.

    Kept apart from AggregateState so that a submission never waits for a running rebuild's
    row lock.
    """

    survey = models.OneToOneField(
        "surveys.Survey", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    enqueued_at = models.DateTimeField(null=True, blank=True)
    full_requested_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"schedule of {self.survey_id}"


class ExportJob(models.Model):
    """A large CSV export written to a file by a Celery task."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    options = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def path(self) -> Path:
        """Return where the finished file lives; its name never comes from user input."""
        return Path(settings.EXPORT_ROOT) / f"{self.pk}{Path(self.file_name).suffix or '.csv'}"


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
    # analytics.contracts.QuestionRecord. Null: stored before the shape carried a version.
    version = models.PositiveSmallIntegerField(null=True, blank=True)
    shares = models.JSONField(default=dict)
    homophily = models.FloatField(null=True, blank=True)
    convergence_wave = models.JSONField(default=list)
    convergence_order = models.JSONField(default=list)
    bottleneck = models.JSONField(default=dict)
    diagnostics = models.JSONField(default=dict)
    unavailable = models.JSONField(default=dict)

    class Meta:
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

    One question's margins post-stratify the sample; several rake it (analytics.margins).
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
    # analytics.rds.sspse_estimates.population_size_json: summaries, prior, densities.
    result = models.JSONField(default=dict, blank=True)
    # A reason for the analyst (stored untranslated, translated when shown), or a failure.
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("population size estimate")
        verbose_name_plural = _("population size estimates")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.survey_id} N ~ {self.result.get('median', '?')} ({self.status})"
