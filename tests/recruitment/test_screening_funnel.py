"""The screened-out step of each link's funnel: the links CSV and the monitor's chains."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from exports.bundle import bundle_write
from surveys.models import Response, SeedLink, Survey
from tests.fixtures.recruitment import respondent_client
from tests.fixtures.staff import logged_in, member_of
from tests.surveys.test_screening import ELIGIBLE, answer, finish
from tests.surveys.test_skip_logic import cycling  # noqa: F401 (fixture)

OUTSIDER = {"lives_city": "no", "age": "40"}


@pytest.fixture
def chain(cycling: Survey) -> tuple[SeedLink, Response]:  # noqa: F811
    """A seed link that screened one visitor out and brought one respondent, who recruited."""
    seed = SeedLink.objects.create(survey=cycling, label="Bike club", coupon_limit=5)
    outsider = respondent_client("outsider")
    outsider.get(f"/en/r/{seed.code}/")
    answer(outsider, cycling, OUTSIDER)
    client = respondent_client("member")
    client.get(f"/en/r/{seed.code}/")
    answer(client, cycling, ELIGIBLE)
    member = finish(client, cycling)
    for name, screening in (("too far", OUTSIDER), ("friend", ELIGIBLE)):
        client = respondent_client(name)
        client.get(f"/en/r/{member.referral_code}/")
        if answer(client, cycling, screening)["Location"].endswith("/p/2/"):
            finish(client, cycling)
    return seed, member


def test_the_links_csv_counts_each_links_screened_out_visits(
    chain: tuple[SeedLink, Response], tmp_path: Path
) -> None:
    seed, member = chain
    output = tmp_path / "links.csv"
    call_command("export_csv", "links", "--survey", "city-cycling-2026", "--output", str(output))
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8-sig"))))
    assert list(rows[0]) == [
        "code", "label", "wave", "opened", "consented", "screened_out", "completed"
    ]  # fmt: skip
    by_code = {row["code"]: row for row in rows}
    assert by_code[seed.code] == {
        "code": seed.code, "label": "Bike club", "wave": "",
        "opened": "2", "consented": "2", "screened_out": "1", "completed": "1",
    }  # fmt: skip
    # A personal link is named by its first six symbols: the whole code is an invitation.
    assert member.referral_code not in output.read_text(encoding="utf-8-sig")
    assert by_code[member.referral_code[:6]] == {
        "code": member.referral_code[:6], "label": "", "wave": "0",
        "opened": "2", "consented": "2", "screened_out": "1", "completed": "1",
    }  # fmt: skip


def test_the_monitor_shows_the_screened_out_share_of_each_chain(
    chain: tuple[SeedLink, Response], organizer: User
) -> None:
    member_of(organizer, [chain[0].survey])
    reply = logged_in(organizer).get("/en/organize/city-cycling-2026/")
    assert reply.status_code == 200, (reply.status_code, reply.get("Location"))
    page = reply.content.decode()
    assert 'data-step="screened_out"' in page
    # Two of the chain's four screened visits (two outsiders, two respondents) were turned away.
    assert "2 screened out in the chain (50 %)" in page


def test_the_bundle_readme_and_strobe_checklist_report_the_screening(
    chain: tuple[SeedLink, Response], tmp_path: Path
) -> None:
    path = tmp_path / "bundle.zip"
    bundle_write(survey=chain[0].survey, path=path)
    with zipfile.ZipFile(path) as bundle:
        readme = bundle.read("README.md").decode()
    assert "Eligibility rule: `${lives_city} = 'yes' and ${age} >= 18`" in readme
    assert "2 visits screened out (no data kept, no coupon used) against 4 consents" in readme
    assert (
        "| 6a | Eligibility | Screened online by the rule («Do you live in the city?» is “Yes”) "
        "and («How old are you?» is at least 18); 2 of 4 consenting visitors were screened out"
    ) in readme
