"""Which estimate to report and why, in plain words, for the dashboard's estimates table.

An analyst facing RDS-II, RDS-I, SS, HCG and post-stratified shares, each with an interval, is
tempted to pick the narrowest. The rules here follow the methods' assumptions instead: SS when a
sizeable part of the population was sampled (Gile 2011; more than ``SIZEABLE_FRACTION``),
RDS-II otherwise; post-stratification only
as a sensitivity check; the interval the survey's settings chose, named.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from estimates.models import EstimationSettings
from estimates.rds.selectors import Estimates
from surveys.models import Survey

#: The sample fraction from which SS is the figure to report: ``gile.ss.weights``' own default
#: ``SS.infinity``. Below it SS is computed (from R's 1 %) but differs from RDS-II too little for
#: "too large a part for RDS-II" to be true.
SIZEABLE_FRACTION = 0.04


def estimates_guidance(*, survey: Survey, estimates: Estimates | None) -> dict[str, Any]:
    """Return the report guidance for the dashboard's estimates and whether HCG is shown."""
    if estimates is None or estimates.unavailable:
        return {"paragraphs": [], "hcg": False}
    hcg = any(question.has_hcg for question in estimates.questions.values())
    paragraphs = report_guidance(
        respondents=estimates.respondents,
        population_size=estimates.population_size,
        ss_available=not estimates.ss_unavailable,
        interval_method=EstimationSettings.of(survey).interval_method,
        poststratified=estimates.poststratified,
        hcg_available=hcg,
    )
    return {"paragraphs": paragraphs, "hcg": hcg}


def report_guidance(
    *,
    respondents: int,
    population_size: int | None,
    ss_available: bool,
    interval_method: str,
    poststratified: bool,
    hcg_available: bool = False,
) -> list[str]:
    """Return the paragraphs that tell the analyst which figure to report and why."""
    paragraphs: list[str] = []
    fraction = respondents / population_size if population_size else None
    if ss_available and fraction is not None and fraction > SIZEABLE_FRACTION:
        paragraphs.append(
            _(
                "Report SS: the chains reached %(percent)s %% of the population (%(n)s of "
                "%(size)s people), too large a part for RDS-II, which assumes sampling with "
                "replacement; give RDS-II beside it, and the SS plot across population sizes."
            )
            % {"percent": round(100 * fraction), "n": respondents, "size": population_size}
        )
    elif fraction is not None:
        paragraphs.append(
            _(
                "Report RDS-II: the chains reached a small part of the population (%(n)s of "
                "%(size)s people), where SS and RDS-II agree."
            )
            % {"n": respondents, "size": population_size}
        )
    else:
        paragraphs.append(
            _(
                "Report RDS-II. Without the population size it is unknown which part of the "
                "population was sampled; if it is more than a few percent, set the size so that "
                "SS can correct for sampling without replacement."
            )
        )
    if hcg_available:
        paragraphs.append(
            _(
                "HCG also uses the order of recruitment and models homophily; where it differs "
                "much from RDS-II and SS, report it as a sensitivity check."
            )
        )
    if poststratified:
        paragraphs.append(
            _(
                "The post-stratified shares are a sensitivity check, not the headline: they "
                "ignore how the chains recruited."
            )
        )
    if interval_method == "el":
        method = _(
            "The intervals reported are R's empirical-likelihood intervals (the RDS package's "
            "default), so that the figures match an analysis in R."
        )
    else:
        method = _(
            "The intervals reported come from the tree bootstrap, which resamples whole "
            "recruitment trees and is usually wider than R's; where it cannot run (one seed) "
            "R's interval is reported instead."
        )
    paragraphs.append(
        method
        + " "
        + _(
            "Report the interval of the estimate you report, named by its method (the settings "
            "choose it; the CSV export has both), not the narrowest one."
        )
    )
    return paragraphs
