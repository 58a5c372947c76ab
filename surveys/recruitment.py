"""Snowball recruitment: which link brought a visitor, and the link a respondent passes on."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from surveys.codes import normalize_code
from surveys.models import Response, SeedLink, Survey
from surveys.selectors import visitor_attribution_code
from surveys.services import Attribution


@dataclass(frozen=True)
class Referral:
    """The personal link a respondent passes on, and how many recruits it may still bring."""

    url: str
    code: str
    remaining: int | None


def attribution_for_visitor(*, request: HttpRequest, survey: Survey) -> Attribution:
    """Return the recruitment of a visitor who is about to start answering."""
    code = visitor_attribution_code(request=request, survey=survey)
    if not code:
        return Attribution()
    code = normalize_code(code)
    seed = SeedLink.objects.filter(code=code, survey=survey).first()
    if seed is not None:
        return Attribution(code=code, seed_link=seed)
    recruiter = Response.objects.filter(referral_code=code, survey=survey).first()
    if recruiter is not None:
        return Attribution(code=code, recruiter=recruiter)
    return Attribution()


def referral_for(*, request: HttpRequest, response: Response) -> Referral:
    """Return the respondent's own referral link."""
    path = reverse("surveys:referral", kwargs={"code": response.referral_code})
    limit = response.survey.coupon_limit
    used = response.recruits.count()
    remaining = None if limit == 0 else max(limit - used, 0)
    return Referral(
        url=request.build_absolute_uri(path), code=response.referral_code, remaining=remaining
    )


def link_survey(*, code: str) -> tuple[Survey, str] | None:
    """Return the survey a seed or referral code belongs to, with the canonical code."""
    code = normalize_code(code)
    seed = SeedLink.objects.filter(code=code).select_related("survey").first()
    if seed is not None:
        return seed.survey, code
    recruiter = Response.objects.filter(referral_code=code).select_related("survey").first()
    if recruiter is not None:
        return recruiter.survey, code
    return None
