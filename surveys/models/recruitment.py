"""Seed links that start recruitment chains, and the funnel events of every link."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.links.codes import new_link_code


class SeedLink(models.Model):
    survey = models.ForeignKey(
        "surveys.Survey", on_delete=models.PROTECT, related_name="seed_links"
    )
    code = models.CharField(_("code"), max_length=32, unique=True, default=new_link_code)
    label = models.CharField(_("label"), max_length=200)
    note = models.CharField(_("note"), max_length=500, blank=True)
    coupon_limit = models.PositiveIntegerField(
        _("completed responses allowed"),
        null=True,
        blank=True,
        help_text=_("Empty: unlimited. A seed link brings wave-0 respondents."),
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("seed link")
        verbose_name_plural = _("seed links")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label

    def is_expired(self, *, now: timezone.datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())


class LinkEvent(models.Model):
    """One step of a visitor through a link: opened, consented or completed; no personal data."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("opened")
        CONSENTED = "consented", _("consented")
        # Failed the survey's eligibility rule: nothing else of the visit is kept.
        SCREENED_OUT = "screened_out", _("screened out")
        COMPLETED = "completed", _("completed")

    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE)
    code = models.CharField(max_length=32, db_index=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["survey", "code", "kind"]),
            # The monitor's tally counts one survey's events above its mark: without it,
            # PostgreSQL walks the primary key past every other survey's newer events.
            models.Index(fields=["survey", "id"], name="linkevent_survey_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.kind}"
