"""SPSS, Stata and Excel exports hold the CSV's rows with Kazakh labels intact."""

from __future__ import annotations

import csv
import io
import random
import re
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from estimates.margins.weights import WEIGHT_COLUMNS
from exports.formats import export_write
from exports.formats.naming import SPSS, STATA, fit, safe_names
from exports.models import ExportJob
from exports.options import ExportOptions
from exports.stream import export_chunks
from surveys.models import Option, Question, Response, Survey
from tests.fixtures.analytics import KAZAKH, submit, varied_answers
from tests.fixtures.staff import logged_in

INJECTION = "=cmd|' /C calc'!A0"
QUESTION_KK = f"Цифрлық дипломатия туралы білесіз бе? {KAZAKH}"  # noqa: RUF001


@pytest.fixture
def answered(sco_survey: Survey) -> Survey:
    """Nine responses in two recruitment chains, Kazakh wording, a formula typed as text."""
    Question.objects.filter(survey=sco_survey, code="awareness").update(text_kk=QUESTION_KK)
    Option.objects.filter(
        question__survey=sco_survey, question__code="awareness", code="partially"
    ).update(label_kk=KAZAKH)
    rng = random.Random(5)
    recruiters: list[Response] = []
    for index in range(9):
        answers = varied_answers(sco_survey, rng)
        answers["awareness"] = ("partially", "no", "yes_fully")[index % 3]
        answers["platforms"] = ["telegram", "other"]
        answers["platforms__other"] = INJECTION if index == 0 else f"{KAZAKH} {index}"
        answers["network_size"] = (3, 10, 40)[index % 3]
        recruiter = recruiters[index - 2] if index >= 2 else None
        language = ("kk", "ru", "en")[index % 3]
        recruiters.append(submit(sco_survey, answers, language=language, wave_of=recruiter))
    return sco_survey


def _csv(survey: Survey, **options: Any) -> list[list[str]]:
    data = b"".join(export_chunks(survey=survey, options=ExportOptions(**options)))
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _written(survey: Survey, path: Path, **options: Any) -> Path:
    export_write(survey=survey, options=ExportOptions(**options), path=path)
    return path


def _read(path: Path) -> tuple[pd.DataFrame, Any]:
    reader = pyreadstat.read_sav if path.suffix == ".sav" else pyreadstat.read_dta
    return reader(str(path))


def _label_of(meta: Any, name: str) -> str:
    return dict(zip(meta.column_names, meta.column_labels, strict=True))[name]


@pytest.mark.parametrize("extension", ["sav", "dta"])
def test_a_statistics_file_holds_the_csv_rows_with_kazakh_variable_and_value_labels(
    answered: Survey, tmp_path: Path, extension: str
) -> None:
    path = _written(
        answered, tmp_path / f"out.{extension}", kind="responses", labels="kk", format=extension
    )
    frame, meta = _read(path)
    rows = _csv(answered, kind="responses", labels="codes")
    header, body = rows[0], rows[1:]
    rules = SPSS if extension == "sav" else STATA
    names = safe_names(header, rules)
    assert meta.column_names[: len(header)] == names
    assert len(frame) == len(body)
    questions = {q.code: q for q in Question.objects.filter(survey=answered)}
    for column, (name, csv_header) in enumerate(zip(names, header, strict=True)):
        values = frame[name].tolist()
        cells = [row[column] for row in body]
        question = questions.get(csv_header)
        if csv_header == "submitted_at":
            assert [v.strftime("%Y-%m-%dT%H:%M:%SZ") for v in values] == cells
        elif question is not None and question.kind == "single":
            labels = meta.variable_value_labels[name]
            kk = {o.code: o.label_kk for o in question.options.all()}
            assert [labels[v] for v in values] == [kk[cell] for cell in cells]
            assert _label_of(meta, name) == fit(
                question.text_kk, rules.label_length, in_bytes=rules.in_bytes
            )
        elif meta.readstat_variable_types[name] == "string":
            assert values == cells, csv_header
        else:
            # Whole numbers, and the weights at full precision.
            assert [None if np.isnan(v) else v for v in values] == [
                float(cell) if cell else None for cell in cells
            ], csv_header
    awareness = meta.variable_value_labels["awareness"]
    assert KAZAKH in awareness.values()
    assert _label_of(meta, "awareness").startswith(QUESTION_KK[:70])
    platform = questions["platforms"].options.get(code="telegram").label_kk
    assert _label_of(meta, "platforms__telegram").endswith(f": {platform}")
    assert _label_of(meta, "platforms__other_text").startswith(questions["platforms"].text_kk[:20])
    assert f"{KAZAKH} 4" in frame["platforms__other_text"].tolist()


def test_stata_names_are_short_unique_identifiers_and_name_their_csv_column(
    answered: Survey, tmp_path: Path
) -> None:
    _frame, meta = _read(
        _written(answered, tmp_path / "out.dta", kind="responses", labels="kk", format="dta")
    )
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,31}", name) for name in meta.column_names)
    assert len({name.lower() for name in meta.column_names}) == len(meta.column_names)
    long_name = "conflict_prevention__explain_positions"
    (short,) = [n for n in meta.column_names if _label_of(meta, n).startswith(long_name + ":")]
    assert len(short) <= 32 and long_name.startswith(short)
    # Stata 14+ format 118 is the first that stores its strings as UTF-8.
    assert (tmp_path / "out.dta").read_bytes().startswith(b"<stata_dta><header><release>118")


def test_the_spss_file_notes_the_codes_behind_the_numbers(answered: Survey, tmp_path: Path) -> None:
    _frame, meta = _read(
        _written(answered, tmp_path / "out.sav", kind="responses", labels="en", format="sav")
    )
    notes = " ".join(meta.notes)
    assert "awareness: 1=yes_fully, 2=partially, 3=no, 4=hard_to_say" in notes
    assert meta.variable_value_labels["awareness"][2.0] == "Partially"
    assert meta.file_encoding == "UTF-8"


def test_the_rds2_weight_is_the_inverse_network_size_scaled_to_mean_one(
    answered: Survey, tmp_path: Path
) -> None:
    frame, meta = _read(
        _written(answered, tmp_path / "out.sav", kind="responses", labels="ru", format="sav")
    )
    sizes = frame["network_size"]
    assert np.allclose(frame["weight_rds2"], sizes.mean() / sizes, atol=1e-12)
    assert "RDS-II" in _label_of(meta, "weight_rds2")


def test_the_workbook_holds_the_csv_rows_and_the_codebook_with_formulas_neutralized(
    answered: Survey, tmp_path: Path
) -> None:
    path = _written(answered, tmp_path / "out.xlsx", kind="responses", labels="kk", format="xlsx")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["data", "codebook"]
    sheets = {
        name: list(workbook[name].iter_rows(values_only=True)) for name in workbook.sheetnames
    }
    expected = _csv(answered, kind="responses", labels="kk")
    as_text = [["" if c is None else str(c) for c in row] for row in sheets["data"]]
    # The weights are numbers in both; Excel writes 16 significant digits, the CSV 17.
    weights = [expected[0].index(name) for name in WEIGHT_COLUMNS]
    for row, wanted in zip(as_text[1:], expected[1:], strict=True):
        for index in weights:
            got = float(row[index]) if row[index] else None
            assert got == (
                pytest.approx(float(wanted[index]), rel=1e-15) if wanted[index] else None
            )
            row[index] = wanted[index]
    assert as_text == expected
    assert "'" + INJECTION in sheets["data"][1]
    assert KAZAKH in {cell for row in sheets["data"] for cell in row}
    cells = [c for row in workbook["data"].iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    header = sheets["data"][0]
    for column in ("response_id", "duration_seconds", "network_size", "platforms__telegram"):
        assert all(isinstance(row[header.index(column)], int) for row in sheets["data"][1:])
    codebook = [["" if c is None else str(c) for c in row] for row in sheets["codebook"]]
    assert codebook == _csv(answered, kind="codebook")


def test_the_workbook_keeps_an_aggregate_tables_numbers(answered: Survey, tmp_path: Path) -> None:
    path = _written(answered, tmp_path / "agg.xlsx", kind="aggregates", format="xlsx")
    rows = list(openpyxl.load_workbook(path)["data"].iter_rows(values_only=True))
    expected = _csv(answered, kind="aggregates")
    assert len(rows) == len(expected) and rows[0] == tuple(expected[0])
    assert any(isinstance(cell, float | int) for row in rows[1:] for cell in row)


def test_the_export_data_command_writes_each_format(answered: Survey, tmp_path: Path) -> None:
    call_command(
        "export_data",
        "responses",
        "--format",
        "sav",
        "--labels",
        "kk",
        "--output",
        str(tmp_path / "a.sav"),
    )
    frame, meta = _read(tmp_path / "a.sav")
    assert len(frame) == Response.objects.count()
    assert KAZAKH in meta.variable_value_labels["awareness"].values()
    call_command(
        "export_data",
        "responses",
        "--format",
        "dta",
        "--language",
        "kk",
        "--output",
        str(tmp_path / "b.dta"),
    )
    assert len(_read(tmp_path / "b.dta")[0]) == Response.objects.filter(language="kk").count()
    call_command(
        "export_data", "crosstabs", "--format", "xlsx", "--output", str(tmp_path / "c.xlsx")
    )
    assert openpyxl.load_workbook(tmp_path / "c.xlsx").sheetnames == ["data", "codebook"]
    call_command("export_data", "long", "--no-bom", "--output", str(tmp_path / "d.csv"))
    call_command("export_csv", "long", "--no-bom", "--output", str(tmp_path / "e.csv"))
    assert (tmp_path / "d.csv").read_bytes() == (tmp_path / "e.csv").read_bytes()
    assert not list(tmp_path.glob("*.part"))
    with pytest.raises(CommandError, match="responses export only"):
        call_command("export_data", "codebook", "--format", "dta", "--output", str(tmp_path / "x"))


def test_the_exports_page_offers_the_formats_and_sends_each_with_its_content_type(
    answered: Survey, analyst: User
) -> None:
    client = logged_in(analyst)
    page = client.get("/en/analytics/exports/?survey=sco-2025").content.decode()
    for value in ("csv", "xlsx", "sav", "dta"):
        assert f'value="{value}"' in page
    form = {"survey": "sco-2025", "kind": "responses", "labels": "kk", "delimiter": ","}
    types = {
        "sav": "application/x-spss-sav",
        "dta": "application/x-stata-dta",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    for extension, content_type in types.items():
        reply = client.post("/en/analytics/exports/", {**form, "format": extension})
        assert reply.status_code == 200 and reply["Content-Type"] == content_type
        assert re.fullmatch(
            rf'attachment; filename="sco-2025-responses-\d{{8}}-\d{{4}}\.{extension}"',
            reply["Content-Disposition"],
        )
        body = b"".join(reply.streaming_content)
        assert body.startswith({"sav": b"$FL2", "dta": b"<stata_dta>", "xlsx": b"PK"}[extension])
    refused = client.post("/ru/analytics/exports/", {**form, "kind": "aggregates", "format": "sav"})
    assert refused.status_code == 400
    assert refused.context["form"].has_error("format", code="format_kind")


def test_a_large_statistics_export_runs_as_a_job_writing_a_sav_file(
    answered: Survey,
    analyst_client: Client,
    background_exports: Path,
    django_capture_on_commit_callbacks,
) -> None:
    client = analyst_client
    with django_capture_on_commit_callbacks(execute=True):
        reply = client.post(
            "/en/analytics/exports/",
            {
                "survey": "sco-2025",
                "kind": "responses",
                "labels": "kk",
                "delimiter": ",",
                "format": "sav",
            },
        )
    job = ExportJob.objects.get()
    assert reply.status_code == 302 and job.file_name.endswith(".sav")
    status = client.get(f"/en/analytics/exports/{job.pk}/status/").json()
    assert status["status"] == "done" and status["rows_done"] == 9
    assert list(background_exports.iterdir()) == [background_exports / f"{job.pk}.sav"]
    download = client.get(status["download_url"])
    assert download["Content-Type"] == "application/x-spss-sav"
    saved = background_exports.parent / "download.sav"
    saved.write_bytes(b"".join(download.streaming_content))
    frame, meta = _read(saved)
    assert len(frame) == 9 and KAZAKH in meta.variable_value_labels["awareness"].values()


def test_names_and_labels_are_cut_to_the_formats_limits_without_splitting_a_letter() -> None:
    names = safe_names(["1st", "with", "a-b", "x" * 40, "x" * 40, "_y"], STATA)
    assert names == ["v1st", "with_", "a_b", "x" * 32, "x" * 30 + "_2", "v_y"]
    cut = fit("ә" * 200, 256, in_bytes=True)
    assert len(cut.encode()) <= 256 and cut.startswith("ә" * 100) and cut.endswith("…")
    assert fit("ә" * 80, 80, in_bytes=False) == "ә" * 80
