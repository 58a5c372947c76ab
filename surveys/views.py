"""The respondent's way: consent, one page per block, submit, thank you."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from surveys.forms import ConsentForm, PageForm, WithdrawCodeForm, initial_for_page
from surveys.links import attribution, limits
from surveys.links import views as link_views
from surveys.links.person_check import (
    Verdict,
    person_challenge_again,
    person_challenge_new,
    start_verdict,
)
from surveys.links.policy import LinkState
from surveys.logic import skip
from surveys.models import Draft, Page, Response, Survey
from surveys.models.i18n import LANGUAGE_CODES
from surveys.paradata import timing
from surveys.paradata.device import device_remember, device_token, request_device_class
from surveys.privacy import client_hash, device_hash
from surveys.selectors import response_by_withdraw_code, survey_get, survey_pages
from surveys.services import (
    IncompleteDraft,
    PageAnswers,
    ScreenedOut,
    draft_save_page,
    draft_screen,
    draft_start,
    response_submit,
    response_withdraw,
)
from surveys.visitor import (
    visitor_draft,
    visitor_forget_draft,
    visitor_forget_response,
    visitor_remember_draft,
    visitor_remember_response,
    visitor_response,
    visitor_take_just_submitted,
)


def _page_url(survey: Survey, index: int) -> str:
    return reverse("surveys:page", kwargs={"slug": survey.slug, "number": index + 1})


def _page_answers(form: PageForm) -> PageAnswers:
    """Return the answers of a page form that passed validation, leaving out the rest."""
    answers, other_texts = form.valid_answers()
    return PageAnswers(question_codes=form.question_codes, answers=answers, other_texts=other_texts)


def _closed(request: HttpRequest, survey: Survey) -> HttpResponse:
    return render(request, "surveys/closed.html", {"survey": survey}, status=410)


@never_cache
@require_http_methods(["GET", "POST"])
def survey_start(request: HttpRequest, slug: str) -> HttpResponse:
    survey = survey_get(slug=slug)
    if visitor_response(request=request, survey=survey):
        return redirect("surveys:thanks", slug=survey.slug)
    draft = visitor_draft(request=request, survey=survey)
    if draft is not None:
        if request.method == "GET":
            _welcome_back(request, draft.page_index, len(survey_pages(survey=survey)))
        return redirect(_page_url(survey, draft.page_index))
    if not survey.is_open:
        return _closed(request, survey)
    # Checked again at consent: the link may have been used up since it was opened.
    link_state = attribution.visitor_link_state(request=request, survey=survey)
    if link_state is not LinkState.USABLE:
        return link_views.link_refused(request, survey=survey, state=link_state)
    form = ConsentForm(request.POST if request.method == "POST" else None, survey=survey)
    if request.method == "POST" and form.is_valid():
        device = device_token(request)
        verdict = start_verdict(request=request, survey_slug=survey.slug, device=device)
        if verdict is not Verdict.ADMITTED:
            again = request.POST.get(limits.START_TICKET_FIELD, "")
            return _start_challenge(
                request, survey, device, again=again if verdict is Verdict.TOO_EARLY else ""
            )
        draft = draft_start(
            survey=survey,
            language=get_language(),
            attribution=attribution.attribution_for_visitor(request=request, survey=survey),
            client_hash=client_hash(request),
            device_hash=device_hash(device),
            device_class=request_device_class(request),
        )
        visitor_remember_draft(request=request, survey=survey, draft=draft)
        reply = redirect(_page_url(survey, 0))
        device_remember(reply, device)
        return reply
    return render(request, "surveys/consent.html", {"survey": survey, "form": form})


def _welcome_back(request: HttpRequest, index: int, total: int) -> None:
    # Said only to someone who comes back through the survey's or a link's address.
    messages.info(
        request,
        _("Welcome back! You were on page %(number)s of %(total)s; your answers are kept.")
        % {"number": index + 1, "total": total},
    )


def _start_challenge(
    request: HttpRequest, survey: Survey, device: str, *, again: str
) -> HttpResponse:
    # A ticket for this browser and a proof of work for its script: nothing a person notices,
    # a cost for a flood. "again": the ticket was posted before its work or wait was done.
    if again:
        challenge = person_challenge_again(ticket=again)
    else:
        challenge = person_challenge_new(request=request, survey_slug=survey.slug, device=device)
    context = {
        "survey": survey,
        "challenge": challenge,
        "too_early": bool(again),
        "start_ticket_field": limits.START_TICKET_FIELD,
        "person_proof_field": limits.PERSON_PROOF_FIELD,
        "wait_seconds": limits.PERSON_WAIT_SECONDS,
        "window_minutes": limits.START_WINDOW_SECONDS // 60,
    }
    reply = render(request, "surveys/too_many_starts.html", context, status=429)
    # The ticket is bound to the device cookie: the browser must hold it when it comes back.
    device_remember(reply, device)
    # The CSRF cookie just passed its check and the form's token is masked from it: not sending
    # it again keeps the device cookie the page's only one, for clients that keep one per answer.
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
    return reply


@never_cache
@require_http_methods(["GET", "POST"])
def survey_page(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    survey = survey_get(slug=slug)
    if visitor_response(request=request, survey=survey):
        return redirect("surveys:thanks", slug=survey.slug)
    draft = visitor_draft(request=request, survey=survey)
    if draft is None:
        return redirect("surveys:start", slug=survey.slug)
    pages = survey_pages(survey=survey)
    index = number - 1
    if not 0 <= index < len(pages):
        raise Http404("No such page")
    page = pages[index]

    if request.method == "GET":
        if not skip.page_is_asked(pages, index, draft.answers):
            # A page the answers so far skip (an old bookmark, a changed branch).
            target = skip.next_page_index(pages, index, draft.answers)
            if target is None:
                target = skip.previous_page_index(pages, index, draft.answers)
            return redirect(_page_url(survey, target))
        form = PageForm(
            page=page,
            earlier_answers=draft.answers,
            initial=initial_for_page(page, draft.answers, draft.other_texts),
        )
        served = timing.served_stamp(position=page.position)
        return _render_page(request, survey, pages, index, form, draft, served=served)

    form = PageForm(request.POST, page=page, earlier_answers=draft.answers)
    valid = form.is_valid()
    answers = _page_answers(form)
    visit = timing.page_visit(data=request.POST, draft=draft, position=page.position)
    switch_to = request.POST.get("switch_language", "")
    if switch_to in LANGUAGE_CODES:
        # Keep what was typed so far, then show the same page in the other language.
        draft_save_page(
            draft=draft, page=answers, next_index=index, language=switch_to, visit=visit
        )
        with translation.override(switch_to):
            return redirect(_page_url(survey, index))
    merged = _with_page(draft.answers, answers)
    if request.POST.get("action") == "back":
        back = skip.previous_page_index(pages, index, merged)
        draft_save_page(draft=draft, page=answers, next_index=back, visit=visit)
        return redirect(_page_url(survey, back))
    if not valid:
        # The page keeps the moment it was first served: fixing an answer is time on the page.
        served = timing.posted_stamp(data=request.POST, position=page.position)
        return _render_page(request, survey, pages, index, form, draft, served=served, status=400)
    following = skip.next_page_index(pages, index, merged)
    if following is not None:
        draft_save_page(draft=draft, page=answers, next_index=following, visit=visit)
        if draft_screen(draft=draft, pages=pages, through_index=index):
            return _screened_out(request, survey)
        return redirect(_page_url(survey, following))
    if not survey.is_open:
        draft_save_page(
            draft=draft, page=answers, next_index=index, language=get_language(), visit=visit
        )
        return _closed(request, survey)
    try:
        response, _ = response_submit(
            draft=draft, pages=pages, last_page=answers, language=get_language(), visit=visit
        )
    except IncompleteDraft as incomplete:
        return redirect(_page_url(survey, incomplete.page_index))
    except ScreenedOut:
        return _screened_out(request, survey)
    visitor_remember_response(request=request, survey=survey, response=response)
    return redirect("surveys:thanks", slug=survey.slug)


def _with_page(draft_answers: dict, page: PageAnswers) -> dict:
    """Return the draft's answers as they will be once this page's answers replace its old ones."""
    kept = {k: v for k, v in draft_answers.items() if k not in page.question_codes}
    return {**kept, **page.answers}


def _screened_out(request: HttpRequest, survey: Survey) -> HttpResponse:
    visitor_forget_draft(request=request, survey=survey)
    return redirect("surveys:screened_out", slug=survey.slug)


@never_cache
@require_http_methods(["GET"])
def survey_screened_out(request: HttpRequest, slug: str) -> HttpResponse:
    survey = survey_get(slug=slug)
    return render(request, "surveys/screened_out.html", {"survey": survey})


def _render_page(
    request: HttpRequest,
    survey: Survey,
    pages: list[Page],
    index: int,
    form: PageForm,
    draft: Draft,
    *,
    served: str,
    status: int = 200,
) -> HttpResponse:
    context = {
        "survey": survey,
        "page": pages[index],
        "form": form,
        "number": index + 1,
        "total": len(pages),
        "percent": round(100 * index / len(pages)),
        "is_last": skip.next_page_index(pages, index, draft.answers) is None,
        "language_switch_in_form": True,
        "served_field": timing.SERVED_FIELD,
        "served": served,
        "honeypot_field": timing.HONEYPOT_FIELD,
    }
    return render(request, "surveys/page.html", context, status=status)


@never_cache
@require_http_methods(["GET"])
def survey_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    survey = survey_get(slug=slug)
    response = visitor_response(request=request, survey=survey)
    if response is None:
        return redirect("surveys:start", slug=survey.slug)
    # A phone may be shared: the private withdrawal link and code are for the person who has
    # just answered, not for the next one who opens the page on this browser.
    just_submitted = visitor_take_just_submitted(request=request, survey=survey)
    context = {
        "survey": survey,
        "response": response,
        "referral": attribution.referral_for(request=request, response=response),
        "just_submitted": just_submitted,
        "withdraw_code": (
            attribution.spoken_code(response.withdraw_code)
            if just_submitted and response.withdraw_code
            else ""
        ),
    }
    return render(request, "surveys/thanks.html", context)


@never_cache
@require_http_methods(["POST"])
def survey_new_person(request: HttpRequest, slug: str) -> HttpResponse:
    """Let someone else answer on this browser: it forgets the earlier person's response."""
    survey = survey_get(slug=slug)
    visitor_forget_response(request=request, survey=survey)
    return redirect("surveys:start", slug=survey.slug)


@never_cache
@require_http_methods(["GET", "POST"])
def response_withdraw_view(request: HttpRequest, token: str) -> HttpResponse:
    response = get_object_or_404(Response.objects.select_related("survey"), withdraw_token=token)
    if request.method == "POST":
        response_withdraw(response=response)
    return render(request, "surveys/withdraw.html", {"response": response})


@never_cache
@require_http_methods(["GET", "POST"])
def response_withdraw_by_code(request: HttpRequest) -> HttpResponse:
    """Withdraw with the code written down at the submit, from any browser."""
    form = WithdrawCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "GET" or not form.is_valid():
        return render(request, "surveys/withdraw_code.html", {"form": form})
    if attribution.guessing_blocked(request=request):
        return render(request, "surveys/link_rate_limited.html", status=429)
    response = response_by_withdraw_code(code=form.cleaned_data["code"])
    if response is None:
        attribution.guess_failed(request=request)
        form.add_error("code", _("No answers have this withdrawal code. Check the code."))
        return render(request, "surveys/withdraw_code.html", {"form": form}, status=404)
    if request.POST.get("confirm"):
        response_withdraw(response=response)
    context = {"response": response, "code": form.cleaned_data["code"]}
    return render(request, "surveys/withdraw.html", context)
