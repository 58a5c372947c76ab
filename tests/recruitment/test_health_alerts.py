"""The sample's health on the monitor: each alert fires on data made for it, none on the demo."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from aggregates.models import DashboardLayout
from aggregates.refresh import survey_refresh
from estimates.models import RDSEstimateSet, RDSQuestion
from recruitment.health.store import health_compute, health_read
from recruitment.models import AlertSnooze, RecruitmentSettings
from surveys.models import Response, Survey
from tests.fixtures.recruitment import chain_store
from tests.fixtures.staff import logged_in


def _kinds(survey: Survey) -> set[tuple[str, str]]:
    return {(alert.kind, alert.key) for alert in health_compute(survey=survey).alerts}


def _monitor(user: User, survey: Survey) -> str:
    return logged_in(user).get(f"/en/organize/{survey.slug}/").content.decode()


def test_a_chain_without_recruits_for_a_week_is_dying_while_others_grow(
    sco_survey: Survey, organizer: User
) -> None:
    growing = chain_store(sco_survey, "Growing", 20)
    quiet = chain_store(sco_survey, "Quiet", 20, days_ago=9)
    assert _kinds(sco_survey) >= {("dying_chain", str(quiet.pk))}
    assert ("dying_chain", str(growing.pk)) not in _kinds(sco_survey)
    page = _monitor(organizer, sco_survey)
    assert 'data-alert="dying_chain"' in page and "Chain “Quiet” is dying out" in page
    # The whole survey quiet: recruitment is over, no chain is singled out.
    Response.objects.update(submitted_at=timezone.now() - timedelta(days=30))
    assert not {kind for kind, _key in _kinds(sco_survey)} & {"dying_chain"}


def test_one_chain_holding_most_of_the_sample_is_flagged_as_dominant(
    sco_survey: Survey, organizer: User
) -> None:
    big = chain_store(sco_survey, "Big circle", 40)
    chain_store(sco_survey, "Small circle", 10)
    assert ("seed_dominance", str(big.pk)) in _kinds(sco_survey)
    assert "Chain “Big circle” holds 80 % of the sample" in _monitor(organizer, sco_survey)


def test_a_chain_with_many_flagged_responses_is_flagged(
    sco_survey: Survey, organizer: User
) -> None:
    chain_store(sco_survey, "Clean", 30)
    doubtful = chain_store(sco_survey, "Doubtful", 12, quality_flags=["too_fast"])
    assert ("flagged_share", str(doubtful.pk)) in _kinds(sco_survey)
    page = _monitor(organizer, sco_survey)
    assert "of chain “Doubtful” is flagged" in page
    # Accepted on review, they no longer weigh on the chain.
    Response.objects.filter(seed_link=doubtful).update(review="accepted")
    assert ("flagged_share", str(doubtful.pk)) not in _kinds(sco_survey)


def test_alerts_come_most_urgent_first_grouped_with_each_chains_countries_and_last_completion(
    sco_survey: Survey, organizer: User
) -> None:
    chain_store(sco_survey, "Growing", 40, answers={"country": "kz"})
    chain_store(sco_survey, "Bishkek students", 5, days_ago=9, answers={"country": "kg"})
    chain_store(sco_survey, "Dushanbe", 5, days_ago=20, answers={"country": "tj"})
    chain_store(sco_survey, "Doubtful", 12, quality_flags=["too_fast"])
    kinds = [alert.kind for alert in health_read(survey=sco_survey).alerts]
    # Dying chains before the flagged share and the dominance; the longest quiet first.
    assert kinds.index("dying_chain") < kinds.index("flagged_share") < kinds.index("seed_dominance")
    page = _monitor(organizer, sco_survey)
    assert page.index("“Dushanbe”") < page.index("“Bishkek students”") < page.index("“Doubtful”")
    assert "2 alerts of this kind, most urgent first" in page
    nine_days_ago = (timezone.now() - timedelta(days=9)).date().isoformat()
    assert f"Kyrgyzstan 4, Kazakhstan 1 · last completed {nine_days_ago}" in page
    # The explanation the two dying chains share is said once.
    assert page.count("No recruit has completed the survey in this chain") == 1


def _estimates(survey: Survey, code: str, curve: list[float]) -> None:
    estimate_set = RDSEstimateSet.objects.create(survey=survey, built_at=timezone.now())
    RDSQuestion.objects.create(
        estimate_set=estimate_set,
        question=code,
        shares={"yes": {"rds2": curve[-1], "low": curve[-1] - 0.02, "high": curve[-1] + 0.02}},
        convergence_wave=[
            {"position": wave, "respondents": 50 * (wave + 1), "shares": {"yes": share}}
            for wave, share in enumerate(curve)
        ],
    )


def test_a_key_estimate_that_still_moves_is_reported_and_a_settled_one_is_not(
    sco_survey: Survey, organizer: User
) -> None:
    key = next(iter(DashboardLayout.of(sco_survey).layout["figures"]))
    _estimates(sco_survey, key, [0.30, 0.45, 0.60])
    assert ("convergence", key) in _kinds(sco_survey)
    assert "is still moving" in _monitor(organizer, sco_survey)
    RDSEstimateSet.objects.all().delete()
    _estimates(sco_survey, key, [0.30, 0.59, 0.60])
    assert ("convergence", key) not in _kinds(sco_survey)


def test_an_organizer_snoozes_an_alert_and_shows_it_again(
    sco_survey: Survey, organizer: User
) -> None:
    big = chain_store(sco_survey, "Big circle", 40)
    client = logged_in(organizer)
    url = f"/en/organize/{sco_survey.slug}/alerts/snooze/"
    reply = client.post(url, {"kind": "seed_dominance", "key": str(big.pk), "days": 7})
    assert reply.status_code == 302
    snooze = AlertSnooze.objects.get()
    assert snooze.snoozed_by == organizer and snooze.until > timezone.now() + timedelta(days=6)
    page = _monitor(organizer, sco_survey)
    assert 'id="snoozed-alerts"' in page
    assert 'health-alert" data-alert="seed_dominance"' not in page
    client.post(url, {"kind": "seed_dominance", "key": str(big.pk)})
    assert not AlertSnooze.objects.exists()
    assert 'data-alert="seed_dominance" data-key' in _monitor(organizer, sco_survey)


def test_an_organizer_raises_a_threshold_and_the_alert_goes(
    sco_survey: Survey, organizer: User, analyst: User
) -> None:
    big = chain_store(sco_survey, "Big circle", 40)
    chain_store(sco_survey, "Small circle", 10)
    url = f"/en/organize/{sco_survey.slug}/alerts/thresholds/"
    assert logged_in(analyst).post(url, {"seed_dominance__percent": 95}).status_code == 403
    form = logged_in(organizer).get(url).context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    reply = logged_in(organizer).post(url, {**data, "seed_dominance__percent": 95})
    assert reply.status_code == 302
    stored = RecruitmentSettings.objects.get(survey=sco_survey).health_thresholds
    assert stored == {"seed_dominance": {"percent": 95}}
    assert ("seed_dominance", str(big.pk)) not in _kinds(sco_survey)
    assert health_read(survey=sco_survey).cached  # worked out again when saved
    bad = logged_in(organizer).post(url, {**data, "seed_dominance__percent": 0})
    assert bad.status_code == 400


def test_the_rebuild_job_stores_the_alerts_that_the_monitor_reads(sco_survey: Survey) -> None:
    chain_store(sco_survey, "Big circle", 40)
    assert not health_read(survey=sco_survey).cached
    survey_refresh(survey_id=sco_survey.pk, force=True, dependents=False)
    stored = health_read(survey=sco_survey)
    assert stored.cached and {alert.kind for alert in stored.alerts} == {"seed_dominance"}


def test_the_daily_digest_lists_alerts_completions_flagged_and_changes(
    sco_survey: Survey, organizer: User
) -> None:
    chain_store(sco_survey, "Big circle", 40)
    chain_store(sco_survey, "Doubtful", 12, quality_flags=["honeypot"])
    page = logged_in(organizer).get(f"/en/organize/{sco_survey.slug}/digest/").content.decode()
    assert "holds" in page and "52 completed responses in the last 24 hours" in page
    assert "11 flagged responses awaiting review" in page  # the recruits, not the root
    assert "filled a field hidden from people" in page


@pytest.fixture
def demo(sco_survey: Survey, settings) -> Survey:
    settings.RDS_BOOTSTRAP_REPLICATES = 200
    call_command("seed_demo", stdout=io.StringIO())
    survey_refresh(survey_id=sco_survey.pk, force=True)
    return sco_survey


def test_the_demo_data_raises_only_the_stalled_survey_alert(demo: Survey, organizer: User) -> None:
    # Dated 2025: its chains are calm one by one, and the survey as a whole has stopped.
    assert RDSQuestion.objects.filter(estimate_set__survey=demo).exists()
    assert [alert.kind for alert in health_read(survey=demo).alerts] == ["survey_stalled"]
    page = _monitor(organizer, demo)
    assert 'id="no-alerts"' not in page and 'data-alert="survey_stalled"' in page


def test_a_survey_where_nothing_completes_for_n_days_alerts_even_with_every_chain_dormant(
    demo: Survey, organizer: User
) -> None:
    from recruitment.health.thresholds import thresholds_save

    thresholds_save(survey=demo, values={"survey_stalled__days": 3650})
    assert health_read(survey=demo).alerts == []  # within ten years: quiet, not stalled
    thresholds_save(survey=demo, values={"survey_stalled__days": 30})
    (alert,) = health_read(survey=demo).alerts
    assert alert.kind == "survey_stalled" and alert.params["days"] > 30
    page = _monitor(organizer, demo)
    assert "No completed response for" in page and "alert-danger" in page


def test_the_advice_fits_an_anonymous_study_and_the_funnel_explains_withdrawn_completions(
    sco_survey: Survey, organizer: User
) -> None:
    chain_store(sco_survey, "Growing", 20)
    chain_store(sco_survey, "Quiet", 20, days_ago=9)
    page = _monitor(organizer, sco_survey)
    assert "respondents cannot be contacted: ask the seed to remind" in page
    assert "remind its respondents" not in page
    assert 'id="funnel-withdrawn"' in page and "withdrawn since" in page
