"""The stored shape of the RDS estimates: one typed, versioned contract that reads every version."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command
from django.test import Client

from api.tokens import api_token_create
from estimates.contracts import (
    EMPIRICAL,
    TREE,
    VERSION,
    CurvePoint,
    Diagnostics,
    Estimate,
    Interval,
    OptionEstimates,
    QuestionRecord,
    SizePoint,
    UnknownVersion,
)
from estimates.models import RDSQuestion
from surveys.models import Survey

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "rds"


def _everything() -> QuestionRecord:
    """Return a record with every field set to a distinct value."""
    blue = OptionEstimates(
        rds2=Estimate(
            share=0.31,
            reported=Interval(0.25, 0.37, EMPIRICAL),
            tree=Interval(0.26, 0.36, TREE),
            el=Interval(0.25, 0.37, EMPIRICAL),
        ),
        rds2_unflagged=Estimate(
            share=0.30,
            reported=Interval(0.24, 0.36, TREE),
            tree=Interval(0.24, 0.36, TREE),
            el=Interval(0.23, 0.37, EMPIRICAL),
        ),
        rds1=Estimate(share=0.32, el=Interval(0.27, 0.38, EMPIRICAL)),
        rds1_unflagged=Estimate(share=0.33),
        ss=Estimate(
            share=0.29,
            reported=Interval(0.22, 0.35, EMPIRICAL),
            tree=Interval(0.23, 0.34, TREE),
            el=Interval(0.22, 0.35, EMPIRICAL),
        ),
        hcg=Estimate(share=0.28, reported=Interval(0.2, 0.36, EMPIRICAL)),
    )
    return QuestionRecord(
        options={"blue": blue, "red": OptionEstimates(rds2=Estimate(share=0.69))},
        homophily=1.2,
        unavailable={"rds1": "Two waves are needed."},
        convergence_wave=(CurvePoint(0, 10, {"blue": 0.4}), CurvePoint(1, 30, {"blue": 0.33})),
        convergence_order=(CurvePoint(50, 50, {"blue": 0.35}),),
        bottleneck={"#1 · Almaty": {"blue": 0.5, "red": 0.5}},
        diagnostics=Diagnostics(
            ss_by_size=(SizePoint(1000, {"blue": 0.3, "red": 0.7}),),
            differential_activity={"blue": 1.1},
            population_homophily={"blue": 0.9},
        ),
    )


def test_a_record_written_as_json_reads_back_as_the_same_record() -> None:
    record = _everything()
    stored = json.loads(json.dumps(record.to_json()))  # as the database keeps it
    assert stored["version"] == VERSION
    assert QuestionRecord.from_json(stored) == record


def test_every_estimate_of_an_option_is_stored_under_the_keys_older_builds_wrote() -> None:
    stored = _everything().to_json()["shares"]["blue"]
    assert stored == {
        "rds2": 0.31,
        "low": 0.25,
        "high": 0.37,
        "method": "el",
        "tree_low": 0.26,
        "tree_high": 0.36,
        "rds2_el_low": 0.25,
        "rds2_el_high": 0.37,
        "rds2_unflagged": 0.30,
        "low_unflagged": 0.24,
        "high_unflagged": 0.36,
        "method_unflagged": "tree",
        "unflagged_tree_low": 0.24,
        "unflagged_tree_high": 0.36,
        "rds2_el_low_unflagged": 0.23,
        "rds2_el_high_unflagged": 0.37,
        "rds1": 0.32,
        "rds1_el_low": 0.27,
        "rds1_el_high": 0.38,
        "rds1_unflagged": 0.33,
        "ss": 0.29,
        "ss_low": 0.22,
        "ss_high": 0.35,
        "ss_method": "el",
        "ss_tree_low": 0.23,
        "ss_tree_high": 0.34,
        "ss_el_low": 0.22,
        "ss_el_high": 0.35,
        "hcg": 0.28,
        "hcg_low": 0.2,
        "hcg_high": 0.36,
    }


def test_estimates_of_a_newer_version_are_refused_with_a_clear_error() -> None:
    stored = {**_everything().to_json(), "version": VERSION + 1}
    with pytest.raises(UnknownVersion, match=f"version {VERSION + 1} .* reads versions 0 to"):
        QuestionRecord.from_json(stored)


@pytest.fixture
def faux(db: None) -> Survey:
    call_command("import_rds", str(REFERENCE / "faux.csv"), survey="faux", outcomes="X")
    call_command("rebuild_aggregates", survey="faux", stdout=io.StringIO())
    return Survey.objects.get(slug="faux")


def test_a_rebuild_stores_the_current_version_which_reads_back_unchanged(faux: Survey) -> None:
    row = RDSQuestion.objects.get(estimate_set__survey=faux, question="x")
    assert row.version == VERSION
    record = row.record()
    assert record.option("blue").rds2.reported.method == EMPIRICAL  # one seed: R's interval
    assert QuestionRecord.from_json(record.to_json()) == record


def test_a_row_stored_before_versions_with_only_low_and_high_reads_them_as_the_tree_bootstrap(
    faux: Survey, tmp_path: Path
) -> None:
    # The shape of the first builds: no version, no method, no tree_*, SS or HCG keys.
    RDSQuestion.objects.filter(question="x").update(
        version=None,
        shares={
            "blue": {"rds2": 0.31, "low": 0.25, "high": 0.37, "rds1": 0.32},
            "red": {"rds2": 0.69, "low": 0.63, "high": 0.75, "rds1": 0.68},
        },
    )
    blue = RDSQuestion.objects.get(question="x").record().option("blue")
    assert blue.rds2 == Estimate(
        share=0.31, reported=Interval(0.25, 0.37, TREE), tree=Interval(0.25, 0.37, TREE)
    )
    assert blue.rds1.share == 0.32
    assert blue.ss == blue.hcg == blue.rds2_unflagged == blue.rds1_unflagged == Estimate()
    output = tmp_path / "aggregates.csv"
    call_command("export_csv", "aggregates", survey="faux", output=output)
    row = pd.read_csv(output, encoding="utf-8-sig", dtype={"option": str})
    row = row.set_index(["question", "option"]).loc[("x", "blue")]
    assert (row["rds2_share"], row["rds2_ci_low"], row["rds2_ci_high"]) == (0.31, 0.25, 0.37)
    assert row["rds2_ci_method"] == "tree" and row["rds2_tree_low"] == 0.25
    assert pd.isna(row["ss_share"]) and pd.isna(row["rds2_el_low"])
    _token, plaintext = api_token_create(survey=faux, name="pipeline")
    client = Client(HTTP_AUTHORIZATION=f"Token {plaintext}")
    rows = client.get("/api/v1/surveys/faux/estimates/").json()["rows"]
    rds2 = next(
        e for r in rows if (r["question"], r["option"]) == ("x", "blue") for e in r["estimates"]
    )
    assert (rds2["method"], rds2["share"], rds2["ci_low"], rds2["ci_high"]) == (
        "rds2",
        0.31,
        0.25,
        0.37,
    )


def test_a_row_of_a_newer_version_makes_its_reader_fail_rather_than_guess(faux: Survey) -> None:
    RDSQuestion.objects.filter(question="x").update(version=VERSION + 1)
    with pytest.raises(UnknownVersion):
        RDSQuestion.objects.get(question="x").record()
