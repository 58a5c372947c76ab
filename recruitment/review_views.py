"""The organizers' pages about the sample's quality: flagged responses and their review, the
health alerts (snooze, thresholds) and the daily digest."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from membership.access import organizer_required
from recruitment.forms import ReviewForm, SnoozeForm, ThresholdsForm
from recruitment.health.digest import digest as digest_of
from recruitment.health.snooze import alert_snooze, alert_unsnooze
from recruitment.health.store import health_store
from recruitment.health.thresholds import thresholds_save
from recruitment.monitor.quarantine import (
    STATES,
    chain_known,
    flagged_chains,
    flagged_page,
    reviewable,
)
from recruitment.views import _choice, _monitor_path
from surveys.http import bad_request_page, form_page, posted
from surveys.models import Review, Survey
from surveys.quality.reviews import response_review

REVIEW_PER_PAGE = 50


def _back(request: HttpRequest, survey: Survey, anchor: str) -> HttpResponse:
    """Redirect to the page the form was on, if it is one of ours, or to the monitor."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = _monitor_path(survey) + anchor
    return redirect(target)


@organizer_required
@require_POST
def review(request: HttpRequest, survey: Survey, response_id: int) -> HttpResponse:
    response = reviewable(survey=survey, response_id=response_id)
    form = ReviewForm(request.POST)
    if response is None:
        raise Http404("No flagged response with this id")
    if not form.is_valid():
        return HttpResponse(_("Unknown review decision."), status=400)
    decision = form.cleaned_data["decision"]
    try:
        response_review(response=response, decision=decision, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(request, survey, "#flagged-title")
    done = {
        Review.ACCEPTED: _("Response #%(id)s accepted: it counts in the estimates."),
        Review.EXCLUDED: _(
            "Response #%(id)s excluded from the estimates; its recruits stay in the sample."
        ),
    }.get(decision, _("Response #%(id)s is awaiting review again."))
    messages.success(request, done % {"id": response.pk})
    return _back(request, survey, "#flagged-title")


@organizer_required
@require_GET
def flagged(request: HttpRequest, survey: Survey) -> HttpResponse:
    state = _choice(request, "state", STATES)
    chain = request.GET.get("chain", "")
    if chain and not chain_known(chain):
        return bad_request_page(
            request, message=_("There is no chain “%(chain)s”.") % {"chain": chain[:40]}
        )
    page = flagged_page(
        survey=survey,
        chain=chain or None,
        state=state,
        page=request.GET.get("page"),
        per_page=REVIEW_PER_PAGE,
    )
    context = {
        "survey": survey,
        "chains": flagged_chains(survey=survey),
        "flagged": page,
        "chain": chain,
        "state": state,
        "here": request.get_full_path(),
    }
    return render(request, "organize/flagged.html", context)


@organizer_required
@require_POST
def snooze(request: HttpRequest, survey: Survey) -> HttpResponse:
    form = SnoozeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown alert."))
        return _back(request, survey, "#health-title")
    data = form.cleaned_data
    if data["days"]:
        alert_snooze(
            survey=survey, kind=data["kind"], key=data["key"], days=data["days"], user=request.user
        )
        messages.success(request, _("Alert snoozed."))
    else:
        alert_unsnooze(survey=survey, kind=data["kind"], key=data["key"])
        messages.success(request, _("Alert shown again."))
    return _back(request, survey, "#health-title")


@organizer_required
@require_http_methods(["GET", "POST"])
def thresholds(request: HttpRequest, survey: Survey) -> HttpResponse:
    form = ThresholdsForm(posted(request), survey=survey)
    if request.method == "POST" and form.is_valid():
        thresholds_save(survey=survey, values=form.cleaned_data)
        # The alerts are worked out again with the new thresholds now, not at the next rebuild.
        health_store(survey=survey)
        messages.success(request, _("Alert thresholds saved."))
        return redirect(_monitor_path(survey) + "#health-title")
    context = {"survey": survey, "form": form}
    return form_page(request, "organize/thresholds.html", context)


@organizer_required
@require_GET
def digest(request: HttpRequest, survey: Survey) -> HttpResponse:
    return render(
        request, "organize/digest.html", {"survey": survey, "d": digest_of(survey=survey)}
    )
