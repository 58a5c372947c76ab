"""The payouts page: approved amounts per respondent, contacts on request, batches paid.

Only the ``incentives.payments`` permission opens it. Contacts are shown or downloaded by a
POST, never by a GET, and each time who, when and how many is logged (ContactAccess).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from incentives.contacts import contact_access_record
from incentives.forms import PayBatchForm
from incentives.ledger import batch_pay
from incentives.models import ContactAccess
from incentives.selectors import PayoutRow, payout_rows, payout_table, survey_totals
from membership.access import payments_required
from surveys.csv_safe import csv_lines
from surveys.models import Survey

Action = ContactAccess.Action


def _page(
    request: HttpRequest,
    survey: Survey,
    rows: list[PayoutRow],
    *,
    form: PayBatchForm | None = None,
    status: int = 200,
) -> HttpResponse:
    codes = [row.respondent for row in rows if row.approved]
    context = {
        "survey": survey,
        "rows": rows,
        "shown": any(row.contact for row in rows),
        "totals": survey_totals(survey=survey),
        "form": form or PayBatchForm(codes=codes),
        "accesses": ContactAccess.objects.filter(survey=survey).select_related("user")[:20],
    }
    return render(request, "incentives/payouts.html", context, status=status)


@payments_required
@require_GET
def payouts(request: HttpRequest, survey: Survey) -> HttpResponse:
    """List the amounts per respondent who gave a contact, the contacts themselves hidden."""
    return _page(request, survey, payout_rows(survey=survey, with_contacts=False))


@payments_required
@require_POST
def payouts_contacts(request: HttpRequest, survey: Survey) -> HttpResponse:
    """Show the list with its contacts, and log that they were seen."""
    rows = payout_rows(survey=survey, with_contacts=True)
    contact_access_record(survey=survey, user=request.user, action=Action.VIEW, contacts=len(rows))
    return _page(request, survey, rows)


@payments_required
@require_POST
def payouts_download(request: HttpRequest, survey: Survey) -> StreamingHttpResponse:
    """Download the payout list as CSV (formula-proof cells), and log that it was."""
    table = payout_table(survey=survey)
    contacts = len(table) - 1
    contact_access_record(
        survey=survey, user=request.user, action=Action.DOWNLOAD, contacts=contacts
    )
    response = StreamingHttpResponse(csv_lines(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{survey.slug}-payouts.csv"'
    return response


@payments_required
@require_POST
def payouts_pay(request: HttpRequest, survey: Survey) -> HttpResponse:
    """Mark the chosen respondents' approved amounts paid, as one batch with its reference."""
    rows = payout_rows(survey=survey, with_contacts=False)
    form = PayBatchForm(request.POST, codes=[row.respondent for row in rows if row.approved])
    if form.is_valid():
        try:
            batch = batch_pay(
                survey=survey,
                respondents=form.cleaned_data["respondent"],
                reference=form.cleaned_data["reference"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Marked paid under the reference %(reference)s.")
                % {"reference": batch.reference},
            )
            return redirect("incentives:payouts", slug=survey.slug)
    return _page(request, survey, rows, form=form, status=400)
