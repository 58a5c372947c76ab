"""Population margins post-stratify (one question) or rake (several) the sample, or say why not."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from aggregates.rebuild import aggregates_rebuild
from estimates.margins.raking import MarginsError, calibrated_shares, kish_deff, rake
from estimates.margins.reader import MarginRow, margins_read
from estimates.margins.selectors import (
    cached_poststratification,
    design_effects,
    poststrat_estimates,
    poststratification,
    response_weights,
)
from estimates.margins.services import margins_clear, margins_replace
from estimates.models import PopulationMargin
from estimates.rds.refresh import rds_rebuild
from exports.options import ExportOptions
from exports.stream import export_chunks
from surveys.models import QuestionKind, Response, Survey
from tests.fixtures.analytics import estimation_set, varied_answers
from tests.fixtures.factories import ResponseFactory
from tests.fixtures.staff import logged_in

COUNTRY = {"kz": 0.5, "uz": 0.3, "kg": 0.2}
GENDER = {"female": 0.52, "male": 0.48}


def _answers(survey: Survey, rng: random.Random, **fixed: Any) -> dict[str, Any]:
    answers = {k: v for k, v in varied_answers(survey, rng).items() if "__" not in k}
    return answers | fixed


@pytest.fixture
def sampled(sco_survey: Survey) -> Survey:
    """Sixty respondents from three countries in chains, uneven against the margins."""
    rng = random.Random(11)
    made: list[Response] = []
    countries = ["kz"] * 10 + ["uz"] * 30 + ["kg"] * 20
    for index, country in enumerate(countries):
        recruiter = made[index // 3] if index >= 3 else None
        answers = _answers(sco_survey, rng, country=country)
        made.append(
            ResponseFactory(
                survey=sco_survey,
                answers=answers,
                network_size=answers["network_size"] or 5,
                recruiter=recruiter,
                wave=0 if recruiter is None else recruiter.wave + 1,
            )
        )
    return sco_survey


def _rows(margins: dict[str, dict[str, float]]) -> list[MarginRow]:
    return [
        MarginRow(question, option, share)
        for question, shares in margins.items()
        for option, share in shares.items()
    ]


def _independent_shares(survey: Survey) -> dict[str, dict[str, float]]:
    """Σ over countries of margin x the raw within-country share, from the raw answers."""
    by_country: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for answers in Response.objects.filter(survey=survey).values_list("answers", flat=True):
        by_country[answers["country"]].append(answers)
    expected: dict[str, dict[str, float]] = {}
    for question in survey.questions.filter(kind__in=[QuestionKind.SINGLE, QuestionKind.MULTIPLE]):
        expected[question.code] = {}
        for option in question.options.all():
            total = 0.0
            for country, margin in COUNTRY.items():
                answering = [a for a in by_country[country] if a.get(question.code)]
                value = [a[question.code] for a in answering]
                chose = sum(
                    option.code in v if isinstance(v, list) else v == option.code for v in value
                )
                total += margin * chose / len(answering)
            expected[question.code][option.code] = total
    return expected


def test_with_one_country_margin_every_poststratified_share_is_the_margin_weighted_sum(
    sampled: Survey, analyst: User
) -> None:
    margins_replace(survey=sampled, rows=_rows({"country": COUNTRY}), user=analyst)
    estimates = poststrat_estimates(survey=sampled)
    expected = _independent_shares(sampled)
    assert set(estimates) == set(expected)
    for question, options in expected.items():
        for option, share in options.items():
            assert abs(estimates[question][option].share - share) < 1e-9, (question, option)
    no = estimates["awareness"]["no"]
    low, share, high = no.low, no.share, no.high
    assert 0 <= low < share < high <= 1


def test_load_margins_then_the_poststratified_shares_equal_the_independent_computation(
    sampled: Survey, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "margins.csv"
    lines = ["question,option,share", *(f"country,{o},{s}" for o, s in COUNTRY.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    call_command("load_margins", "--survey", sampled.slug, str(path))
    assert "3 margins" in capsys.readouterr().out
    estimates = poststrat_estimates(survey=sampled)
    for question, options in _independent_shares(sampled).items():
        for option, share in options.items():
            assert abs(estimates[question][option].share - share) < 1e-9


def test_raking_on_country_and_gender_meets_every_margin(sampled: Survey, analyst: User) -> None:
    margins_replace(survey=sampled, rows=_rows({"country": COUNTRY, "gender": GENDER}), user=None)
    result = poststratification(survey=sampled)
    assert result.raking and result.respondents == 60 and result.left_out == 0
    for question, margins in (("country", COUNTRY), ("gender", GENDER)):
        for option, margin in margins.items():
            assert abs(result.estimates[question][option].share - margin) < 1e-9
    weights = response_weights(survey=sampled)
    assert len(weights) == 60
    poststrat = np.array([w["weight_poststrat"] for w in weights.values()])
    assert poststrat.mean() == pytest.approx(1.0, abs=1e-12)


def test_the_design_effects_are_kish_for_each_weight_set(sampled: Survey) -> None:
    margins_replace(survey=sampled, rows=_rows({"country": COUNTRY}), user=None)
    deff = design_effects(survey=sampled)
    weights = response_weights(survey=sampled)
    for name in ("poststrat", "rds2"):
        w = np.array([row[f"weight_{name}"] for row in weights.values()])
        assert deff[name] == pytest.approx(len(w) * (w @ w) / w.sum() ** 2, abs=1e-12)
    assert deff["poststrat"] > 1
    assert deff["ss"] is None  # no population size set


def test_a_survey_without_margins_has_no_poststratified_estimates(sampled: Survey) -> None:
    with translation.override("en"):  # the reason is translated; LANGUAGE_CODE is ru
        result = poststratification(survey=sampled)
    assert result.estimates == {} and "No population margins" in result.unavailable
    assert all(row["weight_poststrat"] is None for row in response_weights(survey=sampled).values())


def test_the_cached_reason_is_in_the_language_of_the_page_that_reads_it(sampled: Survey) -> None:
    with translation.override("en"):
        english = cached_poststratification(survey=sampled).unavailable
    with translation.override("ru"):
        russian = cached_poststratification(survey=sampled).unavailable
    assert "No population margins" in english
    assert russian and russian != english and "No population margins" not in russian


def test_respondents_without_an_answer_to_a_margin_question_are_left_out_and_counted(
    sampled: Survey,
) -> None:
    first = Response.objects.filter(survey=sampled).order_by("id").first()
    answers = {k: v for k, v in first.answers.items() if k != "country"}
    Response.objects.filter(pk=first.pk).update(answers=answers)
    margins_replace(survey=sampled, rows=_rows({"country": COUNTRY}), user=None)
    result = poststratification(survey=sampled)
    assert (result.respondents, result.left_out) == (59, 1)
    assert response_weights(survey=sampled)[first.pk]["weight_poststrat"] is None


def test_withdrawn_responses_get_no_weight(sampled: Survey) -> None:
    last = Response.objects.filter(survey=sampled).order_by("id").last()
    Response.objects.filter(pk=last.pk).update(
        withdrawn_at=timezone.now(), answers={}, network_size=None
    )
    margins_replace(survey=sampled, rows=_rows({"country": COUNTRY}), user=None)
    assert last.pk not in response_weights(survey=sampled)


def _error_codes(survey: Survey, margins: list[MarginRow]) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        margins_replace(survey=survey, rows=margins, user=None)
    return {error.code for error in caught.value.error_list}


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        ([MarginRow("nope", "kz", 1.0)], "unknown_question"),
        ([MarginRow("awareness", "no", 1.0)], "no_margin_role"),
        ([MarginRow("country", "xx", 1.0)], "unknown_option"),
        ([MarginRow("country", "kz", 1.5), MarginRow("country", "uz", -0.5)], "share_range"),
        ([MarginRow("country", "kz", 0.5), MarginRow("country", "uz", 0.3)], "shares_sum"),
        ([MarginRow("country", "kz", 0.5), MarginRow("country", "uz", 0.5)], "empty_cell"),
        (
            [MarginRow("country", o, s) for o, s in (("kz", 0.4), ("uz", 0.3), ("kg", 0.2))]
            + [MarginRow("country", "cn", 0.1)],
            "empty_cell",
        ),
        ([MarginRow("country", "kz", 0.5), MarginRow("country", "kz", 0.5)], "duplicate"),
    ],
)
def test_margins_that_cannot_be_met_are_refused_with_a_reason(
    sampled: Survey, rows: list[MarginRow], code: str
) -> None:
    PopulationMargin.objects.create(survey=sampled, question="country", option="kz", share=1.0)
    assert code in _error_codes(sampled, rows)
    # Nothing was replaced.
    assert list(PopulationMargin.objects.values_list("option", "share")) == [("kz", 1.0)]


def test_raking_that_cannot_converge_says_so() -> None:
    # Three respondents in cells (a, x), (b, x), (b, y): a at 0.9 and y at 0.9 cannot both hold.
    first, second = np.array([0, 1, 1]), np.array([0, 0, 1])
    with pytest.raises(MarginsError) as caught:
        rake([first, second], [np.array([0.9, 0.1]), np.array([0.1, 0.9])], max_iterations=50)
    assert caught.value.code == "not_converged"


def test_raking_meets_random_margins_to_1e_9_and_poststratification_is_one_sweep() -> None:
    rng = np.random.default_rng(4)
    a, b = rng.integers(0, 3, 500), rng.integers(0, 4, 500)
    ta, tb = np.array([0.2, 0.3, 0.5]), np.array([0.1, 0.2, 0.3, 0.4])
    weights = rake([a, b], [ta, tb])
    for codes, target in ((a, ta), (b, tb)):
        got = np.bincount(codes, weights=weights) / weights.sum()
        assert np.abs(got - target).max() < 1e-9
    one = rake([a], [ta])
    counts = np.bincount(a)
    assert np.allclose(one, ta[a] / counts[a] * 500, atol=1e-12)
    assert kish_deff(np.ones(10)) == pytest.approx(1.0)


def test_the_poststratified_interval_is_the_stratified_variance_for_one_margin() -> None:
    rng = np.random.default_rng(8)
    strata = rng.integers(0, 3, 400)
    y = rng.random(400) < np.array([0.2, 0.5, 0.7])[strata]
    target = np.array([0.5, 0.3, 0.2])
    weights = rake([strata], [target])
    share, error = calibrated_shares(
        weights,
        cells=[strata],
        targets=[target],
        ticked=y[:, None],
        answered=np.ones(400, dtype=bool),
    )
    counts = np.bincount(strata)
    p = np.array([y[strata == h].mean() for h in range(3)])
    assert share[0] == pytest.approx(float(target @ p), abs=1e-12)
    # Σ W_h² s_h² / n_h with s_h² the within-stratum variance (denominator n_h), times n/(n-1).
    within = p * (1 - p)
    expected = (target**2 * within / counts).sum() * 400 / 399
    assert error[0] == pytest.approx(np.sqrt(expected), rel=1e-9)


def test_the_margins_csv_reader_names_the_line_of_each_problem() -> None:
    text = "\ufeffquestion;option;share\ncountry;kz;0,5\ncountry;uz\ncountry;kg;many\n"
    # In English whatever an earlier test left active (the default language is Russian).
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        margins_read(text=text)
    messages = caught.value.messages
    assert any(m.startswith("Line 3:") for m in messages)
    assert any(m.startswith("Line 4:") and "many" in m for m in messages)
    rows = margins_read(text="question,option,share\ncountry,kz,0.5\n")
    assert rows == [MarginRow("country", "kz", 0.5, 2)]
    with translation.override("en"), pytest.raises(ValidationError, match="Line 1"):
        margins_read(text="q,o,s\n")


def test_load_margins_prints_the_errors_and_fails_then_clear_removes_them(
    sampled: Survey, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("question,option,share\ncountry,kz,0.5\ncountry,zz,0.5\n", encoding="utf-8")
    # Commands speak the active language; LANGUAGE_CODE is ru.
    refused = pytest.raises(CommandError, match=r"Line 3: .*has no option .zz.")
    with translation.override("en"), refused:
        call_command("load_margins", "--survey", sampled.slug, str(path))
    assert not PopulationMargin.objects.exists()
    margins_replace(survey=sampled, rows=_rows({"country": COUNTRY}), user=None)
    call_command("load_margins", "--survey", sampled.slug, "--clear")
    assert not PopulationMargin.objects.exists()
    with pytest.raises(CommandError, match="no survey"):
        call_command("load_margins", "--survey", "nope", str(path))
    assert margins_clear(survey=sampled) == 0


def test_the_margins_page_is_for_analysts_only(
    sampled: Survey, analyst: User, organizer: User, client: Any
) -> None:
    url = f"/en/analytics/margins/{sampled.slug}/"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert logged_in(organizer).get(url).status_code == 403
    assert logged_in(organizer).post(url, {"csv": "question,option,share"}).status_code == 403
    page = logged_in(analyst).get(url)
    assert page.status_code == 200
    assert "country" in page.content.decode()


def test_an_analyst_enters_margins_on_the_page_and_sees_errors_in_place(
    sampled: Survey, analyst: User
) -> None:
    client = logged_in(analyst)
    url = f"/en/analytics/margins/{sampled.slug}/"
    fields = {f"share__country__{o}": s for o, s in COUNTRY.items()}
    reply = client.post(url, {"action": "replace", **fields})
    assert reply.status_code == 302
    stored = dict(PopulationMargin.objects.values_list("option", "share"))
    assert stored == COUNTRY
    assert PopulationMargin.objects.first().entered_by == analyst
    page = client.get(url).content.decode()
    assert "Post-stratification" in page
    bad = client.post(url, {"action": "replace", "share__country__kz": "0.5"})
    assert bad.status_code == 400
    assert "add up to" in bad.content.decode()
    assert dict(PopulationMargin.objects.values_list("option", "share")) == COUNTRY
    upload = client.post(url, {"action": "upload", "csv": "question,option,share\ncountry,kz,1\n"})
    assert upload.status_code == 400 and "empty cell" in upload.content.decode()
    cleared = client.post(url, {"action": "clear"})
    assert cleared.status_code == 302 and not PopulationMargin.objects.exists()


def test_the_exports_page_links_to_the_margins_page(sampled: Survey, analyst: User) -> None:
    page = logged_in(analyst).get(f"/en/analytics/exports/?survey={sampled.slug}")
    assert f'href="/en/analytics/margins/{sampled.slug}/"' in page.content.decode()


def test_countries_of_the_fixture_are_uneven_against_the_margins(sampled: Survey) -> None:
    counts = Counter(Response.objects.values_list("answers__country", flat=True))
    assert counts == {"kz": 10, "uz": 30, "kg": 20}


def _bundle(survey: Survey, tmp_path: Path) -> dict[str, bytes]:
    output = tmp_path / "bundle.zip"
    call_command("export_data", "bundle", f"--survey={survey.slug}", f"--output={output}")
    with zipfile.ZipFile(output) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def test_the_bundle_carries_the_margins_the_poststratified_shares_and_the_r_code(
    sampled: Survey, tmp_path: Path
) -> None:
    margins_replace(survey=sampled, rows=_rows({"country": COUNTRY, "gender": GENDER}), user=None)
    members = _bundle(sampled, tmp_path)
    margins = list(csv.reader(io.StringIO(members["data/margins.csv"].decode())))
    assert margins[0] == ["question", "option", "share"]
    assert {(q, o, float(s)) for q, o, s in margins[1:]} == {
        *(("country", o, s) for o, s in COUNTRY.items()),
        *(("gender", o, s) for o, s in GENDER.items()),
    }
    shares = list(csv.reader(io.StringIO(members["data/platform_poststrat.csv"].decode())))
    estimates = poststrat_estimates(survey=sampled)
    for question, option, share, _low, _high in shares[1:]:
        assert float(share) == estimates[question][option].share
    script = members["analysis.R"].decode()
    assert "library(survey)" in script and "rake(design, strata, population" in script
    assert 'poststratified("awareness", c("awareness"))' in script
    readme = members["README.md"].decode()
    assert "Raked (iterative proportional fitting" in readme
    assert "| country | kz | 0.5 |" in readme and "| gender | female | 0.52 |" in readme
    deff = design_effects(survey=sampled)
    assert f"post-stratified {deff['poststrat']:.3f}" in readme


def test_a_bundle_without_margins_says_so_and_has_no_margins_file(
    sampled: Survey, tmp_path: Path
) -> None:
    members = _bundle(sampled, tmp_path)
    assert "data/margins.csv" not in members
    assert "None entered: no post-stratification." in members["README.md"].decode()
    assert "library(survey)" not in members["analysis.R"].decode()


def test_the_wide_export_carries_the_three_weights_described_in_the_codebook(
    sampled: Survey,
) -> None:
    margins_replace(survey=sampled, rows=_rows({"country": COUNTRY}), user=None)
    rows = _export(sampled, "responses")
    header = rows[0]
    assert header[-3:] == ["weight_poststrat", "weight_rds2", "weight_ss"]
    weights = response_weights(survey=sampled)
    for row in rows[1:]:
        expected = weights[int(row[0])]
        for name in ("weight_poststrat", "weight_rds2"):
            assert float(row[header.index(name)]) == expected[name]
        assert row[header.index("weight_ss")] == ""  # no population size
    # Post-stratified weights put each country at its margin.
    country = header.index("country")
    total = sum(float(row[-3]) for row in rows[1:])
    kz = sum(float(row[-3]) for row in rows[1:] if row[country] == "kz")
    assert kz / total == pytest.approx(COUNTRY["kz"], abs=1e-12)
    codebook = {row[0]: row for row in _export(sampled, "codebook")}
    assert codebook["weight_poststrat"][3] == "weight"
    assert codebook["weight_poststrat"][-1].startswith("Post-stratified weight")


def test_the_ss_weight_is_exported_when_the_population_size_is_set(sampled: Survey) -> None:
    estimation_set(sampled, population_size=200)
    rows = _export(sampled, "responses")
    ss = [float(row[-1]) for row in rows[1:]]
    assert sum(ss) == pytest.approx(200, rel=1e-9)
    assert design_effects(survey=sampled)["ss"] >= 1


def _export(survey: Survey, kind: str) -> list[list[str]]:
    data = b"".join(export_chunks(survey=survey, options=ExportOptions(kind=kind)))
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _aggregates(survey: Survey) -> dict[tuple[str, str], dict[str, str]]:
    options = ExportOptions.from_dict({"kind": "aggregates", "labels": "codes"})
    text = b"".join(export_chunks(survey=survey, options=options)).decode("utf-8-sig")
    return {(row["question"], row["option"]): row for row in csv.DictReader(io.StringIO(text))}


def test_the_aggregates_csv_carries_the_poststratified_shares_and_their_intervals(
    sampled: Survey, analyst: User
) -> None:
    assert _aggregates(sampled)[("awareness", "no")]["poststrat_share"] == ""
    margins_replace(survey=sampled, rows=_rows({"country": COUNTRY}), user=analyst)
    rows = _aggregates(sampled)
    for question, options in _independent_shares(sampled).items():
        for option, share in options.items():
            assert abs(float(rows[(question, option)]["poststrat_share"]) - share) < 1e-9
    no = rows[("awareness", "no")]
    assert float(no["poststrat_ci_low"]) < float(no["poststrat_share"])
    assert float(no["poststrat_share"]) < float(no["poststrat_ci_high"])


def test_the_dashboard_shows_poststratified_shares_beside_rds_with_the_design_effects(
    sampled: Survey, analyst: User
) -> None:
    aggregates_rebuild(survey_id=sampled.pk, full=True)
    rds_rebuild(survey_id=sampled.pk, replicates=50)
    client = logged_in(analyst)
    before = client.get(f"/en/analytics/?survey={sampled.slug}").content.decode()
    assert 'id="rds-note"' in before and 'id="poststrat-note"' not in before
    margins_replace(survey=sampled, rows=_rows({"country": COUNTRY}), user=analyst)
    html = client.get(f"/en/analytics/?survey={sampled.slug}").content.decode()
    assert 'id="poststrat-note"' in html and "Post-stratified, %" in html
    share = poststrat_estimates(survey=sampled)["awareness"]["no"].share
    assert f'<td class="text-end poststrat">{100 * share:.1f}</td>' in html
    deff = design_effects(survey=sampled)
    assert f"post-stratified {deff['poststrat']:.2f}" in html
    assert f"RDS-II {deff['rds2']:.2f}" in html
    # Margins describe the whole population: a filtered view does not claim them.
    filtered = client.get(f"/en/analytics/?survey={sampled.slug}&country=kz").content.decode()
    assert 'id="poststrat-note"' not in filtered


@pytest.mark.postgres
def test_the_copy_export_writes_the_three_weights_as_the_python_export_does_block_by_block(
    sampled: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exports.options import encoded
    from exports.rows import wide_weights
    from exports.rows.wide import wide_copy, wide_rows

    margins_replace(survey=sampled, rows=_rows({"country": COUNTRY}), user=None)
    estimation_set(sampled, population_size=200)
    # A withdrawn respondent between weighted ones: a tombstone row without weights.
    tombstone = Response.objects.filter(survey=sampled).order_by("id")[8]
    Response.objects.filter(pk=tombstone.pk).update(withdrawn_at=timezone.now())
    # Blocks of 7 weights over 60 rows: each block's first and last rows are met.
    monkeypatch.setattr(wide_weights, "UPLOAD_BLOCK", 7)
    options = ExportOptions(kind="responses", labels="en", bom=False)
    copied = b"".join(wide_copy(sampled, options, None))
    assert copied == b"".join(encoded(wide_rows(sampled, options, None), options))
    rows = list(csv.reader(io.StringIO(copied.decode(), newline="")))
    weights = {int(row[0]): row[-3:] for row in rows[1:]}
    assert weights[tombstone.pk] == ["", "", ""]
    assert all(all(cells) for pk, cells in weights.items() if pk != tombstone.pk)
    assert sum(float(cells[2]) for cells in weights.values() if cells[2]) == pytest.approx(200)
