"""A survey's population size by SS-PSE: its degrees in order of recruitment, and the result.

Needs Django; the sampler is :mod:`analytics.rds.estimators.sspse`. The degrees are the network
sizes the respondents reported (the degree-role question, kept on each response), in order of
recruitment: submission times (for imported data the file's time column, else its row order),
as the other estimators read them. As R's ``posteriorsize``, a degree is raised to the ties the
sample itself shows (recruits plus recruiter) and respondents without one are left out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from django.utils.translation import gettext_noop

from analytics.rds.estimators.sspse import PopulationSize, population_size, tree_degrees
from analytics.rds.sample import RDSError
from surveys.models import Response, Survey

NO_DEGREES = gettext_noop(
    "No respondent in the recruitment chains reported a network size, so the population size "
    "cannot be estimated."
)
#: Sizes of a plot's curves: the sampler's 512 grid points thinned for a page.
PLOT_POINTS = 128


def survey_degrees(*, survey: Survey) -> np.ndarray:
    """Return the reported degrees in order of recruitment, raised to the sample's own ties."""
    # The response's own column (filled from the degree-role question), named through the model.
    degree_column = Response.network_size.field.name
    rows = list(
        Response.objects.filter(survey=survey, wave__isnull=False)
        .order_by("submitted_at", "id")
        .values_list("id", "recruiter_id", degree_column)
    )
    index = {pk: row for row, (pk, _, _) in enumerate(rows)}
    parent = np.array([index.get(recruiter, -1) for _, recruiter, _ in rows], dtype=np.int64)
    reported = np.array(
        [np.nan if size is None else float(size) for _, _, size in rows], dtype=float
    )
    if len(rows) == 0 or np.isnan(reported).all():
        raise RDSError(NO_DEGREES)
    degrees = tree_degrees(degree=np.nan_to_num(reported), parent=parent)
    return degrees[~np.isnan(reported)]


def survey_population_size(
    *, survey: Survey, prior_median: float, samples: int, seed: int | None
) -> PopulationSize:
    """Return the SS-PSE posterior of the survey's population size (RDSError says why not)."""
    return population_size(
        degrees=survey_degrees(survey=survey),
        prior_median=prior_median,
        samples=samples,
        seed=seed,
    )


def _rounded(values: np.ndarray, digits: int) -> list[float]:
    return [round(float(v), digits) for v in values]


def population_size_json(result: PopulationSize) -> dict[str, Any]:
    """Return the result as JSON: the summaries, the prior, and both densities for a plot."""
    step = max(1, len(result.grid) // PLOT_POINTS)
    prior = result.prior
    return {
        "map": round(result.map, 1),
        "mean": round(result.mean, 1),
        "median": round(result.median, 1),
        "lower": round(result.lower, 1),
        "upper": round(result.upper, 1),
        "n": result.n,
        "samples": result.samples,
        "seed": result.seed,
        "prior": {
            "distribution": "beta",
            "median": prior.median,
            "mean": round(prior.mean, 1),
            "mode": prior.mode,
            "quartiles": list(prior.quartiles),
            "alpha": round(prior.alpha, 6),
            "beta": round(prior.beta, 6),
            "max_size": prior.max_size,
        },
        "density": {
            "size": _rounded(result.grid[::step], 1),
            "prior": [float(f"{v:.6g}") for v in result.prior_density[::step]],
            "posterior": [float(f"{v:.6g}") for v in result.posterior_density[::step]],
        },
    }
