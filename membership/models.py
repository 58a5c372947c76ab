"""A survey's members: the staff who may see its pages, each in one or more roles."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A member's role in one study; each is also a site-wide permission of the same codename.

    The value is the codename of the permission that opens the role's pages (``surveys.organizer``,
    ``surveys.analyst``, and ``payments`` for whoever pays incentives), so that one table says
    both who may open a kind of page and which studies they see there.
    """

    ORGANIZER = "organizer", _("organizer")
    ANALYST = "analyst", _("analyst")
    PAYMENTS = "payments", _("payments")


class Membership(models.Model):
    survey = models.ForeignKey(
        "surveys.Survey",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("survey"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("study member")
        verbose_name_plural = _("study members")
        ordering = ["survey", "user__username", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "user", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.survey.slug} · {self.role}"
