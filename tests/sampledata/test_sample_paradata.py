"""Demo respondents take a person's time; the bulk generator flags a realistic share."""

from __future__ import annotations

import statistics
from collections import Counter

from django.core.management import call_command

from sampledata.bulk import FLAGGED_SHARE, responses_generate
from surveys.links import limits
from surveys.models import Response, Survey
from surveys.paradata.speed import TOO_FAST_SHARE
from surveys.paradata.timing import TOTAL_SECONDS


def test_no_demo_respondent_is_flagged_and_each_took_a_persons_time(sco_survey: Survey) -> None:
    call_command("seed_demo", "--if-empty")
    responses = list(Response.objects.filter(survey=sco_survey))
    assert len(responses) == 505
    assert [r.pk for r in responses if r.quality_flags] == []
    totals = [r.paradata[TOTAL_SECONDS] for r in responses]
    median = statistics.median(totals)
    assert 300 <= median <= 600
    assert min(totals) >= max(sco_survey.min_completion_seconds, TOO_FAST_SHARE * median)
    pages = [str(page.position) for page in sco_survey.ordered_pages()]
    assert all(list(r.paradata["page_seconds"]) == pages for r in responses)
    assert all(r.duration_seconds >= r.paradata[TOTAL_SECONDS] for r in responses)
    devices = Counter(r.device_class for r in responses)
    assert set(devices) == {"phone", "tablet", "desktop"} and devices["phone"] > 250
    assert len({r.device_hash for r in responses}) == 505
    assert 0 < sum(r.paradata["language_switches"] for r in responses) < 60


def test_the_bulk_generator_flags_a_realistic_share_consistently(sco_survey: Survey) -> None:
    n = 4000
    result = responses_generate(survey=sco_survey, n=n, seed=7, flagged_share=FLAGGED_SHARE)
    rows = list(Response.objects.filter(survey=sco_survey).order_by("id"))
    flagged = [r for r in rows if r.quality_flags]
    assert 0.03 <= len(flagged) / n <= 0.08
    totals = [r.paradata[TOTAL_SECONDS] for r in rows]
    line = max(sco_survey.min_completion_seconds, TOO_FAST_SHARE * statistics.median(totals))
    for response, total in zip(rows, totals, strict=True):
        fast = limits.FLAG_TOO_FAST in response.quality_flags
        assert fast == (total < line), (response.pk, total, line)
        assert response.duration_seconds >= total
    first_of_device: dict[str, Response] = {}
    for response in rows:
        earlier = first_of_device.setdefault(response.device_hash, response)
        twice = limits.FLAG_SAME_DEVICE in response.quality_flags
        assert twice == (earlier is not response)
        if twice:
            other_chain = limits.FLAG_SAME_DEVICE_OTHER_CHAIN in response.quality_flags
            assert other_chain == (earlier.seed_link_id != response.seed_link_id)
    kinds = Counter(flag for r in flagged for flag in r.quality_flags)
    assert kinds[limits.FLAG_TOO_FAST] > 0 and kinds[limits.FLAG_SAME_DEVICE] > 0
    assert result.created == n


def test_generate_responses_flags_a_realistic_share_by_default(sco_survey: Survey) -> None:
    call_command("generate_responses", "--n", "1500", "--random-seed", "5", "--no-rebuild")
    flags = list(Response.objects.filter(survey=sco_survey).values_list("quality_flags", flat=True))
    assert 0.03 <= sum(1 for f in flags if f) / len(flags) <= 0.08
