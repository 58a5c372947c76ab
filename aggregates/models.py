"""Aggregate tables published as snapshots, their rebuild state, and the dashboard's layout.

The tables moved from analytics keep their names there (db_table): moving them moved no row.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.models import OneRowPerSurvey


class AggregateSnapshot(models.Model):
    """One complete build of a survey's counts; readers only ever see a published one."""

    survey = models.ForeignKey(
        "surveys.Survey", on_delete=models.CASCADE, related_name="aggregate_snapshots"
    )
    built_at = models.DateTimeField(_("built at"))
    # Every response with an id up to the watermark is counted, except the gaps: ids that were
    # not visible yet (a transaction still in flight, or rolled back) when this was built.
    # ``gaps`` holds the whole change feed cursor (surveys.changefeed.FeedCursor.to_json());
    # snapshots built before the feed hold the bare gaps, {"<id>": "<moment first missed>"}.
    watermark = models.BigIntegerField(default=0)
    gaps = models.JSONField(default=dict, blank=True)
    responses = models.PositiveIntegerField(_("responses counted"), default=0)
    full = models.BooleanField(default=True)
    seconds = models.FloatField(_("build time (s)"), default=0)

    class Meta:
        db_table = "analytics_aggregatesnapshot"
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
        db_table = "analytics_aggregatecount"
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
        db_table = "analytics_aggregatestate"
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

    class Meta:
        db_table = "analytics_aggregateschedule"

    def __str__(self) -> str:
        return f"schedule of {self.survey_id}"


class DashboardLayout(OneRowPerSurvey, models.Model):
    """The published report's figure numbers and featured crosstab, from the questionnaire."""

    survey = models.OneToOneField(
        "surveys.Survey",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="dashboard_layout",
    )
    layout = models.JSONField(
        _("dashboard layout"),
        default=dict,
        blank=True,
        help_text=_(
            'Figure numbers of the published report: {"figures": {"question": 1, ...}, '
            '"featured_crosstab": {"question": "...", "by": "...", "figure": 2}}.'
        ),
    )

    class Meta:
        verbose_name = _("dashboard layout")
        verbose_name_plural = _("dashboard layouts")

    def __str__(self) -> str:
        return str(self.survey_id)
