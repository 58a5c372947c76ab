"""The analysis bundle holds the RDS data, codebook, SPSS/Stata files, an R script and a README."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zipfile
from pathlib import Path

import pyreadstat
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from estimates.models import EstimationSettings, RDSQuestion
from estimates.rds.refresh import rds_rebuild
from estimates.rds.ss_estimates import ss_sample_count
from exports.bundle import CODEBOOK, DATA, ESTIMATES, README, SCRIPT, platform_version
from membership.models import Membership, Role
from surveys.models import DesignChange, Question, QuestionKind, Response, SeedLink, Survey
from surveys.quality.design_log import design_change_record
from tests.fixtures.analytics import KAZAKH, estimation_set, submit, varied_answers
from tests.fixtures.staff import logged_in

POPULATION = 1234


@pytest.fixture
def study(sco_survey: Survey) -> Survey:
    """Eight responses in two chains, one withdrawn, a seed link, N = 1234 (1000 to 1500)."""
    estimation_set(
        sco_survey, population_size=POPULATION, population_size_low=1000, population_size_high=1500
    )
    sco_survey.coupon_limit = 4
    sco_survey.save()
    SeedLink.objects.create(survey=sco_survey, label=f"Students | {KAZAKH}", coupon_limit=7)
    rng = random.Random(3)
    made: list[Response] = []
    for index in range(8):
        answers = varied_answers(sco_survey, rng)
        recruiter = made[index - 2] if index >= 2 else None
        made.append(submit(sco_survey, answers, language="kk", wave_of=recruiter))
    Response.objects.filter(pk=made[3].pk).update(
        withdrawn_at=timezone.now(), answers={}, network_size=None
    )
    return sco_survey


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _command_bundle(survey: Survey, tmp_path: Path, *args: str) -> dict[str, bytes]:
    output = tmp_path / "bundle.zip"
    call_command("export_data", "bundle", f"--survey={survey.slug}", f"--output={output}", *args)
    return _members(output)


def _check_contents(members: dict[str, bytes], survey: Survey, recruitment: bytes) -> None:
    """Assert what every bundle holds, however it was made."""
    slug = survey.slug
    expected = {DATA, CODEBOOK, ESTIMATES, SCRIPT, README, f"data/{slug}.sav", f"data/{slug}.dta"}
    assert set(members) == expected
    data, reference = _rows(members[DATA]), _rows(recruitment)
    times = {
        str(pk): moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for pk, moment in Response.objects.filter(survey=survey).values_list("id", "submitted_at")
    }
    assert data[0][:6] == ["id", "recruiter.id", "network.size", "wave", "seed", "time"]
    assert [row[:5] + row[6:] for row in data] == reference
    assert [row[5] for row in data[1:]] == [times[row[0]] for row in data[1:]]
    assert len(data) == 9  # the withdrawn response stays as a tombstone row
    codebook = _rows(members[CODEBOOK])
    assert codebook[0][-3:] == ["wording_ru", "wording_kk", "wording_en"]


def _check_script_and_readme(members: dict[str, bytes], survey: Survey) -> None:
    script = members[SCRIPT].decode()
    singles = Question.objects.filter(survey=survey, kind=QuestionKind.SINGLE)
    codes = list(singles.values_list("code", flat=True))
    assert codes
    for code in codes:
        assert f'estimate("{code}")' in script
    assert "library(RDS)" in script
    assert "RDS.II.estimates(rds, outcome.variable = question)" in script
    assert "RDS.SS.estimates(rds, outcome.variable = question, N = N," in script
    assert "RDS.I.estimates(rds, outcome.variable = question)" in script
    assert "RDS.HCG.estimates(rds, outcome.variable = question, N = N)" in script
    # R's interval sums pairs of rows in order: the script sorts them as the platform does.
    assert "d <- d[order(d$time, d$id), ]" in script
    chained = Response.objects.filter(survey=survey, wave__isnull=False).count()
    samples = ss_sample_count(respondents=chained)
    assert f"ss.samples <- {samples} " in script
    assert f"N <- {POPULATION}" in script
    assert "population.size <- c(1000, N, 1500)" in script
    assert "population.size = population.size, max.coupons = max.coupons" in script
    assert "max.coupons <- 4" in script
    readme = members[README].decode()
    assert f"Population size N: {POPULATION} (from 1000 to 1500)" in readme
    assert "Coupon limit (recruits per personal link): 4" in readme
    assert f"| Students \\| {KAZAKH} | 7 | yes |" in readme
    assert platform_version() in readme
    assert 'install.packages("RDS")' in readme
    assert "STROBE-RDS" in readme
    assert "To be completed by the authors" in readme
    assert "Withdrawn responses (answers erased, kept as rows): 1" in readme


def test_the_bundle_command_writes_the_data_codebook_statistics_files_script_and_readme(
    study: Survey, tmp_path: Path, organizer: User
) -> None:
    members = _command_bundle(study, tmp_path, "--labels=kk")
    recruitment = logged_in(organizer).get(f"/en/organize/{study.slug}/recruitment.csv")
    _check_contents(members, study, b"".join(recruitment.streaming_content))
    _check_script_and_readme(members, study)
    sav = tmp_path / "out.sav"
    sav.write_bytes(members[f"data/{study.slug}.sav"])
    frame, meta = pyreadstat.read_sav(str(sav))
    assert len(frame) == 8  # the withdrawn response is a tombstone there too
    kazakh = set(KAZAKH.replace(" ", ""))
    labels = [text for values in meta.variable_value_labels.values() for text in values.values()]
    assert any(kazakh & set(text) for text in labels)  # value labels in Kazakh, intact


def test_the_analysis_bundle_downloads_from_the_exports_page_for_an_analyst(
    study: Survey, analyst: User, organizer: User
) -> None:
    client = logged_in(analyst)
    page = client.get(f"/en/analytics/exports/?survey={study.slug}")
    assert f'href="/en/analytics/exports/{study.slug}/bundle/"' in page.content.decode()
    reply = client.get(f"/en/analytics/exports/{study.slug}/bundle/")
    assert reply.status_code == 200
    assert reply["Content-Type"] == "application/zip"
    assert f'filename="{study.slug}-bundle-' in reply["Content-Disposition"]
    members = _members_of(b"".join(reply.streaming_content))
    recruitment = logged_in(organizer).get(f"/en/organize/{study.slug}/recruitment.csv")
    _check_contents(members, study, b"".join(recruitment.streaming_content))
    _check_script_and_readme(members, study)


def _members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def test_the_bundle_refuses_filters_and_formats_because_it_is_the_whole_survey(
    study: Survey, tmp_path: Path
) -> None:
    for extra in ("--wave=0", "--format=sav", "--language=kk"):
        with pytest.raises(CommandError, match="whole survey"):
            _command_bundle(study, tmp_path, extra)
    assert not (tmp_path / "bundle.zip").exists()


def test_a_survey_without_a_population_size_gets_a_script_that_skips_ss(
    study: Survey, tmp_path: Path
) -> None:
    EstimationSettings.objects.filter(survey=study).delete()
    members = _command_bundle(study, tmp_path)
    assert "N <- NA" in members[SCRIPT].decode()
    assert "Population size N: not set (no SS estimates)" in members[README].decode()


def test_the_bundle_carries_the_platforms_stored_rds2_and_ss_shares_of_each_single_choice(
    study: Survey, tmp_path: Path
) -> None:
    rds_rebuild(survey_id=study.pk, replicates=100)
    stored = {
        row.question: row.shares for row in RDSQuestion.objects.filter(estimate_set__survey=study)
    }
    members = _command_bundle(study, tmp_path)
    rows = _rows(members[ESTIMATES])
    assert rows[0] == [
        "question",
        "option",
        "rds2",
        "rds2_low",
        "rds2_high",
        "ss",
        "ss_low",
        "ss_high",
        # R's default intervals and HCG, which analysis.R prints beside them.
        "rds2_el_low",
        "rds2_el_high",
        "rds1",
        "rds1_el_low",
        "rds1_el_high",
        "ss_el_low",
        "ss_el_high",
        "hcg",
        "hcg_low",
        "hcg_high",
    ]
    singles = set(
        Question.objects.filter(survey=study, kind=QuestionKind.SINGLE).values_list(
            "code", flat=True
        )
    )
    assert {row[0] for row in rows[1:]} == singles
    for question, option, rds2, _low, _high, ss, _ss_low, _ss_high, el_low, *_rest in rows[1:]:
        assert float(rds2) == pytest.approx(stored[question][option]["rds2"])
        assert float(ss) == pytest.approx(stored[question][option]["ss"])
        assert float(el_low) == pytest.approx(stored[question][option]["rds2_el_low"])


def test_the_bundle_readme_lists_the_design_changes_and_the_review_decisions(
    study: Survey, tmp_path: Path
) -> None:
    organizer = User.objects.create_user("olga")
    Membership.objects.create(survey=study, user=organizer, role=Role.ORGANIZER)
    design_change_record(
        survey=study,
        what=DesignChange.What.SURVEY_COUPON_LIMIT,
        old="3",
        new="4",
        user=organizer,
    )
    # Two distinct rows, read once: indexing an unordered slice queries again each time, and
    # PostgreSQL may hand back the row just updated (it moved in the heap) as the second one.
    flagged = list(
        Response.objects.filter(survey=study, withdrawn_at__isnull=True).order_by("pk")[:2]
    )
    Response.objects.filter(pk=flagged[0].pk).update(quality_flags=["too_fast"], review="excluded")
    Response.objects.filter(pk=flagged[1].pk).update(quality_flags=["honeypot"], review="accepted")
    readme = _command_bundle(study, tmp_path)[README].decode()
    # A file for co-authors and journals names the role, not the staff member's login.
    assert "| recruits per personal link | — | 3 → 4 | organizer |" in readme
    assert "olga" not in readme
    assert "1 accepted, 1 excluded" in readme
    assert "its changes during the study: see Design changes above" in readme


def test_the_readme_and_the_script_are_text_with_markdown_escaped_not_html_escaped(
    study: Survey, tmp_path: Path
) -> None:
    label = "Tom's <script>alert(1)</script> & co\nsecond | *line*"
    seed = SeedLink.objects.create(survey=study, label=label, coupon_limit=3)
    design_change_record(
        survey=study,
        what=DesignChange.What.SEED_LINK_LIMIT,
        seed_link=seed,
        old="3",
        new="5",
        user=User.objects.create_superuser("root-admin"),
    )
    members = _command_bundle(study, tmp_path)
    readme, script = members[README].decode(), members[SCRIPT].decode()
    escaped = r"Tom's \<script\>alert(1)\</script\> & co second \| \*line\*"
    assert f"| {escaped} | 3 | yes |" in readme
    assert f"| {escaped} | 3 → 5 | administrator |" in readme
    assert "root-admin" not in readme
    for text in (readme, script):
        for entity in ("&#x27;", "&#39;", "&lt;", "&gt;", "&amp;", "&quot;"):
            assert entity not in text, entity
