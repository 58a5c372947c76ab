"""CSV exports open cleanly in pandas and the csv module, and never carry a live formula."""

from __future__ import annotations

import csv
import io
import os
import random
import re
from pathlib import Path

import pandas as pd
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client

from aggregates.filters import ResponseFilter
from aggregates.rebuild import aggregates_rebuild
from exports.models import ExportJob
from exports.options import KINDS, ExportOptions, encoded
from exports.rows.wide import wide_copy, wide_rows
from exports.stream import export_chunks
from surveys.csv_safe import FORMULA_TRIGGERS
from surveys.models import Option, Response, Survey
from tests.fixtures.analytics import INJECTIONS, KAZAKH, varied_answers
from tests.fixtures.staff import logged_in, staff_user
from tests.flow import complete_survey

NASTY_LABEL = '=HYPERLINK("http://x")'


@pytest.fixture
def answered(sco_survey: Survey) -> Survey:
    """Seven responses through the flow; "other" texts carry Kazakh letters and formulas."""
    rng = random.Random(11)
    for index in range(7):
        answers = varied_answers(sco_survey, rng)
        answers["platforms"] = ["telegram", "other"]
        answers["platforms__other"] = f"{KAZAKH} {index}"
        complete_survey(
            Client(), sco_survey, language=("kk", "ru", "en")[index % 3], answers=answers
        )
    # Texts typed by respondents (some arrive with a leading tab or CR from other tools).
    for response, payload in zip(Response.objects.order_by("id"), INJECTIONS, strict=False):
        response.other_texts = {**response.other_texts, "platforms": payload}
        response.save(update_fields=["other_texts"])
    # A label an editor typed in the admin.
    Option.objects.filter(question__survey=sco_survey, question__code="awareness").update(
        label_kk=NASTY_LABEL, label_en=NASTY_LABEL
    )
    Response.objects.filter(pk=Response.objects.order_by("id").first().pk).update(
        answers={**Response.objects.order_by("id").first().answers, "awareness": "yes_fully"}
    )
    aggregates_rebuild(survey_id=sco_survey.pk, full=True)
    return sco_survey


def _bytes(survey: Survey, **options: object) -> bytes:
    return b"".join(export_chunks(survey=survey, options=ExportOptions(**options)))


def _csv_rows(data: bytes, delimiter: str = ",") -> list[list[str]]:
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _all_cells(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows for cell in row]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("labels", ["codes", "kk"])
def test_every_export_kind_round_trips_through_pandas_and_the_csv_module(
    answered: Survey, tmp_path: Path, kind: str, labels: str
) -> None:
    data = _bytes(answered, kind=kind, labels=labels)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data

    rows = _csv_rows(data)
    header, body = rows[0], rows[1:]
    assert body and all(len(row) == len(header) for row in body)
    for cell in _all_cells(rows):
        assert not cell.startswith(FORMULA_TRIGGERS), cell

    path = tmp_path / f"{kind}.csv"
    path.write_bytes(data)
    frame = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)
    assert list(frame.columns) == header
    assert len(frame) == len(body)

    text = data.decode("utf-8-sig")
    if kind in {"responses", "long"}:
        for payload in INJECTIONS:
            assert ("'" + payload) in _all_cells(rows), payload
        assert f"{KAZAKH} 6" in text
        if labels == "kk" or kind == "long":
            assert "'" + NASTY_LABEL in _all_cells(rows)
    if kind == "codebook":
        assert "Қазақстан" in text and "Казахстан" in text and "Kazakhstan" in text
        assert "'" + NASTY_LABEL in _all_cells(rows)
    if labels == "kk" and kind in {"responses", "aggregates", "crosstabs"}:
        assert "Қазақстан" in text or "Telegram" in text


def test_numbers_stay_numbers(answered: Survey, tmp_path: Path) -> None:
    path = tmp_path / "responses.csv"
    path.write_bytes(_bytes(answered, kind="responses", labels="en"))
    frame = pd.read_csv(path, encoding="utf-8-sig")
    for column in ("response_id", "duration_seconds", "network_size", "platforms__telegram"):
        assert pd.api.types.is_integer_dtype(frame[column]), (column, frame[column].dtype)
    assert set(frame["platforms__telegram"]) == {1}
    assert set(frame["platforms__bluesky"]) <= {0, 1}
    assert frame["awareness"].iloc[0] == "'" + NASTY_LABEL

    aggregates = tmp_path / "aggregates.csv"
    aggregates.write_bytes(_bytes(answered, kind="aggregates"))
    table = pd.read_csv(aggregates, encoding="utf-8-sig")
    assert pd.api.types.is_integer_dtype(table["count"])
    assert pd.api.types.is_integer_dtype(table["base"])
    assert pd.api.types.is_float_dtype(table["percent"])
    telegram = table[(table.question == "platforms") & (table.option == "telegram")]
    assert telegram["percent"].item() == 100.0


def test_waves_and_recruiters_export_as_integers(sco_survey: Survey, tmp_path: Path) -> None:
    from tests.fixtures.analytics import submit

    first = submit(sco_survey, varied_answers(sco_survey, random.Random(1)))
    Response.objects.filter(pk=first.pk).update(wave=0)
    first.refresh_from_db()
    submit(sco_survey, varied_answers(sco_survey, random.Random(2)), wave_of=first)
    path = tmp_path / "responses.csv"
    path.write_bytes(_bytes(sco_survey, kind="responses"))
    frame = pd.read_csv(path, encoding="utf-8-sig")
    assert list(frame["wave"]) == [0, 1]
    assert pd.api.types.is_integer_dtype(frame["wave"])
    assert frame["recruiter_id"].iloc[1] == first.pk


def test_semicolons_and_no_bom(answered: Survey, tmp_path: Path) -> None:
    data = _bytes(answered, kind="responses", delimiter=";", bom=False, labels="ru")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.split(b"\r\n")[0].startswith(b"response_id;submitted_at;language;")
    path = tmp_path / "semicolon.csv"
    path.write_bytes(data)
    frame = pd.read_csv(path, sep=";", encoding="utf-8")
    assert frame.shape[0] == 7
    assert "Частично" in set(frame["awareness"]) or "Нет" in set(frame["awareness"])


def test_the_long_export_has_a_row_per_tick_number_and_text(answered: Survey) -> None:
    rows = _csv_rows(_bytes(answered, kind="long", labels="en"))
    assert rows[0] == ["response_id", "question", "option", "label", "value"]
    first = Response.objects.order_by("id").first()
    mine = [row for row in rows[1:] if row[0] == str(first.pk)]
    telegram = next(row for row in mine if row[2] == "telegram")
    assert telegram[1:] == ["platforms", "telegram", "Telegram", "1"]
    assert next(row for row in mine if row[1] == "network_size")[4] == str(first.network_size)
    assert next(row for row in mine if row[1] == "platforms__other_text")[4] == "'=1+1"


def test_filters_narrow_the_responses_export(answered: Survey) -> None:
    rows = _csv_rows(_bytes(answered, kind="responses", filters=ResponseFilter(language="kk")))
    assert len(rows) == 1 + Response.objects.filter(language="kk").count()
    assert {row[2] for row in rows[1:]} == {"kk"}


def test_the_export_csv_command_writes_a_file(answered: Survey, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    call_command(
        "export_csv",
        "responses",
        "--labels",
        "kk",
        "--delimiter",
        ";",
        "--no-bom",
        "--output",
        str(target),
    )
    data = target.read_bytes()
    assert data == _bytes(answered, kind="responses", labels="kk", delimiter=";", bom=False)
    assert not (tmp_path / "out.csv.part").exists()
    codebook = tmp_path / "codebook.csv"
    call_command("export_csv", "codebook", "--output", str(codebook))
    assert "әлеуметтік" in codebook.read_text(encoding="utf-8-sig") or "ШЫҰ" in codebook.read_text(
        encoding="utf-8-sig"
    )


def test_the_export_commands_country_and_age_group_options_filter_by_role(
    answered: Survey, tmp_path: Path
) -> None:
    first = Response.objects.order_by("id").first().answers
    target = tmp_path / "out.csv"
    call_command(
        "export_csv",
        "responses",
        "--country",
        first["country"],
        "--age-group",
        first["age_group"],
        "--output",
        str(target),
    )
    chosen = ResponseFilter(answers={"country": first["country"], "age_group": first["age_group"]})
    assert target.read_bytes() == _bytes(answered, kind="responses", filters=chosen)
    rows = _csv_rows(target.read_bytes())
    header = rows[0]
    assert len(rows) > 1
    assert {row[header.index("country")] for row in rows[1:]} == {first["country"]}


def test_a_small_export_streams_straight_from_the_page(answered: Survey, analyst: User) -> None:
    client = logged_in(analyst)
    page = client.get("/en/analytics/exports/")
    assert page.status_code == 200
    reply = client.post(
        "/en/analytics/exports/",
        {"survey": "sco-2025", "kind": "crosstabs", "labels": "ru", "delimiter": ";", "bom": "on"},
    )
    assert reply.status_code == 200
    assert reply.streaming
    assert re.fullmatch(
        r'attachment; filename="sco-2025-crosstabs-\d{8}-\d{4}\.csv"',
        reply["Content-Disposition"],
    )
    body = b"".join(reply.streaming_content)
    assert body == _bytes(answered, kind="crosstabs", labels="ru", delimiter=";")


def test_a_large_export_runs_as_a_job_and_offers_its_file(
    answered: Survey, analyst: User, background_exports: Path, django_capture_on_commit_callbacks
) -> None:
    client = logged_in(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        reply = client.post(
            "/en/analytics/exports/",
            {"survey": "sco-2025", "kind": "responses", "labels": "kk", "delimiter": ","},
        )
    job = ExportJob.objects.get()
    assert reply.status_code == 302 and reply["Location"] == f"/en/analytics/exports/{job.pk}/"
    page = client.get(reply["Location"])
    assert page.status_code == 200 and "analytics-export-job.js" in page.content.decode()

    status = client.get(f"/en/analytics/exports/{job.pk}/status/").json()
    assert status["status"] == "done"
    assert status["rows_done"] == status["rows_total"] == 7
    download = client.get(status["download_url"])
    assert download.status_code == 200
    assert re.fullmatch(
        r'attachment; filename="sco-2025-responses-\d{8}-\d{4}\.csv"',
        download["Content-Disposition"],
    )
    assert b"".join(download.streaming_content) == _bytes(
        answered, kind="responses", labels="kk", bom=False
    )
    assert list(background_exports.iterdir()) == [background_exports / f"{job.pk}.csv"]

    someone_else = logged_in(staff_user("other-analyst", "Analysts"))
    assert someone_else.get(status["download_url"]).status_code == 404
    assert someone_else.get(f"/en/analytics/exports/{job.pk}/status/").status_code == 404


def test_a_failed_export_says_why_and_leaves_no_partial_file(
    answered: Survey, analyst: User, settings, tmp_path: Path
) -> None:
    from exports.jobs import export_job_run

    settings.EXPORT_ROOT = tmp_path
    job = ExportJob.objects.create(
        owner=analyst,
        survey=answered,
        kind="responses",
        options=ExportOptions(kind="responses").as_dict(),
        rows_total=7,
        file_name="sco-2025-responses-20250101-0000.csv",
    )
    partial = tmp_path / f"{job.pk}.csv.part"
    os.symlink("/dev/full", partial)  # writing there fails as a full disk does

    assert export_job_run(job_id=str(job.pk)) == "failed"
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error == "The disk is full: the export could not be written."
    assert not partial.exists() and not partial.is_symlink()
    assert not job.path.exists()
    reply = logged_in(analyst).get(f"/en/analytics/exports/{job.pk}/status/")
    assert reply.json()["error"] == job.error and reply.json()["download_url"] == ""


def test_exports_need_the_analyst_permission(
    answered: Survey, organizer: User, analyst: User
) -> None:
    job = ExportJob.objects.create(
        owner=analyst,
        survey=answered,
        kind="responses",
        options=ExportOptions(kind="responses").as_dict(),
        file_name="x.csv",
    )
    paths = [
        ("get", "/en/analytics/exports/"),
        ("post", "/en/analytics/exports/"),
        ("get", f"/en/analytics/exports/{job.pk}/"),
        ("get", f"/en/analytics/exports/{job.pk}/status/"),
        ("get", f"/en/analytics/exports/{job.pk}/download/"),
    ]
    form = {"survey": "sco-2025", "kind": "responses", "labels": "codes", "delimiter": ","}
    for method, path in paths:
        anonymous = Client().post(path, form) if method == "post" else Client().get(path)
        assert anonymous.status_code == 302, path
        assert anonymous["Location"].startswith("/en/accounts/login/"), path
        browser = logged_in(organizer)
        refused = browser.post(path, form) if method == "post" else browser.get(path)
        assert refused.status_code == 403, path


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("labels", "delimiter"), [("codes", ","), ("kk", ";"), ("ru", ","), ("en", ";")]
)
def test_the_copy_export_and_the_python_export_write_the_same_bytes(
    answered: Survey, labels: str, delimiter: str
) -> None:
    assert connection.vendor == "postgresql"
    Response.objects.filter(pk=Response.objects.order_by("id").last().pk).update(
        quality_flags=["=flag", "same_client_recently"],
        other_texts={"platforms": 'quote " and, comma\nnew line'},
    )
    # Answers no form stores (imports, older versions) take the same way through both paths.
    Response.objects.filter(pk=Response.objects.order_by("id").first().pk).update(
        answers={"awareness": "=cmd|' /C calc'!A0", "impact": 5, "platforms": "telegram"},
        quality_flags=[],
    )
    options = ExportOptions(kind="responses", labels=labels, delimiter=delimiter, bom=False)
    copied = b"".join(wide_copy(answered, options, None))
    built = b"".join(encoded(wide_rows(answered, options, None), options))
    assert copied == built
    assert b"'=flag|same_client_recently" in copied and b'"quote "" and, comma\nnew line"' in copied
    assert b"'=cmd|" in copied
