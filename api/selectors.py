"""What the API reads: a token's survey, its responses, edges, aggregates and estimates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from aggregates.filters import ResponseFilter
from aggregates.selectors import survey_results
from api.models import ApiToken
from estimates.contracts import Estimate, OptionEstimates
from estimates.margins.selectors import cached_poststratification
from estimates.models import EstimationSettings, RDSEstimateSet, RDSQuestion
from surveys.models import Question, Response, Survey

# How each estimate's interval is computed (README, "Population estimates").
METHODS = {
    "rds2": "RDS-II (Volz-Heckathorn); 95 % interval from the tree bootstrap",
    "rds1": "RDS-I (Salganik-Heckathorn); no interval",
    "ss": "Gile's SS (needs the population size); 95 % tree bootstrap with fixed SS weights",
    "poststrat": "post-stratified or raked to the population margins; linearization interval",
}
# The API's estimators, each with its stored estimate and whether it reports an interval.
RDS_ESTIMATORS: tuple[tuple[str, Callable[[OptionEstimates], Estimate], bool], ...] = (
    ("rds2", lambda o: o.rds2, True),
    ("rds1", lambda o: o.rds1, False),
    ("ss", lambda o: o.ss, True),
)


def token_survey(*, token: ApiToken, slug: str) -> Survey:
    """Return the token's survey if the slug names it; any other survey is a 404."""
    if token.survey.slug != slug:
        raise Http404("No such survey")
    return token.survey


def api_responses(*, survey: Survey, since: datetime | None) -> QuerySet[Response]:
    """Return the survey's settled responses, submitted at or after ``since`` if given."""
    settled = timezone.now() - timedelta(seconds=settings.API_SETTLE_SECONDS)
    rows = Response.objects.filter(survey=survey, submitted_at__lte=settled)
    if since is not None:
        rows = rows.filter(submitted_at__gte=since)
    return rows.defer("client_hash", "device_hash", "paradata", "withdraw_token", "withdraw_code")


def api_questions(*, survey: Survey) -> QuerySet[Question]:
    return (
        survey.questions.select_related("page")
        .prefetch_related("options")
        .order_by("page__position", "position")
    )


def api_aggregates(*, survey: Survey) -> dict[str, Any]:
    """Return the dashboard's counts of every question and option, from the aggregate tables."""
    results, _crosstab = survey_results(survey=survey, filters=ResponseFilter())
    rows = [
        {
            "question": question.code,
            "option": share.code,
            "count": share.count,
            "base": question.base,
            "percent": share.percent,
            "count_unflagged": share.count_unflagged,
            "base_unflagged": question.base_unflagged,
            "percent_unflagged": share.percent_unflagged,
        }
        for question in results.questions
        for share in question.shares
    ]
    return {
        "survey": survey.slug,
        "built_at": results.built_at,
        "respondents": results.respondents,
        "rows": rows,
    }


def _estimates_of(stored: OptionEstimates, stratified: Estimate) -> list[dict[str, Any]]:
    found = [
        {
            "method": method,
            "share": estimate(stored).share,
            "ci_low": estimate(stored).low if interval else None,
            "ci_high": estimate(stored).high if interval else None,
            "interval": METHODS[method] if interval else "",
        }
        for method, estimate, interval in RDS_ESTIMATORS
    ]
    found.append(
        {
            "method": "poststrat",
            "share": stratified.share,
            "ci_low": stratified.low,
            "ci_high": stratified.high,
            "interval": METHODS["poststrat"],
        }
    )
    return found


def api_estimates(*, survey: Survey) -> dict[str, Any]:
    """Return the population estimates of every option with their intervals and method."""
    stored = RDSEstimateSet.objects.filter(survey=survey).first()
    questions = {
        row.question: row.record()
        for row in RDSQuestion.objects.filter(estimate_set__survey=survey).only(
            "question", "version", "shares"
        )
    }
    poststrat = cached_poststratification(survey=survey).estimates
    rows = [
        {
            "question": question,
            "option": option,
            "estimates": _estimates_of(values, poststrat.get(question, {}).get(option, Estimate())),
        }
        for question, record in questions.items()
        for option, values in record.options.items()
    ]
    return {
        "survey": survey.slug,
        "built_at": stored.built_at if stored else None,
        "respondents": stored.respondents if stored else 0,
        "seeds": stored.seeds if stored else 0,
        "waves": stored.waves if stored else 0,
        "population_size": (
            stored.population_size if stored else EstimationSettings.of(survey).population_size
        ),
        "unavailable": stored.unavailable if stored else "not computed yet",
        "ss_unavailable": stored.ss_unavailable if stored else "",
        "methods": METHODS,
        "rows": rows,
    }
