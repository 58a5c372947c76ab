"""A respondent's draft while answering, and the response it becomes when submitted."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.links.codes import new_link_code, new_withdraw_code


class Draft(models.Model):
    """Answers kept server-side between pages, so that a respondent can leave and resume."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="drafts")
    language = models.CharField(max_length=8)
    answers = models.JSONField(default=dict, blank=True)
    other_texts = models.JSONField(default=dict, blank=True)
    page_index = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Recruitment as it stood when the respondent arrived through a link.
    code_used = models.CharField(max_length=32, blank=True)
    recruiter = models.ForeignKey(
        "surveys.Response", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    seed_link = models.ForeignKey(
        "surveys.SeedLink", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    client_hash = models.CharField(max_length=64, blank=True)
    # Paradata gathered page by page (surveys.paradata): {"page_seconds": {"<position>": s},
    # "language_switches": n, "served": {"<position>": iso time the page was last served}}.
    paradata = models.JSONField(default=dict, blank=True)
    device_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["updated_at"])]

    def __str__(self) -> str:
        return f"draft {self.token}"


class Review(models.TextChoices):
    """An organizer's decision on a flagged response; reversible, and nothing is deleted."""

    NONE = "", _("not reviewed")
    ACCEPTED = "accepted", _("accepted")
    EXCLUDED = "excluded", _("excluded")


def unflagged_q() -> models.Q:
    """Return the condition for responses that count in the estimates without flagged ones.

    Left out: flagged responses no organizer accepted, and excluded ones. The one rule behind
    every "without flagged" figure; ``Response.counts_unflagged`` says the same in Python.
    """
    return models.Q(review=Review.ACCEPTED) | (
        models.Q(quality_flags=[]) & ~models.Q(review=Review.EXCLUDED)
    )


class Response(models.Model):
    """One submitted questionnaire; created once per draft, enforced by a unique key."""

    survey = models.ForeignKey("surveys.Survey", on_delete=models.PROTECT, related_name="responses")
    # The draft's token: a second submit of the same draft collides here, not in Python.
    submission_key = models.UUIDField(unique=True, editable=False)
    language = models.CharField(max_length=8)
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(default=timezone.now)
    # Answers keyed by question code: an option code, a list of option codes, an integer or a
    # text. One row per response keeps the wide export one sequential scan.
    answers = models.JSONField(default=dict)
    other_texts = models.JSONField(default=dict, blank=True)
    network_size = models.PositiveIntegerField(null=True, blank=True)

    referral_code = models.CharField(max_length=32, unique=True, default=new_link_code)
    withdraw_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The respondent's own proof, short enough to write down: shown once on the thank-you page,
    # never again to whoever holds the browser (a phone may be shared). Empty before 2026-12.
    withdraw_code = models.CharField(  # noqa: DJ001 (NULL: many old rows, one unique key)
        max_length=16, unique=True, null=True, editable=False, default=new_withdraw_code
    )
    code_used = models.CharField(max_length=32, blank=True)
    recruiter = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="recruits"
    )
    seed_link = models.ForeignKey(
        "surveys.SeedLink",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        help_text=_("The seed link at the root of this response's chain."),
    )
    wave = models.PositiveIntegerField(null=True, blank=True)
    # Came without any link: the wave-0 root of a chain of their own, which has no seed link.
    self_started = models.BooleanField(default=False)
    client_hash = models.CharField(max_length=64, blank=True)
    quality_flags = models.JSONField(default=list, blank=True)
    # Paradata (surveys.paradata): {"page_seconds": {"<page position>": seconds},
    # "language_switches": n}; the device class is phone, tablet or desktop, never the raw
    # User-Agent; the device hash is the salted hash of a long-lived random cookie.
    paradata = models.JSONField(default=dict, blank=True)
    device_class = models.CharField(max_length=8, blank=True)
    device_hash = models.CharField(max_length=64, blank=True)
    # An organizer's decision on a flagged response (the log is in QualityReview).
    review = models.CharField(
        _("review"), max_length=8, choices=Review.choices, default=Review.NONE, blank=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [
            models.Index(fields=["survey", "submitted_at"]),
            models.Index(fields=["survey", "id"]),
            # The same-client check at every submit (surveys.integrity); without it PostgreSQL
            # filters every response of the last day (EXPLAIN: 14 ms at 1M rows, 0.05 ms with).
            models.Index(
                fields=["survey", "client_hash", "submitted_at"], name="response_same_client_idx"
            ),
            models.Index(fields=["survey", "device_hash"], name="response_same_device_idx"),
            # The monitor's flagged responses: a few among many, found without a scan.
            models.Index(
                fields=["survey", "submitted_at"],
                condition=~models.Q(quality_flags=[]),
                name="response_flagged_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey.slug}#{self.pk}"

    @property
    def counts_unflagged(self) -> bool:
        """Whether this response counts in the estimates without flagged ones (unflagged_q)."""
        if self.review == Review.ACCEPTED:
            return True
        return not self.quality_flags and self.review != Review.EXCLUDED

    @property
    def duration_seconds(self) -> int:
        return int((self.submitted_at - self.started_at).total_seconds())
