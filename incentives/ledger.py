"""The ledger's writes: entries accrue on completion, follow reviews and withdrawals, get paid.

An unpaid entry's status is a function of its two responses (whose completion caused it, and
who is paid), so it is recomputed, never edited by hand:

- void: the respondent to be paid withdrew, or an organizer excluded either response;
- on hold: either response is flagged and not accepted (``Response.counts_unflagged``);
- pending: nothing stands in the way but the missing payout contact;
- approved: ready to pay. Paid entries never change again.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from incentives.models import IncentiveSettings, LedgerEntry, PayoutBatch, PayoutContact, Status
from surveys.models import Response, Review, Survey
from surveys.questionnaire.cache import survey_memo

Kind = LedgerEntry.Kind


def recruit_eligible(*, response: Response) -> bool:
    """Return whether a completed response earns its recruiter the amount per recruit.

    Every completed recruit counts: the eligibility screening (surveys/logic) ends the way of
    whoever is screened out before any response exists. The coupon limit caps them
    (entries_accrue).
    """
    return response.recruiter_id is not None


def entry_status(*, source: Response, beneficiary: Response, has_contact: bool) -> str:
    """Return the status an unpaid entry has, from the state of its two responses."""
    if beneficiary.withdrawn_at is not None:
        return Status.VOID
    if Review.EXCLUDED in (source.review, beneficiary.review):
        return Status.VOID
    if not (source.counts_unflagged and beneficiary.counts_unflagged):
        return Status.ON_HOLD
    return Status.APPROVED if has_contact else Status.PENDING


def entries_accrue(*, response: Response) -> list[LedgerEntry]:
    """Record what a completed response earns: its primary, its recruiter's secondary.

    Nothing when the survey's incentives are off. Accruing twice adds nothing (one entry of
    each kind per response). The recruiter's entries are capped at the survey's coupon limit.
    """
    config = survey_memo(
        response=response,
        name="incentives",
        read=lambda: IncentiveSettings.objects.filter(
            survey_id=response.survey_id, enabled=True
        ).first(),
    )
    if config is None:
        return []
    created: list[LedgerEntry] = []
    with transaction.atomic():
        if config.primary_amount:
            entry, new = LedgerEntry.objects.get_or_create(
                source=response,
                kind=Kind.PRIMARY,
                defaults={
                    "survey_id": response.survey_id,
                    "beneficiary": response,
                    "amount": config.primary_amount,
                    "currency": config.currency,
                },
            )
            created += [entry] if new else []
        if config.per_recruit_amount and recruit_eligible(response=response):
            entry = _secondary(response=response, config=config)
            created += [entry] if entry is not None else []
    entries_settle(response_ids=[response.pk])
    return created


def _secondary(*, response: Response, config: IncentiveSettings) -> LedgerEntry | None:
    # The recruiter's row lock makes two recruits completing at once count one after the other.
    recruiter = Response.objects.select_for_update().get(pk=response.recruiter_id)
    limit = response.survey.coupon_limit
    if LedgerEntry.objects.filter(source=response, kind=Kind.SECONDARY).exists():
        return None
    earned = LedgerEntry.objects.filter(beneficiary=recruiter, kind=Kind.SECONDARY).count()
    if limit and earned >= limit:
        return None
    return LedgerEntry.objects.create(
        survey_id=response.survey_id,
        kind=Kind.SECONDARY,
        beneficiary=recruiter,
        source=response,
        amount=config.per_recruit_amount,
        currency=config.currency,
    )


def entries_settle(*, response_ids: Iterable[int]) -> int:
    """Recompute the unpaid entries that these responses cause or receive; return how many moved."""
    ids = list(response_ids)
    moved = 0
    with transaction.atomic():
        entries = (
            LedgerEntry.objects.select_for_update()
            .filter(Q(source_id__in=ids) | Q(beneficiary_id__in=ids))
            .exclude(status=Status.PAID)
            .select_related("source", "beneficiary")
        )
        entries = list(entries)
        with_contact = set(
            PayoutContact.objects.filter(
                response_id__in={entry.beneficiary_id for entry in entries}
            ).values_list("response_id", flat=True)
        )
        for entry in entries:
            status = entry_status(
                source=entry.source,
                beneficiary=entry.beneficiary,
                has_contact=entry.beneficiary_id in with_contact,
            )
            if status != entry.status:
                entry.status = status
                entry.save()
                moved += 1
    return moved


# Beneficiaries recomputed per transaction by the catch-up: short locks, short IN lists.
CATCH_UP_CHUNK = 500


def entries_settle_unpaid() -> int:
    """Recompute every unpaid entry; return how many moved.

    The catch-up of a review, flag or withdrawal whose receiver failed (incentives.receivers)."""
    unpaid = LedgerEntry.objects.exclude(status=Status.PAID)
    ids = sorted(set(unpaid.values_list("beneficiary_id", flat=True)))
    return sum(
        entries_settle(response_ids=ids[start : start + CATCH_UP_CHUNK])
        for start in range(0, len(ids), CATCH_UP_CHUNK)
    )


def batch_pay(
    *,
    survey: Survey,
    respondents: Iterable[str],
    reference: str,
    user: AbstractBaseUser | None,
) -> PayoutBatch:
    """Mark the approved entries of these respondents (personal link codes) paid, as one batch."""
    reference = reference.strip()
    if not reference:
        raise ValidationError(_("Give the payment's reference."), code="payout_reference")
    codes = set(respondents)
    with transaction.atomic():
        # Settled first: a review or withdrawal whose receiver failed is never paid past.
        entries_settle(
            response_ids=Response.objects.filter(
                survey=survey, referral_code__in=codes
            ).values_list("pk", flat=True)
        )
        entries = LedgerEntry.objects.select_for_update().filter(
            survey=survey, status=Status.APPROVED, beneficiary__referral_code__in=codes
        )
        ids = list(entries.values_list("pk", flat=True))
        if not ids:
            raise ValidationError(
                _("None of the chosen respondents has an approved amount to pay."),
                code="payout_nothing",
            )
        who = user if user is not None and getattr(user, "pk", None) else None
        batch = PayoutBatch.objects.create(survey=survey, reference=reference, paid_by=who)
        LedgerEntry.objects.filter(pk__in=ids).update(
            status=Status.PAID, batch=batch, updated_at=timezone.now()
        )
    return batch
