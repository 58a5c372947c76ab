"""The incentives' panels inside other apps' pages: the thank-you page and the monitor."""

from __future__ import annotations

from typing import Any

from django import template

from incentives.forms import PayoutContactForm
from incentives.selectors import incentives_enabled, respondent_sums, survey_totals
from surveys.models import Response, Survey

register = template.Library()


@register.inclusion_tag("incentives/thanks_panel.html")
def incentives_thanks(survey: Survey, response: Response) -> dict[str, Any]:
    """Offer the payout contact and show the respondent's recruits and amounts (read only)."""
    config = incentives_enabled(survey=survey)
    if config is None or response.withdrawn_at is not None:
        return {"config": None}
    return {
        "config": config,
        "survey": survey,
        "coupon_limit": survey.coupon_limit,
        "sums": respondent_sums(response=response, currency=config.currency),
        "form": PayoutContactForm(),
    }


@register.inclusion_tag("incentives/monitor_panel.html")
def incentives_monitor(survey: Survey) -> dict[str, Any]:
    """Show the survey's owed, on-hold and paid totals, with a warning near the budget."""
    return {"survey": survey, "totals": survey_totals(survey=survey)}
