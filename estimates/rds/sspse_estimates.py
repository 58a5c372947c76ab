"""A survey's population size by SS-PSE: its degrees in order of recruitment, and the result.

Needs Django; the sampler is :mod:`estimates.rds.estimators.sspse`. The degrees are the network
sizes the respondents reported (the degree-role question, kept on each response), in order of
recruitment: submission times (for imported data the file's time column, else its row order),
as the other estimators read them. As R's ``posteriorsize``, a degree is raised to the ties the
sample itself shows (recruits plus recruiter) and respondents without one are left out.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from estimates.models import EstimationSettings, PopulationSizeEstimate
from estimates.rds.estimators.sspse import PopulationSize, population_size, tree_degrees
from estimates.rds.population import PopulationSizeForm, population_size_save
from estimates.rds.sample import RDSError
from surveys.models import Response, Survey

log = logging.getLogger(__name__)

FAILED = gettext_noop("The estimate failed; the error is in the server's log.")
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
    *,
    survey: Survey,
    prior_median: float | None,
    samples: int,
    seed: int | None,
    prior_quartiles: tuple[float, float] | None = None,
) -> PopulationSize:
    """Return the SS-PSE posterior of the survey's population size (RDSError says why not)."""
    return population_size(
        degrees=survey_degrees(survey=survey),
        prior_median=prior_median,
        prior_quartiles=prior_quartiles,
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


def population_estimate_create(
    *,
    survey: Survey,
    user: AbstractBaseUser | None,
    prior_median: int,
    samples: int,
    seed: int | None,
) -> PopulationSizeEstimate:
    """Record an analyst's request for an estimate; enqueue.population_estimate_start runs it."""
    return PopulationSizeEstimate.objects.create(
        survey=survey,
        requested_by=user if user is not None and user.is_authenticated else None,
        prior_median=prior_median,
        samples=samples,
        seed=seed,
    )


def population_estimate_run(*, estimate_id: int) -> str:
    """Run a requested estimate and store its result, or why there is none; return its status."""
    estimate = (
        PopulationSizeEstimate.objects.select_related("survey").filter(pk=estimate_id).first()
    )
    if estimate is None:
        return "missing"
    if estimate.status == PopulationSizeEstimate.Status.DONE:
        return estimate.status
    PopulationSizeEstimate.objects.filter(pk=estimate.pk).update(
        status=PopulationSizeEstimate.Status.RUNNING, error=""
    )
    status, result, error = PopulationSizeEstimate.Status.DONE, {}, ""
    try:
        result = population_size_json(
            survey_population_size(
                survey=estimate.survey,
                prior_median=estimate.prior_median,
                samples=estimate.samples,
                seed=estimate.seed,
            )
        )
    except RDSError as reason:
        status, error = PopulationSizeEstimate.Status.FAILED, str(reason)
    except Exception:
        log.exception("population size estimate %s failed", estimate.pk)
        status, error = PopulationSizeEstimate.Status.FAILED, FAILED
    PopulationSizeEstimate.objects.filter(pk=estimate.pk).update(
        status=status, result=result, error=error, finished_at=timezone.now()
    )
    return status


def population_estimate_apply(
    *, estimate: PopulationSizeEstimate, user: AbstractBaseUser | None
) -> bool:
    """Set the survey's N to the posterior median and its range to the 95 % interval.

    Saved through the population-size form, so the design-change log records it; return
    whether the estimates need N anew.
    """
    if estimate.status != PopulationSizeEstimate.Status.DONE:
        raise ValidationError(_("The estimate is not ready."), code="not_ready")
    result = estimate.result
    form = PopulationSizeForm(
        data={
            "population_size": round(result["median"]),
            "population_size_low": math.floor(result["lower"]),
            "population_size_high": math.ceil(result["upper"]),
        },
        instance=EstimationSettings.of(estimate.survey),
    )
    if not form.is_valid():
        raise ValidationError(list(form.errors.values()), code="invalid")
    return population_size_save(form=form, user=user)


def population_estimate_latest(*, survey: Survey) -> PopulationSizeEstimate | None:
    """Return the survey's most recently requested estimate."""
    return survey.population_size_estimates.order_by("-created_at", "-pk").first()
