"""HCG estimates of a survey's single-choice questions, with R's interval, or why there are none.

Needs Django settings; the estimator itself is :mod:`estimates.rds.estimators.hcg`. The order
of recruitment is the responses' submission times (``submitted_at``; for imported data the
file's time column, ``import_rds --time-column``, else its row order).
"""

from __future__ import annotations

import numpy as np
from django.conf import settings
from django.utils.translation import gettext_noop

from estimates.contracts import EMPIRICAL, Estimate, Interval
from estimates.rds.estimators.empirical import el_intervals
from estimates.rds.estimators.hcg import hcg_weights
from estimates.rds.sample import Indicators, RDSError, RDSSample
from estimates.rds.ss_estimates import SS_SEED

# Stored untranslated and translated when shown, like the other reasons.
NO_POPULATION_SIZE = gettext_noop(
    "HCG needs the population size; set it in the survey's settings and rebuild the estimates."
)
TOO_MANY_GROUPS = gettext_noop("HCG is not computed for questions with more than ten answers.")
TOO_MANY = gettext_noop(
    "HCG is not computed for samples this large (see the RDS_HCG_MAX_RESPONDENTS setting)."
)
#: R's limit: ``hcg.estimate`` refuses more than ten groups.
MAX_GROUPS = 10


def hcg_unavailable(*, respondents: int, population_size: int | None) -> str:
    """Return why a survey gets no HCG estimates at all, "" if it does."""
    if population_size is None or population_size < respondents:
        return NO_POPULATION_SIZE
    limit = settings.RDS_HCG_MAX_RESPONDENTS
    if limit and respondents > limit:
        return TOO_MANY
    return ""


def hcg_question(
    *, sample: RDSSample, times: np.ndarray, answers: Indicators, population_size: int
) -> tuple[dict[str, Estimate], str]:
    """Return one single-choice question's HCG share and R's interval per option, or why not."""
    # As R, the groups are the answers given: options nobody chose are left out.
    observed = np.flatnonzero(answers.ticked.sum(axis=0) > 0)
    if len(observed) > MAX_GROUPS:
        return {}, TOO_MANY_GROUPS
    lookup = np.full(len(answers.options), -1)
    lookup[observed] = np.arange(len(observed))
    given = Indicators(
        ticked=answers.ticked[:, observed],
        answered=answers.answered,
        options=tuple(answers.options[g] for g in observed),
    )
    try:
        result = hcg_weights(
            parent=sample.parent,
            time=times,
            degree=sample.degree,
            group=np.where(answers.codes >= 0, lookup[np.maximum(answers.codes, 0)], -1),
            population_size=population_size,
            seed=SS_SEED,
            samples=settings.RDS_SS_SAMPLES,
        )
        # As RDS.HCG.estimates: the empirical-likelihood interval of the HCG-weighted share.
        intervals = el_intervals(
            result.weights * population_size, given, population_size=population_size
        )
    except RDSError as error:
        return {}, str(error)
    shares = {
        option: Estimate(
            share=float(result.shares[g]),
            reported=Interval(float(low), float(high), EMPIRICAL),
        )
        for g, (option, (low, high)) in enumerate(intervals.items())
    }
    return shares, ""
