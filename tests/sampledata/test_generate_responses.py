"""Generated responses look like submitted ones and form a consistent snowball forest."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils.datastructures import MultiValueDict

from sampledata.bulk import responses_generate
from surveys.forms import OTHER_SUFFIX, PageForm
from surveys.links.codes import ALPHABET, CODE_LENGTH
from surveys.models import LinkEvent, QuestionKind, Response, SeedLink
from tests.flow import complete_survey

CODE = re.compile(f"^[{ALPHABET}]{{{CODE_LENGTH}}}$")
HEX32 = re.compile("^[0-9a-f]{32}$")


def _as_post(page, answers: dict, other_texts: dict) -> MultiValueDict:
    data: dict[str, list[str]] = {}
    for question in page.questions.all():
        if question.code in answers:
            value = answers[question.code]
            data[question.code] = (
                [str(v) for v in value] if isinstance(value, list) else [str(value)]
            )
        if question.code in other_texts:
            data[question.code + OTHER_SUFFIX] = [other_texts[question.code]]
    return MultiValueDict(data)


def test_generated_responses_form_a_forest_that_respects_links_and_coupon_limits(sco_survey):
    result = responses_generate(survey=sco_survey, n=800, seeds=4, seed=1)
    rows = {r.pk: r for r in Response.objects.filter(survey=sco_survey)}
    assert len(rows) == result.created == 800
    assert (result.first_id, result.last_id) == (min(rows), max(rows))
    seeds = {link.pk: link for link in result.seed_links}
    assert set(SeedLink.objects.filter(survey=sco_survey).values_list("pk", flat=True)) == set(
        seeds
    )

    recruits = Counter()
    for response in rows.values():
        assert CODE.match(response.referral_code)
        assert HEX32.match(response.client_hash)
        assert response.quality_flags == [] and response.withdrawn_at is None
        assert response.started_at < response.submitted_at
        if response.recruiter_id is None:
            assert response.wave == 0
            assert response.code_used == seeds[response.seed_link_id].code
        else:
            recruiter = rows[response.recruiter_id]
            assert recruiter.pk < response.pk
            assert recruiter.submitted_at <= response.submitted_at
            assert response.wave == recruiter.wave + 1
            assert response.seed_link_id == recruiter.seed_link_id
            assert response.code_used == recruiter.referral_code
            recruits[recruiter.pk] += 1
    assert max(recruits.values()) <= sco_survey.coupon_limit
    assert max(r.wave for r in rows.values()) >= 3  # chains, not only seeds
    assert len({r.referral_code for r in rows.values()}) == 800
    assert len({r.submission_key for r in rows.values()}) == 800
    assert len({r.withdraw_token for r in rows.values()}) == 800


def test_generated_answers_validate_as_the_respondent_forms_would_store_them(sco_survey, client):
    submitted = complete_survey(client, sco_survey)
    responses_generate(survey=sco_survey, n=300, seed=2)
    pages = sco_survey.ordered_pages()
    order = [q.code for page in pages for q in page.questions.all()]
    kinds = {q.code: q.kind for page in pages for q in page.questions.all()}
    options = {q.code: [o.code for o in q.options.all()] for p in pages for q in p.questions.all()}
    others = {
        q.code: next(o.code for o in q.options.all() if o.is_other)
        for p in pages
        for q in p.questions.all()
        if any(o.is_other for o in q.options.all())
    }
    for response in Response.objects.filter(survey=sco_survey).exclude(pk=submitted.pk):
        # PostgreSQL's jsonb reorders keys: what matters is that both kinds of row agree.
        assert list(response.answers) == list(submitted.answers)
        assert sorted(response.answers) == sorted(order)
        for code, value in response.answers.items():
            if kinds[code] == QuestionKind.MULTIPLE:
                assert isinstance(value, list) and value
                assert value == [o for o in options[code] if o in value]  # option order
            elif kinds[code] == QuestionKind.INTEGER:
                assert isinstance(value, int) and not isinstance(value, bool)
            else:
                assert isinstance(value, str)
        assert response.network_size == response.answers["network_size"]
        ticked = {
            code
            for code, other in others.items()
            if other == response.answers[code]
            or (isinstance(response.answers[code], list) and other in response.answers[code])
        }
        assert set(response.other_texts) == ticked
        for page in pages:
            form = PageForm(data=_as_post(page, response.answers, response.other_texts), page=page)
            assert form.is_valid(), (page.code, form.errors)


def test_generated_answers_follow_the_published_shares(sco_survey):
    n = 6000
    responses_generate(survey=sco_survey, n=n, seed=3)
    answers = list(Response.objects.filter(survey=sco_survey).values_list("answers", flat=True))

    def share(code: str, option: str) -> float:
        chosen = sum(
            option in a[code] if isinstance(a[code], list) else a[code] == option for a in answers
        )
        return 100 * chosen / n

    for code, option, published in [
        ("awareness", "yes_fully", 48.5),
        ("awareness", "no", 17.8),
        ("initiatives", "not_familiar", 28.3),
        ("gender", "female", 53.5),
        ("status", "student", 59.8),
        ("sphere", "public_administration", 24.8),
        ("threats", "cyberattacks", 36.4),
        ("platforms", "telegram", 68.7),
        ("platforms", "youtube", 44.2),
        ("conflict_prevention", "fast_exchange", 62.2),
    ]:
        assert abs(share(code, option) - published) < 2.5, (code, option, share(code, option))


def test_generated_responses_continue_the_ids_so_that_respondents_can_still_submit(sco_survey):
    before = complete_survey(Client(), sco_survey)
    result = responses_generate(survey=sco_survey, n=50, seed=4)
    assert result.first_id > before.pk
    after = complete_survey(Client(), sco_survey)
    assert after.pk > result.last_id
    assert Response.objects.filter(survey=sco_survey).count() == 52


def test_generated_respondents_leave_the_link_funnel_the_real_flow_leaves(sco_survey):
    responses_generate(survey=sco_survey, n=400, seed=5)
    events = Counter(LinkEvent.objects.filter(survey=sco_survey).values_list("kind", flat=True))
    assert events[LinkEvent.Kind.COMPLETED] == 400
    assert events[LinkEvent.Kind.CONSENTED] > 400
    assert events[LinkEvent.Kind.OPENED] > events[LinkEvent.Kind.CONSENTED]
    codes = set(Response.objects.filter(survey=sco_survey).values_list("code_used", flat=True))
    completed = LinkEvent.objects.filter(survey=sco_survey, kind=LinkEvent.Kind.COMPLETED)
    assert set(completed.values_list("code", flat=True)) == codes


def test_generate_responses_command_reports_what_it_stored(sco_survey, capsys):
    call_command("generate_responses", "--n", "120", "--seeds", "2", "--batch", "50")
    out = capsys.readouterr().out
    assert "Generated 120 responses" in out
    assert "under 2 new seed links" in out
    assert "Rebuilt the aggregate tables (full, 120 responses" in out
    assert Response.objects.filter(survey=sco_survey).count() == 120


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--n", "0"], "--n must be a positive number"),
        (["--n", "5", "--survey", "nope"], "No survey 'nope'"),
        (["--n", "5", "--batch", "0"], "--batch must be positive"),
    ],
)
def test_generate_responses_command_refuses_bad_arguments(sco_survey, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("generate_responses", *args)
    assert not Response.objects.exists()


@pytest.mark.postgres
def test_generated_rows_are_copied_and_the_sequence_moves_past_them(sco_survey):
    from django.db import connection

    result = responses_generate(survey=sco_survey, n=250, seed=6, batch_size=100)
    with connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM surveys_response_id_seq")
        (last_value,) = cursor.fetchone()
    assert last_value >= result.last_id
    assert Response.objects.filter(pk__range=(result.first_id, result.last_id)).count() == 250


@pytest.mark.postgres
def test_generated_rows_share_no_withdrawal_code_a_real_respondent_could_be_given(sco_survey):
    result = responses_generate(survey=sco_survey, n=120, seed=8, batch_size=50)
    generated = Response.objects.filter(pk__range=(result.first_id, result.last_id))
    assert generated.count() == 120
    # Nobody took these answers: no code to withdraw them, as rows stored before codes existed.
    assert not generated.exclude(withdraw_code=None).exists()
