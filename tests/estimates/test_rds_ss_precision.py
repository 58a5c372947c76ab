"""SS precision: enough simulated samples that SS lands on R's large-sample value.

R 4.2.2 / ``RDS`` 0.9-10: ``RDS.SS.estimates(faux, "X", N = 1000,
number.ss.samples.per.iteration = 20000)`` over 8 seeds gives blue 0.308654 (s.d. 0.00004);
R's default 500 samples wander about +-0.002 around it (``tests/data/rds/REFERENCE_VALUES.md``).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from aggregates.rebuild import aggregates_rebuild
from estimates.models import RDSQuestion
from estimates.rds import refresh
from estimates.rds.sample import multi_choice
from estimates.rds.ss import ss_weights
from estimates.rds.ss_estimates import SS_SEED, ss_sample_count
from estimates.rds.weights import option_shares
from surveys.models import Survey
from tests.fixtures.analytics import estimation_set

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "rds"
FAUX_SS_LARGE_SAMPLE = 0.308654


@pytest.mark.django_db
def test_ss_on_faux_lands_within_5e4_of_rs_large_sample_value() -> None:
    call_command(
        "import_rds",
        str(REFERENCE / "faux.csv"),
        survey="faux",
        outcomes="X",
        population_size=1000,
        stdout=io.StringIO(),
    )
    call_command("rebuild_aggregates", survey="faux", stdout=io.StringIO())
    blue = RDSQuestion.objects.get(question="x").shares["blue"]["ss"]
    assert blue == pytest.approx(FAUX_SS_LARGE_SAMPLE, abs=5e-4)


def test_small_samples_simulate_more_successive_samples_than_rs_default(settings) -> None:
    settings.RDS_SS_SAMPLES, settings.RDS_SS_DRAWS = 500, 1_000_000
    assert ss_sample_count(respondents=389) == 2571
    # Large samples already draw as many respondents at R's default.
    assert ss_sample_count(respondents=100_000) == 500


def test_every_option_of_the_demo_survey_lies_within_rs_monte_carlo_spread(
    sco_survey: Survey,
) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    forest = refresh.survey_forest(sco_survey, [])
    assert forest is not None
    sample = forest.sample
    size = 2 * sample.size  # a 50 % sample fraction: SS matters
    estimation_set(sco_survey, population_size=size)
    refresh.rds_rebuild(survey_id=sco_survey.pk, replicates=50)
    # The large-sample value: the same estimator with 20 times R's default samples.
    reference = ss_weights(sample, population_size=size, seed=SS_SEED + 1, samples=10_000)
    questions = {q.code: q for q in sco_survey.questions.prefetch_related("options")}
    answers = refresh.survey_forest(sco_survey, list(questions.values())).answers
    checked = 0
    for stored in RDSQuestion.objects.filter(estimate_set__survey=sco_survey):
        ticked, answered = answers[stored.question]
        options = [o.code for o in questions[stored.question].options.all()]
        truth = option_shares(reference, multi_choice(sample, ticked, answered, options))
        for option, share in stored.shares.items():
            # R's default 500 samples wander about +-0.002 around the large-sample value.
            assert share["ss"] == pytest.approx(truth[option], abs=0.002), (stored.question, option)
            checked += 1
    assert checked > 20
