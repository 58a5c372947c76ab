"""Estimates with and without flagged responses: the analyst's sensitivity check."""

from __future__ import annotations

import io
import random
import re
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from aggregates.counting import count_crosstab, count_live, count_plan, count_python
from aggregates.filters import ResponseFilter
from aggregates.models import AggregateCount
from aggregates.rebuild import aggregates_rebuild
from aggregates.selectors import FLAGGED_WITHOUT, published_snapshot, survey_results
from estimates.models import RDSQuestion
from estimates.rds.refresh import rds_rebuild
from surveys.models import Response, Review, Survey
from surveys.quality.reviews import response_review
from surveys.services import response_withdraw
from tests.fixtures.analytics import submit, varied_answers
from tests.fixtures.staff import logged_in
from tests.flow import SCO_ANSWERS, complete_survey


def _aggregates_csv(tmp_path: Path, survey: Survey) -> pd.DataFrame:
    output = tmp_path / f"{survey.slug}-{uuid.uuid4().hex}.csv"
    call_command("export_csv", "aggregates", survey=survey.slug, output=output)
    frame = pd.read_csv(output, encoding="utf-8-sig", dtype={"option": str})
    return frame.set_index(["question", "option"])


def _published(survey: Survey) -> dict[tuple[str, str, str, str], tuple[int, int]]:
    rows = AggregateCount.objects.filter(snapshot=published_snapshot(survey=survey))
    return {(r.dimension, r.value, r.question, r.option): (r.count, r.unflagged) for r in rows}


@pytest.fixture
def study(sco_survey: Survey, settings: Any) -> tuple[Survey, list[Response]]:
    """The study's 505 respondents, then ten who race through the form answering "no"."""
    settings.RDS_BOOTSTRAP_REPLICATES = 100
    call_command("seed_demo", stdout=io.StringIO())
    racers = [
        complete_survey(
            Client(), sco_survey, answers={**SCO_ANSWERS, "awareness": "no"}, paced=False
        )
        for _ in range(10)
    ]
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    rds_rebuild(survey_id=sco_survey.pk, replicates=100)
    return sco_survey, racers


def test_ten_racers_answering_no_leave_the_studys_17_8_percent_without_flagged_responses(
    study: tuple[Survey, list[Response]], tmp_path: Path
) -> None:
    survey, racers = study
    for racer in racers:
        racer.refresh_from_db()
        assert "too_fast" in racer.quality_flags
    assert (
        not Response.objects.filter(survey=survey)
        .exclude(pk__in=[r.pk for r in racers])
        .exclude(quality_flags=[])
        .exists()
    )

    table = _aggregates_csv(tmp_path, survey)
    no = table.loc[("awareness", "no")]
    assert (no["count"], no["base"], no["percent"]) == (100, 515, 19.4)
    assert (no["count_unflagged"], no["base_unflagged"], no["percent_unflagged"]) == (90, 505, 17.8)
    columns = list(table.columns)
    assert columns[columns.index("percent") + 1 : columns.index("percent") + 4] == [
        "count_unflagged",
        "base_unflagged",
        "percent_unflagged",
    ]
    # The published picture survives without the racers, option by option.
    unflagged = table.loc["awareness"]["percent_unflagged"].to_dict()
    assert unflagged == {"yes_fully": 48.5, "partially": 27.7, "no": 17.8, "hard_to_say": 5.9}

    stored = RDSQuestion.objects.get(question="awareness").shares
    assert no["rds2_share_unflagged"] == pytest.approx(stored["no"]["rds2_unflagged"], abs=1e-12)
    assert no["rds2_share_unflagged"] < no["rds2_share"]  # the racers all said "no"
    shares = table.loc["awareness"]["rds2_share_unflagged"]
    assert shares.sum() == pytest.approx(1.0)


def test_accepting_and_excluding_responses_move_the_unflagged_figures_after_the_full_rebuild(
    study: tuple[Survey, list[Response]],
    tmp_path: Path,
    organizer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    survey, racers = study
    regular = (
        Response.objects.filter(survey=survey, quality_flags=[], answers__awareness="no")
        .order_by("id")
        .first()
    )
    # Each decision asks for a full rebuild once it commits (in-process: it runs at once).
    with django_capture_on_commit_callbacks(execute=True):
        for racer in racers[:4]:
            response_review(response=racer, decision=Review.ACCEPTED, user=organizer)
        response_review(response=regular, decision=Review.EXCLUDED, user=organizer)

    no = _aggregates_csv(tmp_path, survey).loc[("awareness", "no")]
    assert (no["count"], no["base"]) == (100, 515)  # every response still counts in "all"
    assert (no["count_unflagged"], no["base_unflagged"]) == (90 + 4 - 1, 505 + 4 - 1)
    assert no["percent_unflagged"] == round(100 * 93 / 508, 1)

    results, _table = survey_results(
        survey=survey, filters=ResponseFilter(), flagged=FLAGGED_WITHOUT
    )
    assert results.respondents == 508 and results.left_out == 7
    reasons = {reason.code: reason.count for reason in results.left_out_reasons}
    assert reasons["too_fast"] == 6 and reasons["excluded"] == 1

    # Reversing a decision reverses its effect.
    with django_capture_on_commit_callbacks(execute=True):
        response_review(response=regular, decision=Review.NONE, user=organizer)
    no = _aggregates_csv(tmp_path, survey).loc[("awareness", "no")]
    assert (no["count_unflagged"], no["base_unflagged"]) == (94, 509)


def _flagged_sample(survey: Survey) -> list[Response]:
    """Twelve responses in two countries; three flagged, one of them then accepted."""
    rng = random.Random(5)
    responses = []
    for index in range(12):
        answers = varied_answers(survey, rng)
        answers["country"] = "kz" if index % 3 else "ru"
        answers["awareness"] = "no" if index < 5 else "yes_fully"
        responses.append(submit(survey, answers, language=("ru", "kk")[index % 2]))
    Response.objects.filter(survey=survey).update(quality_flags=[])
    for response, flags in zip(
        responses[:3], (["too_fast"], ["too_fast", "honeypot"], ["same_device"]), strict=True
    ):
        Response.objects.filter(pk=response.pk).update(quality_flags=flags)
    Response.objects.filter(pk=responses[2].pk).update(review=Review.ACCEPTED)
    return responses


def test_the_crosstabs_count_unflagged_respondents_in_every_group(sco_survey: Survey) -> None:
    responses = _flagged_sample(sco_survey)
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    published = _published(sco_survey)
    kept = [r for r in Response.objects.filter(survey=sco_survey) if r.counts_unflagged]
    assert len(kept) == 10
    for country in ("kz", "ru"):
        group = [r for r in Response.objects.filter(survey=sco_survey, answers__country=country)]
        members = [r for r in group if r.counts_unflagged]
        assert published[("country", country, "", "")] == (len(group), len(members))
        said_no = Counter(r.answers["awareness"] for r in members)["no"]
        assert published[("country", country, "awareness", "no")][1] == said_no

    _results, table = survey_results(
        survey=sco_survey,
        filters=ResponseFilter(),
        crosstab=("awareness", "country"),
        flagged=FLAGGED_WITHOUT,
    )
    groups = {group.value: group for group in table.groups}
    members = [r for r in kept if r.answers["country"] == "ru"]
    assert groups["ru"].base == len(members)
    no = next(share for share in groups["ru"].shares if share.code == "no")
    assert no.count == sum(r.answers["awareness"] == "no" for r in members)

    # A filtered view counts live and still tells both figures apart.
    results, _ = survey_results(
        survey=sco_survey,
        filters=ResponseFilter(answers={"country": "kz"}, language="kk"),
        flagged=FLAGGED_WITHOUT,
    )
    assert results.live
    matching = [
        r for r in Response.objects.filter(survey=sco_survey, answers__country="kz", language="kk")
    ]
    assert results.respondents == sum(r.counts_unflagged for r in matching)
    assert results.left_out == sum(not r.counts_unflagged for r in matching)
    assert responses  # the sample exists


def test_an_incremental_rebuild_counts_a_new_flagged_response_in_all_only(
    sco_survey: Survey,
) -> None:
    _flagged_sample(sco_survey)
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    before = _published(sco_survey)[("", "", "", "")]
    rng = random.Random(8)
    racer = submit(sco_survey, varied_answers(sco_survey, rng))
    Response.objects.filter(pk=racer.pk).update(quality_flags=["too_fast"])
    fresh = submit(sco_survey, varied_answers(sco_survey, rng))
    Response.objects.filter(pk=fresh.pk).update(quality_flags=[])
    snapshot = aggregates_rebuild(survey_id=sco_survey.pk)
    assert not snapshot.full
    published = _published(sco_survey)
    assert published[("", "", "", "")] == (before[0] + 2, before[1] + 1)
    recount = count_python(survey=sco_survey, plan=count_plan(survey=sco_survey))
    assert {cell: pair[0] for cell, pair in published.items()} == dict(recount)
    assert {cell: pair[1] for cell, pair in published.items() if pair[1]} == {
        cell: n for cell, n in recount.unflagged.items() if n
    }


def test_a_withdrawn_response_counts_in_neither_figure(sco_survey: Survey) -> None:
    responses = _flagged_sample(sco_survey)
    response_withdraw(response=Response.objects.get(pk=responses[0].pk))
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    assert _published(sco_survey)[("", "", "", "")] == (11, 10)
    results, _ = survey_results(survey=sco_survey, filters=ResponseFilter())
    assert results.left_out == 1
    assert [(reason.code, reason.count) for reason in results.left_out_reasons] == [
        ("honeypot", 1),
        ("too_fast", 1),
    ]


def _hand_rds2_unflagged(survey: Survey, question: str) -> dict[str, float]:
    """RDS-II over the unflagged respondents: 1 / degree, missing degrees set to the largest."""
    chained = list(Response.objects.filter(survey=survey, wave__isnull=False))
    largest = max(r.network_size or 0 for r in chained)
    totals: Counter[str] = Counter()
    answered = 0.0
    for response in chained:
        value = response.answers.get(question)
        if not response.counts_unflagged or value in (None, "", []):
            continue
        weight = 1 / (response.network_size or largest)
        answered += weight
        for option in value if isinstance(value, list) else [value]:
            totals[option] += weight
    return {option: total / answered for option, total in totals.items()}


def _flagged_chain(survey: Survey) -> list[Response]:
    """Sixteen respondents in two recruitment trees; three flagged, one excluded."""
    rng = random.Random(31)
    chain: list[Response] = []
    for index in range(16):
        recruiter = chain[index // 2 - 1] if index >= 2 else None
        answers = varied_answers(survey, rng)
        answers["network_size"] = rng.choice([0, 2, 5, 9, 20, 50])
        chain.append(submit(survey, answers, wave_of=recruiter))
    Response.objects.filter(survey=survey).update(quality_flags=[])
    # A flagged recruiter stays a node: its recruits keep their wave and tree.
    flagged = [chain[2], chain[5], chain[9]]
    Response.objects.filter(pk__in=[r.pk for r in flagged]).update(quality_flags=["too_fast"])
    Response.objects.filter(pk=chain[11].pk).update(review=Review.EXCLUDED)
    return chain


def test_rds2_without_flagged_keeps_the_whole_tree_and_weights_only_unflagged_respondents(
    sco_survey: Survey,
) -> None:
    _flagged_chain(sco_survey)
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    estimate_set = rds_rebuild(survey_id=sco_survey.pk, replicates=100)
    assert estimate_set.respondents == 16 and not estimate_set.unavailable

    for question in ("awareness", "platforms"):
        stored = RDSQuestion.objects.get(estimate_set=estimate_set, question=question).shares
        expected = _hand_rds2_unflagged(sco_survey, question)
        for option, values in stored.items():
            assert values["rds2_unflagged"] == pytest.approx(expected.get(option, 0.0), abs=1e-12)
    awareness = RDSQuestion.objects.get(estimate_set=estimate_set, question="awareness").shares
    assert any(v["rds2_unflagged"] != pytest.approx(v["rds2"]) for v in awareness.values())


def test_the_dashboard_switches_to_the_figures_without_flagged_responses(
    sco_survey: Survey, analyst: User
) -> None:
    _flagged_chain(sco_survey)
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    rds_rebuild(survey_id=sco_survey.pk, replicates=100)
    client = logged_in(analyst)

    everything = client.get("/en/analytics/", {"survey": sco_survey.slug}).content.decode()
    assert "16 respondents" in everything
    note = re.search(r'id="left-out">(.*?)</p>', everything, re.S).group(1)
    assert note.startswith("4 responses left out without flagged ones: 3 completed too fast, 1 ")
    # The switch: two labelled radios in a fieldset whose legend names it; "all" by default.
    form = everything[everything.index('<details class="card') : everything.index("</details>")]
    assert re.search(r"<fieldset[^>]*>\s*<legend[^>]*>\s*Responses", form)
    assert re.search(r'<input type="radio"[^>]*name="flagged" value="all"[^>]*checked', form)
    for radio_id in re.findall(r'<input type="radio"[^>]*name="flagged"[^>]*id="(\w+)"', form):
        assert f'for="{radio_id}"' in form

    html = client.get("/en/analytics/", {"survey": sco_survey.slug, "flagged": "without"})
    html = html.content.decode()
    assert "12 respondents" in html
    assert re.search(r'<input type="radio"[^>]*name="flagged" value="without"[^>]*checked', html)
    assert "The shares below leave them out" in html
    awareness = html[html.index('id="q-awareness"') : html.index('id="q-impact"')]
    kept = [r for r in Response.objects.filter(survey=sco_survey) if r.counts_unflagged]
    said_no = sum(r.answers["awareness"] == "no" for r in kept)
    assert f'<td class="text-end">{said_no}</td>' in awareness
    assert f"{round(100 * said_no / len(kept), 1):.1f}" in awareness
    stored = RDSQuestion.objects.get(question="awareness").shares["no"]["rds2_unflagged"]
    assert "RDS-II without flagged, %" in awareness
    assert f'<td class="text-end rds2-unflagged">{100 * stored:.1f}</td>' in awareness


@pytest.mark.postgres
def test_the_sql_counting_gives_the_same_unflagged_counts_as_python(sco_survey: Survey) -> None:
    assert connection.vendor == "postgresql"
    _flagged_sample(sco_survey)
    Response.objects.create(
        survey=sco_survey,
        submission_key=uuid.uuid4(),
        language="en",
        started_at=timezone.now(),
        answers={"awareness": "no", "country": "kz"},
        quality_flags=["too_fast"],
        review=Review.EXCLUDED,
        wave=0,
    )
    plan = count_plan(survey=sco_survey)
    python = count_python(survey=sco_survey, plan=plan)
    live = count_live(survey=sco_survey, plan=plan)  # the SQL path on PostgreSQL
    assert dict(live) == dict(python)
    assert {c: n for c, n in live.unflagged.items() if n} == {
        c: n for c, n in python.unflagged.items() if n
    }
    assert python[("", "", "", "")] == 13 and python.unflagged[("", "", "", "")] == 10

    filters = ResponseFilter(language="kk")
    by_python = count_python(survey=sco_survey, plan=plan, filters=filters)
    cells = count_crosstab(
        survey=sco_survey, plan=plan, question="awareness", dimension="country", filters=filters
    )
    for cell, n in cells.unflagged.items():
        if cell[0] == "country":
            assert by_python.unflagged[cell] == n, cell

    # The rebuild's own SQL, full and then incremental, stores the same pairs.
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    racer = submit(sco_survey, varied_answers(sco_survey, random.Random(2)))
    Response.objects.filter(pk=racer.pk).update(quality_flags=["too_fast"])
    aggregates_rebuild(survey_id=sco_survey.pk)
    recount = count_python(survey=sco_survey, plan=plan)
    published = _published(sco_survey)
    assert {cell: pair[0] for cell, pair in published.items()} == dict(recount)
    assert {cell: pair[1] for cell, pair in published.items()} == {
        cell: recount.unflagged[cell] for cell in recount
    }


def test_a_response_left_out_for_two_reasons_is_explained_not_counted_twice(
    sco_survey: Survey, analyst: User
) -> None:
    chain = _flagged_chain(sco_survey)
    # Flagged too fast and excluded as well: one response, two reasons.
    Response.objects.filter(pk=chain[2].pk).update(review=Review.EXCLUDED)
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    results, _table = survey_results(
        survey=sco_survey, filters=ResponseFilter(), flagged=FLAGGED_WITHOUT
    )
    assert results.left_out == 4 and results.left_out_overlap == 1
    page = logged_in(analyst).get("/en/analytics/", {"survey": sco_survey.slug}).content.decode()
    note = re.search(r'id="left-out">(.*?)</p>', page, re.S).group(1)
    assert "4 responses left out" in note and "3 completed too fast, 2 " in note
    assert "one response can have more than one reason" in note


def test_without_flagged_responses_the_dashboard_keeps_rds_bars_intervals_and_rds1_to_compare(
    sco_survey: Survey, analyst: User
) -> None:
    _flagged_chain(sco_survey)
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    rds_rebuild(survey_id=sco_survey.pk, replicates=100)
    stored = RDSQuestion.objects.get(question="awareness").shares
    assert any(v["rds1"] is not None and v["tree_low"] is not None for v in stored.values())
    reply = logged_in(analyst).get(
        "/en/analytics/", {"survey": sco_survey.slug, "flagged": "without"}
    )
    html = reply.content.decode()
    assert 'id="unflagged-note"' in html and "compare each pair of columns" in html
    awareness = html[html.index('id="q-awareness"') : html.index('id="q-impact"')]
    assert "RDS-I, %" in awareness and "95 % interval" in awareness
    for code, values in stored.items():
        rds2, low, high = (100 * values[key] for key in ("rds2", "tree_low", "tree_high"))
        row = awareness[awareness.index(f'<td class="text-end rds2">{rds2:.1f}</td>') :]
        row = row[: row.index("</tr>")]
        assert f"{low:.1f}\u2013{high:.1f}" in row, code  # an en dash
        assert f'<td class="text-end rds2-unflagged">{100 * values["rds2_unflagged"]:.1f}' in row
        if values["rds1"] is not None:
            assert f'<td class="text-end">{100 * values["rds1"]:.1f}</td>' in row
    # The chart: sample without flagged, RDS-II with its error bars, RDS-II without flagged.
    (chart,) = [c for c in reply.context["charts"] if c["code"] == "awareness"]
    labels = [series["label"] for series in chart["series"]]
    assert labels == [
        "Sample (raw share)",
        "Population estimate (RDS-II)",
        "Population estimate without flagged responses (RDS-II)",
    ]
    assert any(interval for interval in chart["series"][1]["intervals"])
    options = [option.code for option in reply.context["estimates"].questions["awareness"].options]
    assert chart["series"][2]["percents"] == [
        round(100 * stored[code]["rds2_unflagged"], 1) for code in options
    ]
