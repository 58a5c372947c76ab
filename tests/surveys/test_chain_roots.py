"""A respondent who comes without any link is the wave-0 root of a chain of their own."""

from __future__ import annotations

import importlib
import io

import pandas as pd
from django.apps import apps
from django.contrib.auth.models import User
from django.utils import timezone

from estimates.rds.refresh import survey_forest
from exports.options import ExportOptions, encoded
from exports.rows.wide import wide_rows
from surveys.models import Draft, Response, Survey
from tests.fixtures.factories import ResponseFactory
from tests.fixtures.recruitment import respondent_client
from tests.fixtures.staff import logged_in
from tests.flow import complete_survey

migration = importlib.import_module("surveys.migrations.0005_response_self_started")


def _root_and_recruit(survey: Survey) -> tuple[Response, Response, Response]:
    root = complete_survey(respondent_client("no-link"), survey)
    recruit = complete_survey(
        respondent_client("friend"), survey, start_path=f"/en/r/{root.referral_code}/"
    )
    grandchild = complete_survey(
        respondent_client("friend-of-friend"),
        survey,
        start_path=f"/en/r/{recruit.referral_code}/",
    )
    return root, recruit, grandchild


def test_a_respondent_without_a_link_is_a_self_started_wave_0_root(sco_survey: Survey) -> None:
    root, recruit, grandchild = _root_and_recruit(sco_survey)
    assert root.wave == 0 and root.self_started and root.seed_link is None
    assert (recruit.wave, recruit.recruiter_id, recruit.self_started) == (1, root.pk, False)
    assert (grandchild.wave, grandchild.recruiter_id) == (2, recruit.pk)


def test_the_wide_export_gives_the_root_wave_0_and_no_seed_link(sco_survey: Survey) -> None:
    root, recruit, _grandchild = _root_and_recruit(sco_survey)
    options = ExportOptions(kind="responses")
    data = b"".join(encoded(wide_rows(sco_survey, options, None), options))
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig").set_index("response_id")
    assert frame.loc[root.pk, "wave"] == 0 and pd.isna(frame.loc[root.pk, "seed_id"])
    assert frame.loc[recruit.pk, "wave"] == 1
    assert frame.loc[recruit.pk, "recruiter_id"] == root.pk


def test_recruitment_csv_names_the_root_as_the_seed_of_its_chain(
    sco_survey: Survey, organizer: User
) -> None:
    root, recruit, grandchild = _root_and_recruit(sco_survey)
    reply = logged_in(organizer).get("/en/organize/sco-2025/recruitment.csv")
    frame = pd.read_csv(io.BytesIO(b"".join(reply.streaming_content)), encoding="utf-8-sig")
    rows = frame.set_index("id")
    assert rows.loc[root.pk, "recruiter.id"] == "seed" and rows.loc[root.pk, "wave"] == 0
    assert list(rows.loc[[root.pk, recruit.pk, grandchild.pk], "seed"]) == [root.pk] * 3
    assert rows.loc[grandchild.pk, "wave"] == 2


def test_the_monitor_counts_self_started_chains_and_opens_their_tree(
    sco_survey: Survey, organizer: User
) -> None:
    root, recruit, grandchild = _root_and_recruit(sco_survey)
    client = logged_in(organizer)
    reply = client.get("/en/organize/sco-2025/")
    figures = reply.context["m"]
    assert figures.totals.self_started_chains == 1 and figures.totals.unattributed == 1
    assert figures.totals.seeds == 1 and dict(figures.waves) == {0: 1, 1: 1, 2: 1}
    page = reply.content.decode()
    assert 'data-total="self_started_chains">1<' in page
    tree_url = f"/en/organize/sco-2025/tree/root/{root.pk}/"
    assert f'href="{tree_url}"' in page
    tree = client.get(tree_url)
    assert tree.status_code == 200
    nodes = {node.id: node for node in tree.context["tree"].nodes}
    assert set(nodes) == {root.pk, recruit.pk, grandchild.pk}
    assert nodes[root.pk].parent is None and nodes[root.pk].wave == 0
    assert nodes[grandchild.pk].parent == recruit.pk and nodes[grandchild.pk].wave == 2
    assert client.get(f"/en/organize/sco-2025/tree/root/{recruit.pk}/").status_code == 404


def test_the_rds_forest_takes_the_root_as_a_seed(sco_survey: Survey) -> None:
    root, _recruit, grandchild = _root_and_recruit(sco_survey)
    forest = survey_forest(sco_survey, [])
    assert forest is not None and forest.outside == 0
    sample = forest.sample
    row = {int(pk): i for i, pk in enumerate(sample.ids)}
    assert list(sample.seeds) == [row[root.pk]]
    assert sample.wave[row[grandchild.pk]] == 2 and sample.seed[row[grandchild.pk]] == row[root.pk]


def test_the_migration_makes_old_link_less_respondents_roots_and_erases_withdrawn_ones(
    sco_survey: Survey,
) -> None:
    # As stored before: the root without a wave, its recruits counted from an empty wave as 0.
    root = ResponseFactory(survey=sco_survey, wave=None, self_started=False)
    recruit = ResponseFactory(survey=sco_survey, recruiter=root, wave=3)
    withdrawn = ResponseFactory(
        survey=sco_survey,
        recruiter=recruit,
        wave=2,
        withdrawn_at=timezone.now(),
        other_texts={"platforms": "Quokkafjord"},
        client_hash="abc",
    )
    Draft.objects.create(survey=sco_survey, language="en", token=withdrawn.submission_key)
    migration.roots_and_tombstones(apps, None)
    root.refresh_from_db()
    assert root.wave == 0 and root.self_started
    assert Response.objects.get(pk=recruit.pk).wave == 1
    tombstone = Response.objects.get(pk=withdrawn.pk)
    assert tombstone.wave == 2 and tombstone.recruiter_id == recruit.pk
    assert tombstone.answers == {} and tombstone.other_texts == {} and not tombstone.client_hash
    assert not Draft.objects.filter(token=withdrawn.submission_key).exists()
