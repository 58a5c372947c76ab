"""Pages behind seed and personal links: opening one, and what a visitor sees when it is spent."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from surveys.links import attribution
from surveys.links.codes import is_code, normalize_code
from surveys.links.policy import LinkState
from surveys.models import Survey
from surveys.selectors import survey_get
from surveys.visitor import visitor_draft, visitor_remember_link_code, visitor_response

OWN_LINK = _(
    "This is your own personal link. You have already answered; please pass the link on to "
    "other people."
)
ALREADY_ANSWERED = _(
    "Someone has already answered this survey on this browser. If that was not you, choose "
    "“Answer as a new person” below."
)
REFUSAL_TEMPLATES = {
    LinkState.USED_UP: "surveys/link_used_up.html",
    LinkState.EXPIRED: "surveys/link_expired.html",
}


def link_refused(request: HttpRequest, *, survey: Survey, state: LinkState) -> HttpResponse:
    """Render the page of a used-up or expired link in the visitor's language."""
    context = {"survey": survey, "offer_unattributed": survey.allow_unattributed and survey.is_open}
    return render(request, REFUSAL_TEMPLATES[state], context, status=410)


@never_cache
@require_GET
def referral_open(request: HttpRequest, code: str) -> HttpResponse:
    found = attribution.link_find(code=code)
    if found is None:
        # Only failed look-ups are counted and refused: behind a campus address a guesser must
        # not lock out the people whose links are real (70 random bits make guessing futile).
        if attribution.guessing_blocked(request=request):
            return render(request, "surveys/link_rate_limited.html", status=429)
        attribution.guess_failed(request=request)
        return render(request, "surveys/link_invalid.html", status=404)
    return _link_open(request, found)


@never_cache
@require_GET
def referral_open_unprefixed(request: HttpRequest, code: str) -> HttpResponse:
    """Open a link's address as shared (``/r/<code>/``) in the visitor's language at once.

    Without this the language prefix costs a redirect of its own before the link's: one round
    trip more on a slow phone. An unknown code takes the old way to its page in the language,
    where guesses are counted (once)."""
    found = attribution.link_find(code=code)
    if found is None:
        query = request.META.get("QUERY_STRING", "")
        target = reverse("surveys:referral", kwargs={"code": code})
        return redirect(f"{target}?{query}" if query else target)
    return _link_open(request, found)


def _link_open(request: HttpRequest, found: attribution.FoundLink) -> HttpResponse:
    survey = found.survey
    own = visitor_response(request=request, survey=survey)
    if own is not None:
        # A respondent cannot recruit themselves: their browser gets its own link back.
        if own.referral_code == found.code:
            messages.info(request, OWN_LINK)
        else:
            # Perhaps a shared phone: whoever answers as a new person comes through this link.
            messages.info(request, ALREADY_ANSWERED)
            visitor_remember_link_code(request=request, survey=survey, code=found.code)
        return redirect("surveys:thanks", slug=survey.slug)
    attribution.link_opened(request=request, found=found)
    if visitor_draft(request=request, survey=survey) is not None:
        # The draft keeps the link it was started with.
        return redirect("surveys:start", slug=survey.slug)
    visitor_remember_link_code(request=request, survey=survey, code=found.code)
    state = found.state
    if state is not LinkState.USABLE:
        return link_refused(request, survey=survey, state=state)
    return redirect("surveys:start", slug=survey.slug)


@never_cache
@require_GET
def referral_enter(request: HttpRequest) -> HttpResponse:
    code = normalize_code(request.GET.get("code", ""))
    if is_code(code) and len(code) <= attribution.MAX_CODE_LENGTH:
        return redirect("surveys:referral", code=code)
    return render(request, "surveys/link_enter.html", {"code": request.GET.get("code", "")})


@never_cache
@require_POST
def answer_without_link(request: HttpRequest, slug: str) -> HttpResponse:
    survey = survey_get(slug=slug)
    state = attribution.visitor_link_state(request=request, survey=survey)
    if state is not LinkState.USABLE and not survey.allow_unattributed:
        return link_refused(request, survey=survey, state=state)
    visitor_remember_link_code(request=request, survey=survey, code="")
    return redirect("surveys:start", slug=survey.slug)
