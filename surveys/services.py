"""Writes of the respondent's way: starting a draft, saving pages, submitting once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from surveys.changefeed.feed import change_record
from surveys.links.integrity import lock_link, submit_flags
from surveys.logic.eligibility import screened_out
from surveys.logic.expressions import holds
from surveys.logic.skip import asked_codes, kept_answers
from surveys.models import (
    Draft,
    LinkEvent,
    Page,
    QuestionKind,
    QuestionRole,
    Response,
    ResponseChange,
    SeedLink,
    Survey,
)
from surveys.paradata import timing
from surveys.selectors import survey_pages
from surveys.signals import response_submitted, response_withdrawn


@dataclass(frozen=True)
class Attribution:
    """Where a respondent came from: a seed link, another response's link, or nowhere."""

    code: str = ""
    seed_link: SeedLink | None = None
    recruiter: Response | None = None


@dataclass(frozen=True)
class PageAnswers:
    """One page's valid answers; they replace whatever the draft held for the page's questions."""

    question_codes: tuple[str, ...]
    answers: dict[str, Any] = field(default_factory=dict)
    other_texts: dict[str, str] = field(default_factory=dict)


class ScreenedOut(Exception):
    """The respondent fails the survey's eligibility rule: the draft is gone, nothing is kept."""


class IncompleteDraft(Exception):
    """The draft misses required answers on the page with this index."""

    def __init__(self, page_index: int) -> None:
        super().__init__(page_index)
        self.page_index = page_index


def draft_start(
    *,
    survey: Survey,
    language: str,
    attribution: Attribution,
    client_hash: str,
    device_hash: str = "",
    device_class: str = "",
) -> Draft:
    """Create a draft after consent, remembering how the respondent was recruited."""
    draft = Draft.objects.create(
        survey=survey,
        language=language,
        code_used=attribution.code,
        seed_link=attribution.seed_link,
        recruiter=attribution.recruiter,
        client_hash=client_hash,
        device_hash=device_hash,
        paradata={timing.DEVICE_CLASS: device_class} if device_class else {},
    )
    if attribution.code:
        LinkEvent.objects.create(
            survey=survey, code=attribution.code, kind=LinkEvent.Kind.CONSENTED
        )
    return draft


def _draft_apply(
    draft: Draft,
    page: PageAnswers,
    *,
    language: str | None,
    visit: timing.PageVisit | None = None,
) -> None:
    """Put this page's valid answers into the draft in memory, replacing the page's old ones."""
    for code in page.question_codes:
        draft.answers.pop(code, None)
        draft.other_texts.pop(code, None)
    draft.answers.update(page.answers)
    draft.other_texts.update(page.other_texts)
    # Answers to questions that a changed answer no longer asks are dropped, never kept.
    draft.answers, draft.other_texts = kept_answers(
        survey_pages(survey=draft.survey), draft.answers, draft.other_texts
    )
    if visit is not None:
        timing.paradata_add_visit(draft.paradata, visit)
    if language and language != draft.language:
        timing.paradata_add_switch(draft.paradata)
        draft.language = language


def _draft_save(draft: Draft) -> None:
    draft.save(
        update_fields=[
            "answers",
            "other_texts",
            "page_index",
            "language",
            "paradata",
            "updated_at",
        ]
    )


def _draft_merge_save(
    draft: Draft,
    page: PageAnswers,
    *,
    page_index: int,
    language: str | None,
    visit: timing.PageVisit | None,
) -> None:
    """Put one page's answers into the draft as stored now, under its row lock, and save it.

    Two pages of one draft posted at the same moment (two tabs, a double tap) each replace
    only their own questions: the second write starts from what the first stored.
    """
    with transaction.atomic():
        stored = (
            Draft.objects.select_for_update()
            .only("answers", "other_texts", "paradata", "language")
            .get(pk=draft.pk)
        )
        draft.answers, draft.other_texts = stored.answers, stored.other_texts
        draft.paradata, draft.language = stored.paradata, stored.language
        _draft_apply(draft, page, language=language, visit=visit)
        draft.page_index = page_index
        _draft_save(draft)


def draft_save_page(
    *,
    draft: Draft,
    page: PageAnswers,
    next_index: int,
    language: str | None = None,
    visit: timing.PageVisit | None = None,
) -> Draft:
    """Keep this page's valid answers and the visit's paradata, and move to another page.

    A language other than the draft's counts as a language switch.
    """
    _draft_merge_save(draft, page, page_index=next_index, language=language, visit=visit)
    return draft


def draft_first_incomplete_page(*, draft: Draft, pages: list[Page]) -> int | None:
    """Return the index of the first page the draft's answers do not complete, if any."""
    asked = asked_codes(pages, draft.answers)
    for index, page in enumerate(pages):
        for question in page.questions.all():
            if question.code not in asked:
                continue
            value = draft.answers.get(question.code)
            if not question.accepts(value, draft.other_texts.get(question.code, "")):
                return index
            if value not in (None, "", []) and not holds(question.constraint, draft.answers, value):
                return index
    return None


def draft_screen(*, draft: Draft, pages: list[Page], through_index: int) -> bool:
    """Screen the draft out if the eligibility rule fails after this page; say whether it did.

    A screened-out visit leaves a count on its link and nothing else: the draft, with the
    screening answers, is deleted, and no response uses the recruiter's coupon.
    """
    if not screened_out(
        survey=draft.survey, pages=pages, answers=draft.answers, through_index=through_index
    ):
        return False
    with transaction.atomic():
        if draft.code_used:
            LinkEvent.objects.create(
                survey=draft.survey, code=draft.code_used, kind=LinkEvent.Kind.SCREENED_OUT
            )
        Draft.objects.filter(pk=draft.pk).delete()
    return True


def _degree(pages: list[Page], answers: dict[str, Any]) -> int | None:
    """Return the answer to the question whose role is the network size (the RDS degree)."""
    for page in pages:
        for question in page.questions.all():
            if question.role == QuestionRole.NETWORK_SIZE:
                value = answers.get(question.code)
                return value if isinstance(value, int) else None
    return None


def response_submit(
    *,
    draft: Draft,
    pages: list[Page],
    last_page: PageAnswers | None = None,
    language: str | None = None,
    visit: timing.PageVisit | None = None,
) -> tuple[Response, bool]:
    """Store the draft, with the last page's answers, as one response; once per draft.

    A repeated submit returns the stored response unchanged. A draft missing answers is saved
    with the last page's answers and IncompleteDraft names the page to go back to. A stored
    response holds the answers, so the draft is not written again on the way (a final submit
    is the busiest write of a survey).
    """
    if last_page is not None:
        _draft_apply(draft, last_page, language=language, visit=visit)
    incomplete = draft_first_incomplete_page(draft=draft, pages=pages)
    if incomplete is not None:
        # The last page's answers live in the response only: a stored draft looks incomplete.
        existing = Response.objects.filter(submission_key=draft.token).first()
        if existing is not None:
            return existing, False
        if last_page is not None:
            # Merged into the draft as stored now: another tab may have saved a page meanwhile.
            _draft_merge_save(
                draft, last_page, page_index=incomplete, language=language, visit=visit
            )
            incomplete = draft_first_incomplete_page(draft=draft, pages=pages)
            incomplete = len(pages) - 1 if incomplete is None else incomplete
        draft.page_index = incomplete
        _draft_save(draft)
        raise IncompleteDraft(incomplete)

    if draft_screen(draft=draft, pages=pages, through_index=len(pages) - 1):
        raise ScreenedOut
    survey = draft.survey
    answers = _normalized_answers(pages, draft.answers)
    recruiter = draft.recruiter
    # Without any link the respondent is the wave-0 root of a chain of their own.
    self_started = recruiter is None and draft.seed_link is None
    if recruiter is not None:
        wave, seed_link = (recruiter.wave or 0) + 1, recruiter.seed_link
    else:
        wave, seed_link = 0, draft.seed_link
    kept = timing.paradata_for_response(draft.paradata)
    try:
        with transaction.atomic():
            # Over-limit or repeated responses are stored and flagged: nobody loses their answers.
            lock_link(recruiter=recruiter, seed_link=draft.seed_link)
            flags = submit_flags(
                survey=survey,
                client_hash=draft.client_hash,
                answers=answers,
                recruiter=recruiter,
                seed_link=draft.seed_link,
                total_seconds=kept.get(timing.TOTAL_SECONDS),
                honeypot=bool(draft.paradata.get(timing.HONEYPOT)),
                device_hash=draft.device_hash,
            )
            response = Response.objects.create(
                survey=survey,
                submission_key=draft.token,
                language=draft.language,
                started_at=draft.started_at,
                submitted_at=timezone.now(),
                answers=answers,
                other_texts={k: v for k, v in draft.other_texts.items() if k in answers},
                network_size=_degree(pages, answers),
                code_used=draft.code_used,
                recruiter=recruiter,
                seed_link=seed_link,
                wave=wave,
                self_started=self_started,
                client_hash=draft.client_hash,
                quality_flags=flags,
                paradata=kept,
                device_class=draft.paradata.get(timing.DEVICE_CLASS, ""),
                device_hash=draft.device_hash,
            )
            if draft.code_used:
                LinkEvent.objects.create(
                    survey=survey, code=draft.code_used, kind=LinkEvent.Kind.COMPLETED
                )
    except IntegrityError:
        # This draft was stored before (a second click, or a request racing this one): the
        # unique submission key decided, and the first response stands unchanged.
        existing = Response.objects.filter(submission_key=draft.token).first()
        if existing is None:
            raise
        return existing, False
    transaction.on_commit(lambda: response_submitted.send(sender=Response, response=response))
    return response, True


def _normalized_answers(pages: list[Page], raw: dict[str, Any]) -> dict[str, Any]:
    """Return answers in question order, with integers as numbers and lists in option order."""
    answers: dict[str, Any] = {}
    raw, _ = kept_answers(pages, raw, {})  # the one rule: a question not asked has no answer
    for page in pages:
        for question in page.questions.all():
            if question.code not in raw:
                continue
            value = raw[question.code]
            if question.kind == QuestionKind.MULTIPLE:
                order = [option.code for option in question.options.all()]
                value = [code for code in order if code in set(value)]
            elif question.kind == QuestionKind.INTEGER:
                value = int(value)
            answers[question.code] = value
    return answers


# What a withdrawal erases, and the value each field keeps; the rest is the tombstone that
# keeps the recruitment structure: id, survey, recruiter, wave, seed link, self-started, the
# codes (a withdrawn respondent's link is expired, see links.policy), submitted_at, withdrawn_at.
ERASED_FIELDS = (
    "answers",
    "other_texts",
    "network_size",
    "client_hash",
    "quality_flags",
    "paradata",
    "device_class",
    "device_hash",
)


def response_withdraw(*, response: Response) -> Response:
    """Withdraw a response at its respondent's request, erasing their answers and their draft.

    Repeating it erases again and changes nothing else.
    """
    newly = response.withdrawn_at is None
    with transaction.atomic():
        Draft.objects.filter(token=response.submission_key).delete()
        if newly:
            response.withdrawn_at = timezone.now()
        response.answers, response.other_texts = {}, {}
        response.network_size, response.client_hash, response.quality_flags = None, "", []
        response.paradata, response.device_class, response.device_hash = {}, "", ""
        # Paradata: the language chosen and the time taken say something about the person.
        response.language, response.started_at = "", response.submitted_at
        response.save(update_fields=[*ERASED_FIELDS, "language", "started_at", "withdrawn_at"])
        if newly:
            change_record(response=response, kind=ResponseChange.Kind.WITHDRAWN)
    if newly:
        transaction.on_commit(lambda: response_withdrawn.send(sender=Response, response=response))
    return response
