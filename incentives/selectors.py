"""The ledger's reads: a respondent's own sums, a survey's totals, the payout list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, Sum

from incentives.crypto import contact_decrypt
from incentives.models import IncentiveSettings, LedgerEntry, PayoutContact, Status
from surveys.models import Response, Survey

# The payout list's columns, stable: payers' spreadsheets and scripts read them by name.
PAYOUT_COLUMNS = ["respondent", "contact", "currency", "approved", "on_hold", "paid"]
# The monitor warns once what is owed, held and paid reaches this share of the budget.
BUDGET_ALERT_SHARE = 0.8


def incentives_enabled(*, survey: Survey) -> IncentiveSettings | None:
    """Return the survey's incentive settings when incentives are on, else None."""
    return IncentiveSettings.objects.filter(survey=survey, enabled=True).first()


def _sums(entries: object) -> dict[str, int]:
    totals = entries.aggregate(  # type: ignore[attr-defined]
        **{status: Sum("amount", filter=Q(status=status)) for status in Status.values}
    )
    return {status: totals[status] or 0 for status in Status.values}


@dataclass(frozen=True)
class RespondentSums:
    """What a respondent sees on their thank-you page: never who their recruits are."""

    currency: str
    recruits_completed: int
    pending: int
    approved: int
    on_hold: int
    paid: int
    has_contact: bool


def respondent_sums(*, response: Response, currency: str) -> RespondentSums:
    """Return the respondent's completed recruits and their amounts by status."""
    sums = _sums(LedgerEntry.objects.filter(beneficiary=response))
    recruits = Response.objects.filter(recruiter=response).count()
    return RespondentSums(
        currency=currency,
        recruits_completed=recruits,
        pending=sums[Status.PENDING],
        approved=sums[Status.APPROVED],
        on_hold=sums[Status.ON_HOLD],
        paid=sums[Status.PAID],
        has_contact=PayoutContact.objects.filter(response=response).exists(),
    )


@dataclass(frozen=True)
class SurveyTotals:
    """The monitor's figures: owed (pending and approved), on hold, paid, against the budget."""

    currency: str
    owed: int
    on_hold: int
    paid: int
    budget: int | None

    @property
    def committed(self) -> int:
        return self.owed + self.on_hold + self.paid

    @property
    def near_budget(self) -> bool:
        return self.budget is not None and self.committed >= BUDGET_ALERT_SHARE * self.budget


def survey_totals(*, survey: Survey) -> SurveyTotals | None:
    """Return the survey's ledger totals, or None when incentives are off."""
    config = incentives_enabled(survey=survey)
    if config is None:
        return None
    sums = _sums(LedgerEntry.objects.filter(survey=survey))
    return SurveyTotals(
        currency=config.currency,
        owed=sums[Status.PENDING] + sums[Status.APPROVED],
        on_hold=sums[Status.ON_HOLD],
        paid=sums[Status.PAID],
        budget=config.budget,
    )


@dataclass(frozen=True)
class IncentivesReport:
    """What a study report states about the incentives (STROBE-RDS item 6d): no contacts."""

    currency: str
    primary: int
    per_recruit: int
    budget: int | None
    methods: list[str]
    totals: SurveyTotals


def incentives_report(*, survey: Survey) -> IncentivesReport | None:
    """Return the survey's incentive amounts and totals as a report states them, None if off."""
    config = incentives_enabled(survey=survey)
    totals = survey_totals(survey=survey)
    if config is None or totals is None:
        return None
    methods = [line.strip() for line in config.payout_methods_en.splitlines() if line.strip()]
    return IncentivesReport(
        currency=config.currency,
        primary=config.primary_amount,
        per_recruit=config.per_recruit_amount,
        budget=config.budget,
        methods=methods,
        totals=totals,
    )


@dataclass(frozen=True)
class PayoutRow:
    """One respondent with a payout contact: the payout list's row."""

    respondent: str  # the personal link code
    kind: str
    contact: str  # "" unless the contacts were asked for
    currency: str
    approved: int
    on_hold: int
    paid: int

    @property
    def kind_label(self) -> str:
        return str(PayoutContact.Kind(self.kind).label)


def payout_rows(*, survey: Survey, with_contacts: bool) -> list[PayoutRow]:
    """Return one row per respondent who gave a contact, oldest first; contacts only if asked."""
    config = IncentiveSettings.objects.filter(survey=survey).first()
    currency = config.currency if config else ""
    contacts = (
        PayoutContact.objects.filter(survey=survey)
        .select_related("response")
        .annotate(
            **{
                status: Sum(
                    "response__incentive_entries__amount",
                    filter=Q(response__incentive_entries__status=status),
                )
                for status in (Status.APPROVED, Status.ON_HOLD, Status.PAID)
            },
        )
        .order_by("response_id")
    )
    return [
        PayoutRow(
            respondent=contact.response.referral_code,
            kind=contact.kind,
            contact=contact_decrypt(ciphertext=contact.ciphertext) if with_contacts else "",
            currency=currency,
            approved=getattr(contact, Status.APPROVED) or 0,
            on_hold=getattr(contact, Status.ON_HOLD) or 0,
            paid=getattr(contact, Status.PAID) or 0,
        )
        for contact in contacts
    ]


def payout_table(*, survey: Survey) -> list[list[Any]]:
    """Return the payout list's header and rows, contacts decrypted, cells not yet neutralized."""
    rows = payout_rows(survey=survey, with_contacts=True)
    return [
        PAYOUT_COLUMNS,
        *(
            [row.respondent, row.contact, row.currency, row.approved, row.on_hold, row.paid]
            for row in rows
        ),
    ]
