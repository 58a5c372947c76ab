"""Per-survey incentive settings, the encrypted payout contacts, the ledger and its payments."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from surveys.models.i18n import localized


class IncentiveSettings(models.Model):
    """A survey's dual incentive: off until an organizer turns it on."""

    survey = models.OneToOneField(
        "surveys.Survey", on_delete=models.CASCADE, related_name="incentive_settings"
    )
    enabled = models.BooleanField(_("incentives on"), default=False)
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="KZT",
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter code such as KZT."))],
    )
    primary_amount = models.PositiveIntegerField(_("amount for taking part"), default=0)
    per_recruit_amount = models.PositiveIntegerField(
        _("amount per eligible recruit who completes"), default=0
    )
    budget = models.PositiveIntegerField(_("budget"), null=True, blank=True)
    # The ways of payment offered, one a line, in each language.
    payout_methods_ru = models.TextField(_("payout methods (Russian)"), blank=True)
    payout_methods_kk = models.TextField(_("payout methods (Kazakh)"), blank=True)
    payout_methods_en = models.TextField(_("payout methods (English)"), blank=True)
    # Where a phone number written without a country code is read as dialled (ISO 3166 code).
    phone_region = models.CharField(
        _("default country of phone numbers"),
        max_length=2,
        default="KZ",
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Use a two-letter country code such as KZ."))],
    )
    erase_after_days = models.PositiveIntegerField(
        _("erase contacts this many days after the last payment"),
        default=90,
        validators=[MaxValueValidator(3650)],
    )

    class Meta:
        verbose_name = _("incentive settings")
        verbose_name_plural = _("incentive settings")
        permissions = [("payments", _("Can see payout contacts and record payments"))]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.primary_amount}+{self.per_recruit_amount} {self.currency}"

    @property
    def payout_methods(self) -> list[str]:
        """Return the payout methods in the active language, one per line of the setting."""
        lines = localized(self, "payout_methods").splitlines()
        return [line.strip() for line in lines if line.strip()]


class PayoutContact(models.Model):
    """A respondent's payout contact: encrypted, in a table of its own, erased when done."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("phone")
        EMAIL = "email", _("e-mail")

    response = models.OneToOneField(
        "surveys.Response", on_delete=models.CASCADE, related_name="payout_contact"
    )
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    # Fernet token of the normalized contact (incentives.crypto); never the contact itself.
    ciphertext = models.TextField()
    # Salted hash of the normalized contact: the same number written two ways is one hash.
    contact_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"payout contact of response {self.response_id}"


class Status(models.TextChoices):
    """Where an entry stands: pending → approved / on hold → paid, or void."""

    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    ON_HOLD = "on_hold", _("on hold")
    PAID = "paid", _("paid")
    VOID = "void", _("void")


class PayoutBatch(models.Model):
    """Entries paid together, with the payer's reference (a transfer or a receipt number)."""

    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(_("payment reference"), max_length=100)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.survey_id} batch {self.reference}"


class LedgerEntry(models.Model):
    """One amount owed to a respondent, caused by one completed response (theirs or a recruit's)."""

    class Kind(models.TextChoices):
        PRIMARY = "primary", _("for taking part")
        SECONDARY = "secondary", _("for a recruit")

    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=9, choices=Kind.choices)
    # Who is paid: the respondent (primary) or their recruiter (secondary).
    beneficiary = models.ForeignKey(
        "surveys.Response", on_delete=models.PROTECT, related_name="incentive_entries"
    )
    # Whose completion caused it: the respondent themselves or the recruit.
    source = models.ForeignKey("surveys.Response", on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    batch = models.ForeignKey(
        PayoutBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            # One primary per response and one secondary per recruit: accruing twice is a no-op.
            models.UniqueConstraint(fields=["source", "kind"], name="ledger_entry_once"),
        ]
        indexes = [models.Index(fields=["survey", "status"], name="ledger_survey_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} to {self.beneficiary_id}: {self.status}"


class ContactAccess(models.Model):
    """Who saw or exported payout contacts, when, and how many; never the contacts themselves."""

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        DOWNLOAD = "download", _("downloaded")
        COMMAND = "command", _("exported by a command")

    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=8, choices=Action.choices)
    contacts = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.contacts} contacts at {self.at:%Y-%m-%d %H:%M}"
