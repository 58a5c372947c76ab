"""A withdrawal erases the respondent's data and leaves a tombstone that keeps the chain."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client

from estimates.rds.refresh import survey_forest
from exports.options import ExportOptions, encoded
from exports.rows.long import long_rows
from exports.rows.wide import wide_copy, wide_rows
from recruitment.tree.build import chain_tree
from surveys.models import Draft, Question, QuestionKind, Response, SeedLink, Survey
from surveys.services import response_withdraw
from tests.fixtures.recruitment import respondent_client
from tests.fixtures.staff import logged_in
from tests.flow import SCO_ANSWERS, complete_survey

OTHER_TEXT = "Quokkafjord messenger"
FREE_TEXT = "Zephyrquill remembers the Almaty meeting"


@dataclass
class Chain:
    """seed link → A → B → C, with B the one who withdraws."""

    survey: Survey
    seed: SeedLink
    a: Response
    b: Response
    c: Response
    b_client: Client


@pytest.fixture
def chain(sco_survey: Survey) -> Chain:
    seed = SeedLink.objects.create(survey=sco_survey, label="Campus")
    a = complete_survey(respondent_client("a"), sco_survey, start_path=f"/en/r/{seed.code}/")
    b_client = respondent_client("b")
    b = complete_survey(
        b_client,
        sco_survey,
        answers={**SCO_ANSWERS, "platforms__other": OTHER_TEXT},
        start_path=f"/en/r/{a.referral_code}/",
    )
    # A free-text answer, as an open question would store it, in the response and the draft.
    Response.objects.filter(pk=b.pk).update(answers={**b.answers, "comment": FREE_TEXT})
    draft = Draft.objects.get(token=b.submission_key)
    draft.answers["comment"] = FREE_TEXT
    draft.save()
    c = complete_survey(respondent_client("c"), sco_survey, start_path=f"/en/r/{b.referral_code}/")
    b.refresh_from_db()
    return Chain(sco_survey, seed, a, b, c, b_client)


def _withdraw(chain: Chain) -> None:
    reply = chain.b_client.post(f"/en/withdraw/{chain.b.withdraw_token}/")
    assert reply.status_code == 200 and 'id="withdrawn"' in reply.content.decode()
    chain.b.refresh_from_db()


def _dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def test_a_withdrawal_leaves_none_of_the_respondents_text_in_the_database(chain: Chain) -> None:
    client_hash = chain.b.client_hash
    assert client_hash and OTHER_TEXT in _dump() and FREE_TEXT in _dump()
    _withdraw(chain)
    dump = _dump()
    assert OTHER_TEXT not in dump and FREE_TEXT not in dump and client_hash not in dump
    assert not Draft.objects.filter(token=chain.b.submission_key).exists()
    b = chain.b
    assert b.answers == {} and b.other_texts == {} and b.network_size is None
    assert b.quality_flags == [] and b.language == "" and b.started_at == b.submitted_at
    # The tombstone keeps the structure: recruiter, wave, seed link, codes.
    assert (b.recruiter_id, b.wave, b.seed_link_id) == (chain.a.pk, 1, chain.seed.pk)
    c = Response.objects.get(pk=chain.c.pk)
    assert (c.recruiter_id, c.wave, c.seed_link_id) == (b.pk, 2, chain.seed.pk)
    assert c.answers == chain.c.answers


def test_withdrawing_again_erases_again_and_keeps_the_first_moment(chain: Chain) -> None:
    _withdraw(chain)
    first = chain.b.withdrawn_at
    Response.objects.filter(pk=chain.b.pk).update(answers={"comment": FREE_TEXT})
    response_withdraw(response=Response.objects.get(pk=chain.b.pk))
    again = Response.objects.get(pk=chain.b.pk)
    assert again.withdrawn_at == first and again.answers == {}


def test_the_wide_export_keeps_the_tombstone_so_that_every_recruiter_resolves(
    chain: Chain,
) -> None:
    _withdraw(chain)
    options = ExportOptions(kind="responses")
    data = b"".join(encoded(wide_rows(chain.survey, options, None), options))
    frame = pd.read_csv(io.BytesIO(data), dtype={"quality_flags": str}).set_index("response_id")
    assert frame.loc[chain.c.pk, "recruiter_id"] == chain.b.pk
    assert frame.loc[chain.c.pk, "wave"] == 2
    assert set(frame["recruiter_id"].dropna().astype(int)) <= set(frame.index)
    tombstone = frame.loc[chain.b.pk]
    assert tombstone["quality_flags"] == "withdrawn" and tombstone["wave"] == 1
    assert tombstone["recruiter_id"] == chain.a.pk and tombstone["seed_id"] == chain.seed.pk
    answers = tombstone.drop(["submitted_at", "wave", "recruiter_id", "seed_id", "quality_flags"])
    assert answers.isna().all()
    assert OTHER_TEXT.encode() not in data


def test_the_long_export_has_no_row_of_a_withdrawn_response(chain: Chain) -> None:
    _withdraw(chain)
    options = ExportOptions(kind="long")
    ids = {row[0] for row in list(long_rows(chain.survey, options, None))[1:]}
    assert ids == {chain.a.pk, chain.c.pk}


def test_recruitment_csv_keeps_the_tombstone_with_empty_answers(
    chain: Chain, organizer: User
) -> None:
    _withdraw(chain)
    reply = logged_in(organizer).get("/en/organize/sco-2025/recruitment.csv")
    frame = pd.read_csv(
        io.BytesIO(b"".join(reply.streaming_content)),
        encoding="utf-8-sig",
        dtype={"recruiter.id": str},
    ).set_index("id")
    assert frame.loc[chain.c.pk, "recruiter.id"] == str(chain.b.pk)
    assert frame.loc[chain.c.pk, "wave"] == 2 and frame.loc[chain.c.pk, "seed"] == chain.a.pk
    tombstone = frame.loc[chain.b.pk]
    assert tombstone["recruiter.id"] == str(chain.a.pk) and tombstone["wave"] == 1
    assert tombstone.drop(["recruiter.id", "wave", "seed"]).isna().all()


def test_the_tree_draws_the_tombstone_as_a_hollow_node_between_its_recruiter_and_recruit(
    chain: Chain,
) -> None:
    _withdraw(chain)
    nodes = {node.id: node for node in chain_tree(seed_link=chain.seed).nodes}
    assert nodes[chain.b.pk].withdrawn and nodes[chain.b.pk].country == ""
    assert nodes[chain.b.pk].parent == chain.a.pk and nodes[chain.c.pk].parent == chain.b.pk
    assert nodes[chain.c.pk].wave == 2


def test_the_rds_forest_keeps_the_tombstone_unanswered_and_without_a_degree(
    chain: Chain,
) -> None:
    _withdraw(chain)
    questions = list(
        Question.objects.filter(survey=chain.survey, kind=QuestionKind.SINGLE).prefetch_related(
            "options"
        )
    )
    forest = survey_forest(chain.survey, questions)
    assert forest is not None
    sample = forest.sample
    row = {int(pk): i for i, pk in enumerate(sample.ids)}
    assert sample.wave[row[chain.c.pk]] == 2 and sample.parent[row[chain.c.pk]] == row[chain.b.pk]
    assert len(sample.seeds) == 1 and sample.imputed_degrees == 1
    assert not any(answered[row[chain.b.pk]] for _ticked, answered in forest.answers.values())


def test_the_withdrawn_respondents_thank_you_page_shows_no_link(chain: Chain) -> None:
    _withdraw(chain)
    page = chain.b_client.get("/en/s/sco-2025/thanks/").content.decode()
    assert 'id="withdrawn"' in page and "have been deleted" in page
    assert chain.b.referral_code not in page
    assert 'id="referral"' not in page and "data-share" not in page and 'class="qr"' not in page


def test_the_privacy_page_says_what_a_withdrawal_deletes_and_what_stays(
    client: Client, db: None
) -> None:
    page = client.get("/en/privacy/").content.decode()
    assert 'id="withdrawal-deletes"' in page and "what you typed in your own words" in page
    assert 'id="withdrawal-keeps"' in page and "keep their place in the chain" in page


def test_the_admin_shows_no_answers_of_a_withdrawn_response(
    chain: Chain, admin_client: Client
) -> None:
    shown = admin_client.get(f"/en/admin/surveys/response/{chain.c.pk}/change/").content.decode()
    assert "field-answers" in shown
    _withdraw(chain)
    page = admin_client.get(f"/en/admin/surveys/response/{chain.b.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "field-answers" not in html and "field-client_hash" not in html
    assert "field-wave" in html and "field-recruiter" in html


@pytest.mark.postgres
def test_the_copy_export_writes_the_tombstone_as_the_python_export_does(chain: Chain) -> None:
    assert connection.vendor == "postgresql"
    _withdraw(chain)
    for labels in ("codes", "ru"):
        options = ExportOptions(kind="responses", labels=labels, bom=False)
        copied = b"".join(wide_copy(chain.survey, options, None))
        assert copied == b"".join(encoded(wide_rows(chain.survey, options, None), options))
        assert b",withdrawn," in copied
