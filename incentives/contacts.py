"""The payout contact's writes: saving one (and spotting a repeat), erasing, re-encrypting."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from incentives.crypto import contact_encrypt, contact_hash, contact_normalize, token_rotate
from incentives.ledger import entries_settle
from incentives.models import ContactAccess, IncentiveSettings, PayoutContact
from surveys.links.limits import FLAG_SAME_PAYOUT_CONTACT
from surveys.models import Response, Survey
from surveys.quality.reviews import response_flag_add


@sensitive_variables("text", "contact")
def payout_contact_save(*, response: Response, text: str) -> PayoutContact:
    """Store the respondent's payout contact, encrypted; a contact given before flags them.

    Giving another contact replaces the first. A contact that another response of the survey
    already gave flags this response ``same_payout_contact``, which holds its money.
    """
    config = IncentiveSettings.objects.filter(survey_id=response.survey_id, enabled=True).first()
    if config is None or response.withdrawn_at is not None:
        raise ValidationError(_("This survey does not pay incentives."), code="payout_off")
    contact = contact_normalize(text=text, region=config.phone_region)
    hashed = contact_hash(contact=contact)
    with transaction.atomic():
        saved, _created = PayoutContact.objects.update_or_create(
            response=response,
            defaults={
                "survey_id": response.survey_id,
                "kind": contact.kind,
                "ciphertext": contact_encrypt(contact=contact),
                "contact_hash": hashed,
            },
        )
        repeated = (
            PayoutContact.objects.filter(survey_id=response.survey_id, contact_hash=hashed)
            .exclude(response=response)
            .exists()
        )
        if repeated:
            response_flag_add(response=response, flag=FLAG_SAME_PAYOUT_CONTACT)
        entries_settle(response_ids=[response.pk])
    return saved


def payout_contact_erase(*, response: Response) -> bool:
    """Erase the response's payout contact; return whether there was one."""
    deleted, _kinds = PayoutContact.objects.filter(response=response).delete()
    if deleted:
        entries_settle(response_ids=[response.pk])
    return bool(deleted)


def contacts_erase_due(*, now: dt.datetime | None = None) -> int:
    """Erase the contacts whose last payment is older than their survey's erase-after days."""
    now = now or timezone.now()
    erased = 0
    for config in IncentiveSettings.objects.all():
        cutoff = now - dt.timedelta(days=config.erase_after_days)
        due = (
            Response.objects.filter(survey_id=config.survey_id, payout_contact__isnull=False)
            .annotate(last_paid=Max("incentive_entries__batch__paid_at"))
            .filter(last_paid__lte=cutoff)
        )
        for response in due:
            erased += payout_contact_erase(response=response)
    return erased


def contacts_erase_withdrawn() -> int:
    """Erase the contacts of withdrawn respondents; return how many.

    The catch-up of a withdrawal whose receiver failed (incentives.receivers): none is left."""
    withdrawn = Response.objects.filter(withdrawn_at__isnull=False, payout_contact__isnull=False)
    return sum(payout_contact_erase(response=response) for response in withdrawn)


def contacts_rotate(*, keys: list[str] | None = None) -> int:
    """Re-encrypt every payout contact under the newest key; return how many."""
    rotated = 0
    with transaction.atomic():
        for contact in PayoutContact.objects.select_for_update().only("pk", "ciphertext"):
            contact.ciphertext = token_rotate(ciphertext=contact.ciphertext, keys=keys)
            contact.save(update_fields=["ciphertext"])
            rotated += 1
    return rotated


def contact_access_record(
    *, survey: Survey, user: AbstractBaseUser | None, action: str, contacts: int
) -> ContactAccess:
    """Log that someone saw or exported this many contacts (never which ones)."""
    who = user if user is not None and getattr(user, "pk", None) else None
    return ContactAccess.objects.create(survey=survey, user=who, action=action, contacts=contacts)
