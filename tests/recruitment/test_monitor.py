"""The organizers' recruitment monitor, the chain tree and the RDS-layout CSV, against a tree
grown through the real respondent flow."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import timedelta

import pandas as pd
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recruitment.monitor.figures import monitor_figures
from surveys.models import Response, SeedLink, Survey
from tests.fixtures.recruitment import (
    HttpTree,
    grow_chain,
    grow_funnel,
    respondent_client,
)
from tests.fixtures.staff import logged_in
from tests.flow import SCO_ANSWERS, complete_survey


def _total(page: str, name: str) -> str:
    match = re.search(rf'data-total="{name}">([^<]*)<', page)
    assert match, name
    return match.group(1)


def test_the_monitor_totals_match_the_tree(http_tree: HttpTree, organizer: User) -> None:
    reply = logged_in(organizer).get("/en/organize/")
    assert reply.status_code == 200
    members = http_tree.members.values()
    waves = Counter(member.wave for member in members)
    recruiters = {member.via for member in members if member.via not in http_tree.seeds}
    expected = {
        "responses": len(members),
        "attributed": len(members),
        "unattributed": 0,
        "seed_links": 1,
        "active_seed_links": 1,
        "chains_started": 1,
        "seeds": waves[0],
        "deepest_wave": max(waves),
        "recruiters": len(recruiters),
        "flagged": 0,
    }
    page = reply.content.decode()
    for name, value in expected.items():
        assert _total(page, name) == str(value), name
    assert reply.context["m"].waves == sorted(waves.items())
    for wave, count in waves.items():
        assert re.search(rf'data-wave="{wave}"><td>{wave}</td><td class="text-end">{count}<', page)


def test_the_monitor_shows_the_chain_countries_and_funnels(
    http_tree: HttpTree, organizer: User
) -> None:
    reply = logged_in(organizer).get("/en/organize/")
    figures = reply.context["m"]
    members = list(http_tree.members.values())
    (chain,) = figures.chains
    seed = http_tree.seeds["students"]
    assert chain.seed == seed
    assert chain.size == len(members)
    assert chain.deepest_wave == max(m.wave for m in members)
    assert chain.used == sum(1 for m in members if m.wave == 0)
    countries = Counter(m.country for m in members)
    assert {c.code: c.count for c in chain.countries} == dict(countries)
    assert {c.code: c.count for c in figures.countries} == dict(countries)
    labels = {c.code: c.label for c in figures.countries}
    assert labels["kz"] == "Kazakhstan" and labels["kg"] == "Kyrgyzstan"
    assert chain.last_activity == max(m.response.submitted_at for m in members)
    assert not chain.dormant
    assert (chain.funnel.opened, chain.funnel.consented, chain.funnel.completed) == (
        http_tree.opened[seed.code],
        http_tree.consented[seed.code],
        http_tree.completed[seed.code],
    )
    personal = http_tree.personal_codes()
    funnel = figures.personal_funnel
    assert (funnel.opened, funnel.consented, funnel.completed) == tuple(
        sum(book.get(code, 0) for code in personal)
        for book in (http_tree.opened, http_tree.consented, http_tree.completed)
    )
    assert funnel.opened == funnel.completed + 1  # the visitor refused at alma's used-up link
    page = reply.content.decode()
    row = page[page.index(f'id="seed-{seed.pk}"') :]
    row = row[: row.index("</tr>")]
    assert f'value="http://testserver/r/{seed.code}/"' in row
    assert f'<span data-step="opened">{chain.funnel.opened}</span>' in row


def test_top_recruiters_are_shown_by_shortened_code_only(
    http_tree: HttpTree, organizer: User
) -> None:
    reply = logged_in(organizer).get("/en/organize/")
    recruits = Counter(m.via for m in http_tree.members.values() if m.via in http_tree.members)
    top = reply.context["m"].top_recruiters
    assert [r.recruits for r in top] == sorted(recruits.values(), reverse=True)
    alma_code = http_tree.members["alma"].response.referral_code
    assert top[0].short_code == alma_code[:6] + "…" and top[0].recruits == 3
    page = reply.content.decode()
    table = page[page.index('id="top-recruiters"') :]
    table = table[: table.index("</table>")]
    assert alma_code[:6] in table and alma_code not in table
    assert "Signal" not in page  # an "other" text, i.e. an answer, never appears


def test_a_quiet_chain_is_highlighted_after_the_chosen_number_of_days(
    http_tree: HttpTree, organizer: User
) -> None:
    Response.objects.update(submitted_at=timezone.now() - timedelta(days=3))
    client = logged_in(organizer)
    assert not client.get("/en/organize/").context["m"].chains[0].dormant
    quiet = client.get("/en/organize/?dormant_days=2")
    assert quiet.context["m"].chains[0].dormant
    seed = http_tree.seeds["students"]
    assert re.search(
        rf'id="seed-{seed.pk}" data-seed="{seed.pk}" class="table-warning"', quiet.content.decode()
    )


def test_the_daily_chart_gets_its_data_without_inline_script(
    http_tree: HttpTree, organizer: User
) -> None:
    alma = http_tree.members["alma"].response
    Response.objects.filter(pk=alma.pk).update(submitted_at=timezone.now() - timedelta(days=2))
    reply = logged_in(organizer).get("/en/organize/")
    page = reply.content.decode()
    assert '<script id="daily-data" type="application/json">' in page
    assert "js/monitor.js" in page and "vendor/chartjs/chart.umd.min.js" in page
    today = timezone.localdate()
    daily = dict(reply.context["m"].daily)
    assert daily == {
        today - timedelta(days=2): 1,
        today - timedelta(days=1): 0,
        today: len(http_tree.members) - 1,
    }


def test_the_tree_page_draws_every_respondent_of_the_chain(
    http_tree: HttpTree, organizer: User
) -> None:
    seed = http_tree.seeds["students"]
    client = logged_in(organizer)
    page = client.get(f"/en/organize/sco-2025/tree/{seed.pk}/").content.decode()
    assert page.count('class="tree-node"') == len(http_tree.members)
    assert f'data-node-count="{len(http_tree.members)}"' in page
    assert "vendor/d3/d3-zoom.min.js" in page and "js/tree.js" in page
    alma = http_tree.members["alma"].response.referral_code
    assert f"<title>{alma[:6]}… · wave 0 · Kazakhstan</title>" in page
    assert alma not in page
    data = client.get(f"/en/organize/sco-2025/tree/{seed.pk}.json").json()
    by_id = {node["id"]: node for node in data["nodes"]}
    for member in http_tree.members.values():
        node = by_id[member.response.pk]
        assert node["wave"] == member.wave and node["country"] == member.country
        parent = http_tree.members.get(member.via)
        assert node["parent"] == (parent.response.pk if parent else None)
        if parent:
            assert node["y"] > by_id[parent.response.pk]["y"]
    by_country = client.get(f"/en/organize/sco-2025/tree/{seed.pk}/?color=country")
    legend = by_country.content.decode()
    assert "Kazakhstan" in legend[legend.index('id="tree-legend"') :]


def test_the_rds_csv_matches_the_tree(http_tree: HttpTree, organizer: User) -> None:
    reply = logged_in(organizer).get("/en/organize/sco-2025/recruitment.csv")
    assert reply.status_code == 200
    assert reply["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(reply.streaming_content)
    assert content.startswith("\ufeff".encode())
    frame = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig")
    assert list(frame.columns[:5]) == ["id", "recruiter.id", "network.size", "wave", "seed"]
    assert len(frame) == len(http_tree.members)
    rows = frame.set_index("id")
    for member in http_tree.members.values():
        row = rows.loc[member.response.pk]
        recruiter = http_tree.members.get(member.via)
        expected_recruiter = str(recruiter.response.pk) if recruiter else "seed"
        assert str(row["recruiter.id"]) == expected_recruiter, member.name
        assert row["wave"] == member.wave
        assert row["seed"] == http_tree.members[member.root].response.pk
        assert row["network.size"] == member.network_size
        assert row["country"] == member.country
        assert row["platforms__telegram"] == 1 and row["platforms__vk"] == 0
        assert row["trust"] == SCO_ANSWERS["trust"]
    assert "network_size" not in frame.columns  # it is network.size already
    assert not any(column.endswith("__other_text") for column in frame.columns)


def test_the_rds_csv_keeps_withdrawn_responses_as_tombstones_and_the_chains_valid(
    http_tree: HttpTree, organizer: User
) -> None:
    withdrawn = http_tree.members["alma-1"].response
    Response.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())
    reply = logged_in(organizer).get("/en/organize/sco-2025/recruitment.csv?delimiter=;&bom=0")
    content = b"".join(reply.streaming_content)
    assert not content.startswith("\ufeff".encode())
    frame = pd.read_csv(io.BytesIO(content), sep=";", dtype={"recruiter.id": str})
    assert withdrawn.pk in set(frame["id"])
    ids = set(frame["id"])
    # R's RDS needs every recruiter in the data: the withdrawn recruiter stays as a tombstone.
    assert all(r == "seed" or int(r) in ids for r in frame["recruiter.id"])
    recruit = frame.set_index("id").loc[http_tree.members["alma-1-a"].response.pk]
    assert recruit["recruiter.id"] == str(withdrawn.pk) and recruit["wave"] == 2
    assert recruit["seed"] == http_tree.members["alma"].response.pk
    grandchild = frame.set_index("id").loc[http_tree.members["alma-1-a-x"].response.pk]
    assert grandchild["wave"] == 3 and grandchild["seed"] == recruit["seed"]


def test_an_unattributed_respondent_is_a_seed_in_the_csv(
    sco_survey: Survey, organizer: User
) -> None:
    loner = complete_survey(respondent_client("no-link"), sco_survey)
    recruit = complete_survey(
        respondent_client("friend-of-loner"), sco_survey, start_path=f"/en/r/{loner.referral_code}/"
    )
    reply = logged_in(organizer).get("/en/organize/sco-2025/recruitment.csv")
    frame = pd.read_csv(io.BytesIO(b"".join(reply.streaming_content)), encoding="utf-8-sig")
    rows = frame.set_index("id")
    assert rows.loc[loner.pk, "recruiter.id"] == "seed" and rows.loc[loner.pk, "wave"] == 0
    assert int(rows.loc[recruit.pk, "recruiter.id"]) == loner.pk
    assert rows.loc[recruit.pk, "seed"] == loner.pk and rows.loc[recruit.pk, "wave"] == 1
    figures = logged_in(organizer).get("/en/organize/").context["m"]
    assert figures.totals.unattributed == 1 and figures.totals.attributed == 1


def test_an_organizer_creates_a_seed_link_that_works(sco_survey: Survey, organizer: User) -> None:
    client = logged_in(organizer)
    form = client.get("/en/organize/sco-2025/seeds/new/")
    assert form.status_code == 200 and 'name="valid_through"' in form.content.decode()
    last_day = timezone.localdate() + timedelta(days=10)
    reply = client.post(
        "/en/organize/sco-2025/seeds/new/",
        {
            "label": "Tashkent, WhatsApp",
            "note": "Uzbekistan",
            "coupon_limit": "5",
            "valid_through": last_day.isoformat(),
        },
    )
    seed = SeedLink.objects.get()
    assert reply.status_code == 302
    assert reply.headers["Location"] == f"/en/organize/sco-2025/#seed-{seed.pk}"
    assert (seed.label, seed.note, seed.coupon_limit, seed.created_by) == (
        "Tashkent, WhatsApp",
        "Uzbekistan",
        5,
        organizer,
    )
    assert timezone.localtime(seed.expires_at).date() == last_day + timedelta(days=1)
    assert seed.is_active and not seed.is_expired()
    monitor = client.get(reply.headers["Location"]).content.decode()
    assert f'value="http://testserver/r/{seed.code}/"' in monitor
    assert "Seed link “Tashkent, WhatsApp” created." in monitor
    response = complete_survey(
        respondent_client("uz"), sco_survey, language="ru", start_path=f"/ru/r/{seed.code}/"
    )
    assert response.seed_link == seed and response.wave == 0
    qr = client.get(f"/en/organize/sco-2025/seeds/{seed.pk}/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"label": "  "}, "label"),
        ({"label": "Old", "valid_through": "2001-01-01"}, "valid_through"),
        ({"label": "None", "coupon_limit": "0"}, "coupon_limit"),
    ],
)
def test_an_invalid_seed_link_is_refused_with_the_reason(
    sco_survey: Survey, organizer: User, data: dict, field: str
) -> None:
    reply = logged_in(organizer).post("/en/organize/sco-2025/seeds/new/", data)
    assert reply.status_code == 400
    assert field in reply.context["form"].errors
    assert 'class="invalid-feedback' in reply.content.decode()
    assert not SeedLink.objects.exists()


def test_closing_a_seed_link_stops_new_people_but_not_its_chain(
    http_tree: HttpTree, organizer: User
) -> None:
    seed = http_tree.seeds["students"]
    client = logged_in(organizer)
    reply = client.post(f"/en/organize/sco-2025/seeds/{seed.pk}/deactivate/")
    assert reply.status_code == 302
    seed.refresh_from_db()
    assert not seed.is_active
    assert respondent_client("newcomer").get(f"/en/r/{seed.code}/").status_code == 410
    chain_link = http_tree.members["boris"].response.referral_code
    recruit = complete_survey(
        respondent_client("boris-2"), http_tree.survey, start_path=f"/en/r/{chain_link}/"
    )
    assert recruit.seed_link == seed and recruit.wave == 1
    figures = client.get("/en/organize/").context["m"]
    assert figures.chains[0].state == "expired" and figures.totals.active_seed_links == 0


COUNTRIES = ["kz", "ru", "by", "uz"]


def _forest(survey: Survey, *, seeds: int, per_seed: int, waves: int, fanout: int) -> int:
    total = 0
    for index in range(seeds):
        seed = SeedLink.objects.create(survey=survey, label=f"Seed {index}")
        made = grow_chain(
            survey,
            seed,
            seeds=per_seed,
            waves=waves,
            fanout=fanout,
            country=lambda i: COUNTRIES[i % len(COUNTRIES)],
        )
        grow_funnel(survey, seed.code, opened=per_seed + 2, consented=per_seed, completed=per_seed)
        for response in made[:5]:
            grow_funnel(survey, response.referral_code, opened=3, consented=2, completed=1)
        total += len(made)
    return total


def test_the_monitor_query_count_does_not_grow_with_the_data(
    sco_survey: Survey, organizer: User, django_assert_max_num_queries
) -> None:
    client = logged_in(organizer)
    client.get("/en/organize/")  # the session and permission caches warm up
    small = _forest(sco_survey, seeds=3, per_seed=1, waves=3, fanout=2)
    with CaptureQueriesContext(connection) as few:
        reply = client.get("/en/organize/")
    assert reply.context["m"].totals.responses == small
    _forest(sco_survey, seeds=27, per_seed=2, waves=3, fanout=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        reply = client.get("/en/organize/")
    assert reply.context["m"].totals.responses == small + 27 * 2 * (1 + 2 + 4 + 8)
    assert reply.context["m"].chains_page.paginator.count == 30
    assert len(reply.context["m"].chains) == 25
    # 16 for the login, the figures, the tally and the chains; the sample's health adds 8 at
    # most: its thresholds (recruitment's own settings row), design changes, seed links and
    # chain sizes, the latest completion (a stalled survey), the RDS convergence, and the
    # snoozes and the chains' countries when an alert fires.
    assert len(few.captured_queries) <= 24


def test_the_tree_of_a_5000_node_chain_is_drawn_whole(sco_survey: Survey, organizer: User) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Big")
    # 8 seeds with 3 recruits each, wave after wave, until there are 5,000 respondents.
    made = grow_chain(sco_survey, seed, seeds=8, waves=7, fanout=3, limit=5000)
    assert len(made) == 5000
    client = logged_in(organizer)
    page = client.get(f"/en/organize/sco-2025/tree/{seed.pk}/").content.decode()
    assert page.count('<circle class="tree-node"') == 5000
    assert 'data-node-count="5000"' in page
    assert len(client.get(f"/en/organize/sco-2025/tree/{seed.pk}.json").json()["nodes"]) == 5000


def _rows(page: str) -> list[int]:
    """Return the seed link ids of the chain table's rows, in order."""
    return [int(pk) for pk in re.findall(r'<tr id="seed-\d+" data-seed="(\d+)"', page)]


def _thirty_chains(survey: Survey) -> tuple[list[SeedLink], SeedLink]:
    """Make 30 seed links, quiet for 20 days but for one that has just recruited."""
    seeds = [SeedLink.objects.create(survey=survey, label=f"Seed {i}") for i in range(30)]
    SeedLink.objects.update(created_at=timezone.now() - timedelta(days=20))
    busy = seeds[3]
    grow_chain(survey, busy, seeds=1, waves=1, fanout=2)
    return seeds, busy


def _totals(page: str) -> dict[str, str]:
    names = ("seed_links", "active_seed_links", "chains_started", "responses")
    return {name: _total(page, name) for name in names}


def test_it_pages_the_chain_table_latest_activity_first_and_keeps_the_totals(
    sco_survey: Survey, organizer: User
) -> None:
    seeds, busy = _thirty_chains(sco_survey)
    client = logged_in(organizer)
    first = client.get("/en/organize/").content.decode()
    second = client.get("/en/organize/?chains_page=2").content.decode()
    assert len(_rows(first)) == 25 and len(_rows(second)) == 5
    assert _rows(first)[0] == busy.pk
    # The quiet chains follow newest first (same creation time: the latest link first).
    quiet = sorted((seed.pk for seed in seeds if seed != busy), reverse=True)
    assert _rows(first) + _rows(second) == [busy.pk, *quiet]
    expected = {"seed_links": "30", "active_seed_links": "30", "chains_started": "1"}
    for page in (first, second):
        assert _totals(page) == {**expected, "responses": "3"}
        assert "29 chains are dormant." in page
    assert "Chains 1\N{EN DASH}25 of 30" in first and "Chains 26\N{EN DASH}30 of 30" in second
    assert 'href="?chains_page=2#chains-title" rel="next"' in first and 'rel="prev"' not in first
    assert 'href="?chains_page=1#chains-title" rel="prev"' in second and 'rel="next"' not in second


def test_pagination_links_keep_the_filter_and_the_dormancy_threshold(
    sco_survey: Survey, organizer: User
) -> None:
    _thirty_chains(sco_survey)
    page = logged_in(organizer).get("/en/organize/?chains=dormant&dormant_days=10")
    html = page.content.decode()
    assert len(_rows(html)) == 25 and page.context["m"].chains_page.paginator.count == 29
    assert 'href="?chains=dormant&amp;dormant_days=10&amp;chains_page=2#chains-title"' in html
    # Applying another threshold keeps the filter and starts again at the first page.
    assert '<input type="hidden" name="chains" value="dormant">' in html
    # Switching the filter keeps the threshold and starts at the first page too.
    assert page.context["all_chains_url"] == "?dormant_days=10#chains-title"


def test_the_dormant_filter_lists_only_dormant_chains_and_keeps_the_totals(
    sco_survey: Survey, organizer: User
) -> None:
    seeds, busy = _thirty_chains(sco_survey)
    fresh = seeds[:2]
    SeedLink.objects.filter(pk__in=[seed.pk for seed in fresh]).update(created_at=timezone.now())
    client = logged_in(organizer)
    everything = client.get("/en/organize/").content.decode()
    first = client.get("/en/organize/?chains=dormant").content.decode()
    second = client.get("/en/organize/?chains=dormant&chains_page=2").content.decode()
    listed = _rows(first) + _rows(second)
    awake = {busy.pk, *(seed.pk for seed in fresh)}
    assert len(listed) == 27 and set(listed) == {seed.pk for seed in seeds} - awake
    assert _totals(first) == _totals(everything) and "27 chains are dormant." in first
    assert all(f'data-seed="{pk}" class="table-warning"' in first for pk in _rows(first))
    assert 'aria-current="page" data-filter="dormant"' in first
    SeedLink.objects.update(created_at=timezone.now())
    none = client.get("/en/organize/?chains=dormant").content.decode()
    assert _rows(none) == [] and "No chain is dormant." in none


def test_a_page_out_of_range_or_not_a_number_shows_a_real_page(
    sco_survey: Survey, organizer: User
) -> None:
    _thirty_chains(sco_survey)
    client = logged_in(organizer)
    assert client.get("/en/organize/?chains_page=99").context["m"].chains_page.number == 2
    assert client.get("/en/organize/?chains_page=x").context["m"].chains_page.number == 1
    unknown = client.get("/en/organize/?chains=everything")  # an unknown filter lists all
    assert unknown.context["m"].chains_page.paginator.count == 30


def test_monitor_figures_builds_only_the_chains_of_the_page_asked_for(
    sco_survey: Survey,
) -> None:
    _seeds, busy = _thirty_chains(sco_survey)
    whole = monitor_figures(survey=sco_survey, dormant_days=7)
    assert [chain.seed.pk for chain in whole.chains][:1] == [busy.pk]
    assert len(whole.chains) == 30 and whole.chains_page.paginator.num_pages == 1
    paged = monitor_figures(survey=sco_survey, dormant_days=7, chains_page=2, chains_per_page=25)
    assert [chain.seed.pk for chain in paged.chains] == [c.seed.pk for c in whole.chains[25:]]
    assert paged.totals == whole.totals
    (busy_chain,) = monitor_figures(survey=sco_survey, dormant_days=7, chains_per_page=1).chains
    assert (busy_chain.size, busy_chain.used, busy_chain.deepest_wave) == (3, 1, 1)
    assert busy_chain.waves == Counter({0: 1, 1: 2}) and busy_chain.countries[0].count == 3


def test_each_chain_row_links_to_its_own_tree_qr_code_and_close_form(
    http_tree: HttpTree, organizer: User
) -> None:
    seed = http_tree.seeds["students"]
    reply = logged_in(organizer).get("/en/organize/")
    page = reply.content.decode()
    row = page[page.index(f'id="seed-{seed.pk}"') :]
    row = row[: row.index("</tr>")]
    slug = http_tree.survey.slug
    assert f'href="{reverse("organize:tree", kwargs={"slug": slug, "seed_id": seed.pk})}"' in row
    qr = reverse("organize:seed_qr", kwargs={"slug": slug, "seed_id": seed.pk})
    assert f'href="{qr}"' in row and f'src="{qr}"' in row
    close = reverse("organize:seed_deactivate", kwargs={"slug": slug, "seed_id": seed.pk})
    assert f'action="{close}"' in row and 'name="csrfmiddlewaretoken"' in row
    (chain,) = reply.context["m"].chains
    countries = ", ".join(f"{c.label} {c.count}" for c in chain.countries)
    assert f'data-field="countries" data-label="Countries">{countries}</td>' in row
