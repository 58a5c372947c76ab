"""Published RDS reference samples load as recruitment forests the platform can analyse."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from surveys.models import Response, SeedLink

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "rds"


def _rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.django_db
def test_it_imports_faux_with_its_waves_and_seed() -> None:
    call_command("import_rds", str(REFERENCE / "faux.csv"), survey="faux", outcomes="X,Y,Z")
    rows = _rows("faux.csv")
    assert Response.objects.filter(survey__slug="faux").count() == len(rows) == 389
    assert SeedLink.objects.filter(survey__slug="faux").count() == 1
    by_code = {r.code_used: r for r in Response.objects.filter(survey__slug="faux")}
    for row in rows:
        response = by_code[row["id"]]
        assert response.wave == int(row["wave"])
        assert response.network_size == int(row["network.size"])
        assert response.answers["x"] == row["X"]
        if row["recruiter.id"] != "seed":
            assert response.recruiter.code_used == row["recruiter.id"]
            assert response.recruiter.pk < response.pk


@pytest.mark.django_db
def test_it_imports_fauxmadrona_with_ten_seeds_and_a_degree_column() -> None:
    call_command(
        "import_rds",
        str(REFERENCE / "fauxmadrona.csv"),
        survey="fauxmadrona",
        outcomes="disease",
        degree_column="degree",
    )
    responses = Response.objects.filter(survey__slug="fauxmadrona")
    assert responses.count() == 500
    assert responses.filter(wave=0).count() == 10
    assert {r.answers["disease"] for r in responses} == {"0", "1"}


@pytest.mark.django_db
def test_it_refuses_a_file_without_the_named_columns(tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text("id,recruiter.id\n1,seed\n")
    with pytest.raises(CommandError, match=r"network\.size"):
        call_command("import_rds", str(broken), survey="broken", outcomes="X")
    assert not Response.objects.exists()
