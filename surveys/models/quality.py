"""What organizers decided about flagged responses, and how the design changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.models.responses import Review


class QualityReview(models.Model):
    """One decision on a flagged response, kept as a log: who decided what, and when."""

    response = models.ForeignKey(
        "surveys.Response", on_delete=models.CASCADE, related_name="quality_reviews"
    )
    decision = models.CharField(max_length=8, choices=Review.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("quality review")
        verbose_name_plural = _("quality reviews")
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.response_id}: {self.decision or 'reset'}"


class DesignChange(models.Model):
    """A change of the survey's design that the STROBE-RDS checklist asks to report."""

    class What(models.TextChoices):
        SURVEY_COUPON_LIMIT = "survey_coupon_limit", _("recruits per personal link")
        SEED_LINK_LIMIT = "seed_link_limit", _("seed link's limit")
        SEED_LINK_EXPIRY = "seed_link_expiry", _("seed link's expiry")
        SEED_LINK_ACTIVE = "seed_link_active", _("seed link state")
        POPULATION_SIZE = "population_size", _("population size")
        INCENTIVES = "incentives", _("incentives")
        INCENTIVE_PRIMARY = "incentive_primary", _("incentive for taking part")
        INCENTIVE_PER_RECRUIT = "incentive_per_recruit", _("incentive per recruit")
        INCENTIVE_BUDGET = "incentive_budget", _("incentive budget")
        INCENTIVE_METHODS = "incentive_methods", _("payout methods")
        INCENTIVE_ERASE_DAYS = "incentive_erase_days", _("days payout contacts are kept")
        SURVEY_OPEN = "survey_open", _("survey state")
        MIN_COMPLETION = "min_completion", _("fastest plausible completion (seconds)")
        ELIGIBILITY = "eligibility", _("eligibility rule")
        # A question's or page's condition ("code: relevant" or "code: constraint").
        QUESTION_LOGIC = "question_logic", _("skip logic or answer check")

    survey = models.ForeignKey(
        "surveys.Survey", on_delete=models.CASCADE, related_name="design_changes"
    )
    seed_link = models.ForeignKey(
        "surveys.SeedLink", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    what = models.CharField(max_length=32, choices=What.choices)
    old = models.CharField(max_length=500, blank=True)
    new = models.CharField(max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("design change")
        verbose_name_plural = _("design changes")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.what}: {self.old} → {self.new}"
