"""Every export kind converts with LibreOffice headless, with Cyrillic and Kazakh text intact."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.test import Client

from aggregates.rebuild import aggregates_rebuild
from exports.options import KINDS, ExportOptions
from exports.stream import export_chunks
from surveys.models import Response, Survey
from tests.fixtures.analytics import INJECTIONS, KAZAKH, varied_answers
from tests.flow import complete_survey

pytestmark = pytest.mark.services

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# LibreOffice's CSV import: separator, quote ("), UTF-8 (76), first line 1.
SEPARATORS = {",": "44", ";": "59"}


@pytest.fixture
def answered(sco_survey: Survey) -> Survey:
    rng = random.Random(41)
    for index in range(4):
        answers = varied_answers(sco_survey, rng, other_text=f"{KAZAKH} {index}")
        answers["platforms"] = ["telegram", "other"]
        answers["platforms__other"] = f"{KAZAKH} {index}"
        complete_survey(Client(), sco_survey, language=("kk", "ru")[index % 2], answers=answers)
    first = Response.objects.order_by("id").first()
    first.other_texts = {**first.other_texts, "platforms": INJECTIONS[0]}
    first.save(update_fields=["other_texts"])
    aggregates_rebuild(survey_id=sco_survey.pk)
    return sco_survey


def _convert(source: Path, separator: str, workdir: Path) -> Path:
    if SOFFICE is None:
        pytest.fail("LibreOffice is not installed: apt-get install libreoffice-calc-nogui")
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{workdir / 'profile'}",
            "--headless",
            "--norestore",
            f"--infilter=CSV:{SEPARATORS[separator]},34,76,1",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(workdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    target = workdir / (source.stem + ".xlsx")
    assert target.exists(), list(workdir.iterdir())
    return target


@pytest.mark.parametrize("kind", KINDS)
def test_libreoffice_converts_each_export_kind_with_kazakh_text_intact(
    answered: Survey, tmp_path: Path, kind: str
) -> None:
    separator = ";" if kind in {"responses", "crosstabs"} else ","
    labels = "kk" if kind != "long" else "ru"
    source = tmp_path / f"{kind}.csv"
    source.write_bytes(
        b"".join(
            export_chunks(
                survey=answered,
                options=ExportOptions(kind=kind, labels=labels, delimiter=separator),
            )
        )
    )
    book = openpyxl.load_workbook(_convert(source, separator, tmp_path))
    sheet = book.active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    texts = [str(cell.value) for cell in cells if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"], "a formula came in"
    joined = " ".join(texts)
    if kind in {"responses", "long"}:
        assert f"{KAZAKH} 3" in texts
        payload = [cell for cell in cells if str(cell.value or "").endswith(INJECTIONS[0])]
        assert payload and all(cell.data_type == "s" for cell in payload), payload
    if kind == "codebook":
        assert "Қазақстан" in texts and "Казахстан" in texts
    if kind in {"aggregates", "crosstabs"}:
        assert "Иә, толық түсінемін" in joined or "Қазақстан" in joined
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert header[0] in {"response_id", "question", "dimension", "column"}
