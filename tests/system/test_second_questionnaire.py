"""A second study, loaded from its file, goes through the whole platform with no code change.

``campus-media-2026`` has its own codes, two languages (en, kk; ru falls back to English), its
own country-role question (``home_region``), an age-group role (``age_band``), a network-size
role (``contacts``), a multiple choice with "other", a free text and its own dashboard block.
Each test looks at what a respondent, an organizer or an analyst sees.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from estimates.models import RDSQuestion
from estimates.rds import refresh as rds
from surveys.models import Response, SeedLink, Survey
from tests.fixtures.recruitment import respondent_client
from tests.fixtures.staff import logged_in, staff_user
from tests.flow import complete_survey

PATH = Path(__file__).resolve().parents[1] / "data" / "questionnaires" / "campus-media-2026.json"
SLUG = "campus-media-2026"


def answers(
    *, region: str = "north", age: str = "young", news: str = "messenger", contacts: int = 20
) -> dict[str, Any]:
    """Return a full set of answers to the campus questionnaire."""
    return {
        "news_source": news,
        "apps_used": ["chat_a", "apps_other"],
        "apps_used__other": "Campus radio app",
        "home_region": region,
        "age_band": age,
        "contacts": contacts,
        "remarks": "Nothing more",
    }


@pytest.fixture
def campus(db: None) -> Survey:
    out = io.StringIO()
    call_command("load_questionnaire", str(PATH), stdout=out)
    assert f"Loaded {SLUG}: 6 questions" in out.getvalue()
    return Survey.objects.get(slug=SLUG)


@pytest.fixture
def organizer_client(db: None) -> Client:
    return logged_in(staff_user("nurlan-organizer", "Organizers", "Analysts"))


@dataclass
class Member:
    name: str
    wave: int
    region: str
    news: str
    age: str
    response: Response


@dataclass
class Forest:
    """A campus recruitment grown over HTTP; the test records who came through which link."""

    survey: Survey
    seeds: dict[str, SeedLink] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    refused: list[tuple[int, bool]] = field(default_factory=list)  # status, "used up" shown

    def join(
        self, name: str, via: str, *, region: str, news: str, age: str = "young", language="en"
    ) -> Member:
        if via in self.seeds:
            code, wave = self.seeds[via].code, 0
        else:
            code, wave = self.members[via].response.referral_code, self.members[via].wave + 1
        response = complete_survey(
            respondent_client(name),
            self.survey,
            language=language,
            answers=answers(region=region, age=age, news=news, contacts=10 + len(self.members)),
            start_path=f"/{language}/r/{code}/",
        )
        member = Member(name, wave, region, news, age, response)
        self.members[name] = member
        return member


def _seed_through_the_form(client: Client, label: str) -> SeedLink:
    reply = client.post(f"/en/organize/{SLUG}/seeds/new/", {"label": label, "note": "campus"})
    assert reply.status_code == 302, reply.content.decode()[:1000]
    seed = SeedLink.objects.get(survey__slug=SLUG, label=label)
    assert reply["Location"].endswith(f"#seed-{seed.pk}")
    return seed


@pytest.fixture
def forest(campus: Survey, organizer_client: Client) -> Forest:
    """Two seed links, two seeds each side, recruits down to wave 3; the third recruit refused."""
    grown = Forest(survey=campus)
    grown.seeds["library"] = _seed_through_the_form(organizer_client, "Library poster")
    grown.seeds["dorms"] = _seed_through_the_form(organizer_client, "Dormitory chat")
    grown.join("aigerim", "library", region="north", news="messenger")
    grown.join("bolat", "dorms", region="south", news="tv", age="older")
    grown.join("aigerim-1", "aigerim", region="north", news="friends")
    grown.join("aigerim-2", "aigerim", region="south", news="messenger", language="kk")
    grown.join("bolat-1", "bolat", region="south", news="tv")
    grown.join("aigerim-1-a", "aigerim-1", region="north", news="messenger")
    grown.join("aigerim-1-a-x", "aigerim-1-a", region="north", news="friends", age="older")
    # The coupon limit of the file is 2: aigerim's link has brought two people already.
    late = respondent_client("late-for-aigerim")
    refused = late.get(f"/en/r/{grown.members['aigerim'].response.referral_code}/")
    grown.refused.append((refused.status_code, "This link has been used up" in refused.text))
    return grown


# --- The respondent's way -----------------------------------------------------------------


def _page(client: Client, path: str) -> str:
    reply = client.get(path)
    assert reply.status_code == 200, (path, reply.status_code)
    return reply.content.decode()


def test_a_respondent_answers_in_kazakh_from_consent_to_a_personal_link(campus: Survey) -> None:
    client = respondent_client("kk-respondent")
    base = f"/kk/s/{SLUG}/"
    consent = _page(client, base)
    assert "Студенттер жаңалықты қайдан алады (2026)" in consent
    assert "Жауаптар жасырын." in consent and "Қатысуға келісемін" in consent
    assert client.post(base, {"consent": "on"}).status_code == 302
    first = _page(client, f"{base}p/1/")
    assert "Жаңалықты алдымен қайдан аласыз?" in first and "Мессенджер" in first
    assert "Басқа қолданба" in first
    given = answers(region="south")
    reply = client.post(
        f"{base}p/1/",
        {
            "action": "next",
            "news_source": given["news_source"],
            "apps_used": given["apps_used"],
            "apps_used__other": given["apps_used__other"],
        },
    )
    assert reply.status_code == 302
    second = _page(client, f"{base}p/2/")
    assert "Қай жерде тұрасыз?" in second and "Оңтүстік" in second
    reply = client.post(
        f"{base}p/2/",
        {"action": "submit", **{k: given[k] for k in ("home_region", "age_band", "contacts")}},
    )
    assert reply.status_code == 302
    thanks = client.get(f"{base}thanks/")
    response = thanks.context["response"]
    assert re.search(
        rf'id="referral-url"[^>]*>[^<]*/r/{response.referral_code}/</textarea>',
        (thanks.content.decode()),
    )
    assert response.language == "kk"
    assert response.answers["home_region"] == "south"
    assert response.answers["apps_used"] == ["chat_a", "apps_other"]
    assert response.other_texts == {"apps_used": "Campus radio app"}
    assert response.network_size == 20


def test_a_respondent_answers_in_english_and_russian_falls_back_to_english(
    campus: Survey,
) -> None:
    russian = respondent_client("ru-respondent")
    assert "Where students get their news (2026)" in _page(russian, f"/ru/s/{SLUG}/")
    assert russian.post(f"/ru/s/{SLUG}/", {"consent": "on"}).status_code == 302
    assert "Where do you get news first?" in _page(russian, f"/ru/s/{SLUG}/p/1/")
    client = respondent_client("en-respondent")
    assert "I agree to take part" in _page(client, f"/en/s/{SLUG}/")
    assert client.post(f"/en/s/{SLUG}/", {"consent": "on"}).status_code == 302
    first = _page(client, f"/en/s/{SLUG}/p/1/")
    assert "Where do you get news first?" in first and "Another app" in first
    response = complete_survey(client, campus, language="en", answers=answers())
    assert response.answers["remarks"] == "Nothing more"
    assert response.other_texts == {"apps_used": "Campus radio app"}
    thanks = _page(client, f"/en/s/{SLUG}/thanks/")
    assert "Your personal link" in thanks and f"/r/{response.referral_code}/" in thanks


# --- Recruitment, the monitor and the tree ---------------------------------------------------


def test_recruits_come_through_personal_links_over_three_waves_within_the_coupon_limit(
    forest: Forest,
) -> None:
    stored = {m.name: Response.objects.get(pk=m.response.pk) for m in forest.members.values()}
    assert {name: r.wave for name, r in stored.items()} == {
        name: m.wave for name, m in forest.members.items()
    }
    assert max(r.wave for r in stored.values()) == 3
    assert stored["aigerim-1"].recruiter_id == stored["aigerim"].pk
    assert forest.refused == [(410, True)]
    assert Response.objects.filter(recruiter=stored["aigerim"]).count() == 2


def _total(page: str, name: str) -> str:
    found = re.search(rf'data-total="{name}">([^<]*)<', page)
    assert found, name
    return found.group(1)


def test_the_monitor_counts_waves_and_home_regions(
    forest: Forest, organizer_client: Client
) -> None:
    page = _page(organizer_client, f"/en/organize/{SLUG}/")
    members = forest.members.values()
    waves = Counter(m.wave for m in members)
    assert _total(page, "responses") == str(len(members))
    assert _total(page, "seed_links") == "2"
    assert _total(page, "seeds") == str(waves[0])
    assert _total(page, "deepest_wave") == "3"
    for wave, count in waves.items():
        assert re.search(rf'data-wave="{wave}"><td>{wave}</td><td class="text-end">{count}<', page)
    regions = Counter(m.region for m in members)
    table = page[page.index('id="per-country"') :]
    for code, label in (("north", "North"), ("south", "South")):
        row = re.search(
            rf'data-country="{code}"><td>(?:<a [^>]*>)?([^<]*)(?:</a>)?</td>'
            rf'<td class="text-end">(\d+)<',
            table,
        )
        assert row and row.groups() == (label, str(regions[code])), code


def test_the_tree_colours_by_home_region(forest: Forest, organizer_client: Client) -> None:
    seed = forest.seeds["library"]
    page = _page(organizer_client, f"/en/organize/{SLUG}/tree/{seed.pk}/?color=country")
    assert "North" in page and "South" in page
    data = json.loads(_page(organizer_client, f"/en/organize/{SLUG}/tree/{seed.pk}.json"))
    nodes = [node for node in data["nodes"] if node.get("country")]
    in_chain = [m for m in forest.members.values() if m.response.seed_link_id == seed.pk]
    assert Counter(node["country"] for node in nodes) == Counter(m.region for m in in_chain)


# --- The dashboard, the exports and the RDS estimates ---------------------------------------


@pytest.fixture
def rebuilt(forest: Forest, organizer_client: Client) -> Forest:
    """The forest with its aggregates and RDS estimates rebuilt by the dashboard's button."""
    reply = organizer_client.post("/en/analytics/rebuild/", {"survey": SLUG})
    assert reply.status_code == 302
    return forest


def _section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start : page.index("</section>", start)]


def test_the_dashboard_shows_every_question_with_the_files_figure_numbers(
    rebuilt: Forest, organizer_client: Client
) -> None:
    reply = organizer_client.get("/en/analytics/", {"survey": SLUG})
    page = reply.content.decode()
    for code in ("news_source", "apps_used", "home_region", "age_band", "contacts", "remarks"):
        assert f'id="q-{code}"' in page, code
    for code in ("news_source", "apps_used", "home_region", "age_band", "contacts"):
        assert f'<canvas id="chart-{code}"' in _section(page, f"q-{code}"), code
    assert "Figure 1. Where do you get news first?" in _section(page, "q-news_source")
    assert "Figure 2. Which apps do you use daily?" in _section(page, "q-apps_used")
    assert "Figure" not in _section(page, "q-home_region")
    featured = _section(page, "crosstab")
    assert "Figure 3. Where do you get news first? — by Where do you live?" in featured
    table = reply.context["crosstab"]
    assert (table.question.code, table.dimension) == ("news_source", "home_region")
    members = rebuilt.members.values()
    north = [m for m in members if m.region == "north"]
    shares = _section(page, "q-home_region")
    assert re.search(rf"<td>North</td><td class=\"text-end\">{len(north)}</td>", shares)
    assert reply.context["results"].respondents == len(members)


@pytest.mark.parametrize(
    ("query", "chosen"),
    [
        ({"country": "north"}, lambda m: m.region == "north"),
        ({"country": "south"}, lambda m: m.region == "south"),
        ({"age_group": "older"}, lambda m: m.age == "older"),
    ],
)
def test_the_dashboard_filters_by_the_country_and_age_group_roles(
    rebuilt: Forest, organizer_client: Client, query: dict[str, str], chosen: Any
) -> None:
    reply = organizer_client.get("/en/analytics/", {"survey": SLUG, **query})
    assert not reply.context["form"].errors
    expected = [m for m in rebuilt.members.values() if chosen(m)]
    assert 0 < len(expected) < len(rebuilt.members)
    assert reply.context["results"].respondents == len(expected)
    news = Counter(m.news for m in expected)
    shares = _section(reply.content.decode(), "q-news_source")
    for label, code in (("A messenger", "messenger"), ("Television", "tv"), ("Friends", "friends")):
        assert re.search(rf"<td>{label}</td><td class=\"text-end\">{news[code]}</td>", shares)


def _export(client: Client, kind: str, **fields: str) -> list[dict[str, str]]:
    reply = client.post(
        "/en/analytics/exports/",
        {"survey": SLUG, "kind": kind, "labels": "codes", "delimiter": ",", **fields},
    )
    assert reply.status_code == 200, reply.content.decode()[:1000]
    text = b"".join(reply.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_every_export_carries_the_second_questionnaires_codes(
    rebuilt: Forest, organizer_client: Client
) -> None:
    members = {m.response.pk: m for m in rebuilt.members.values()}
    wide = _export(organizer_client, "responses")
    assert len(wide) == len(members)
    for row in wide:
        member = members[int(row["response_id"])]
        assert row["news_source"] == member.news and row["home_region"] == member.region
        assert (row["apps_used__chat_a"], row["apps_used__video_b"]) == ("1", "0")
        assert row["apps_used__other_text"] == "Campus radio app"
        assert row["network_size"] == str(member.response.network_size)
        assert row["wave"] == str(member.wave)
    long = _export(organizer_client, "long")
    contacts = {r["response_id"]: r["value"] for r in long if r["question"] == "contacts"}
    assert contacts == {str(pk): str(m.response.network_size) for pk, m in members.items()}
    assert {"messenger", "tv", "friends"} <= {
        r["option"] for r in long if r["question"] == "news_source"
    }
    aggregates = {(r["question"], r["option"]): r for r in _export(organizer_client, "aggregates")}
    north = aggregates[("home_region", "north")]
    assert north["count"] == str(sum(m.region == "north" for m in members.values()))
    assert {"rds2_share", "rds2_ci_low", "rds2_ci_high", "rds1_share"} <= set(north)
    assert float(aggregates[("news_source", "messenger")]["rds2_share"]) > 0
    crosstabs = _export(organizer_client, "crosstabs")
    by_region = [r for r in crosstabs if r["dimension"] == "home_region"]
    assert {(r["group"], r["question"]) for r in by_region} >= {
        ("north", "news_source"),
        ("south", "apps_used"),
    }
    codebook = {(r["column"], r["option"]): r for r in _export(organizer_client, "codebook")}
    question = codebook[("news_source", "")]
    assert question["wording_en"] == "Where do you get news first?"
    assert question["wording_kk"] == "Жаңалықты алдымен қайдан аласыз?"
    assert codebook[("home_region", "south")]["wording_kk"] == "Оңтүстік"


def test_the_wide_export_speaks_kazakh_labels_and_filters_by_region(
    rebuilt: Forest, organizer_client: Client
) -> None:
    rows = _export(organizer_client, "responses", labels="kk", country="south")
    south = [m for m in rebuilt.members.values() if m.region == "south"]
    assert len(rows) == len(south)
    assert {row["home_region"] for row in rows} == {"Оңтүстік"}


def test_recruitment_csv_takes_the_network_size_from_the_contacts_question(
    rebuilt: Forest, organizer_client: Client
) -> None:
    reply = organizer_client.get(f"/en/organize/{SLUG}/recruitment.csv")
    text = b"".join(reply.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    members = {m.response.pk: m for m in rebuilt.members.values()}
    assert len(rows) == len(members)
    for row in rows:
        member = members[int(row["id"])]
        assert row["network.size"] == str(member.response.network_size)
        assert row["wave"] == str(member.wave)
        expected = "seed" if member.wave == 0 else str(member.response.recruiter_id)
        assert row["recruiter.id"] == expected
        assert row["home_region"] == member.region


def test_rds_ii_shares_of_news_source_with_two_seeds_and_several_waves(
    rebuilt: Forest, organizer_client: Client
) -> None:
    reply = organizer_client.get("/en/analytics/", {"survey": SLUG})
    estimates = reply.context["estimates"]
    assert (estimates.seeds, estimates.waves) == (2, 4)
    news = {option.code: option for option in estimates.questions["news_source"].options}
    assert set(news) == {"messenger", "tv", "friends"}
    assert all(option.rds2 is not None for option in news.values())
    assert sum(option.rds2 for option in news.values()) == pytest.approx(100, abs=0.2)
    assert "interval" not in estimates.questions["news_source"].unavailable
    assert "rds-unavailable" not in _section(reply.content.decode(), "q-home_region")


def test_rds_estimates_say_why_with_seeds_only(campus: Survey, organizer_client: Client) -> None:
    seed = _seed_through_the_form(organizer_client, "Only one poster")
    for index, region in enumerate(("north", "south")):
        complete_survey(
            respondent_client(f"seed-{index}"),
            campus,
            answers=answers(region=region),
            start_path=f"/en/r/{seed.code}/",
        )
    assert organizer_client.post("/en/analytics/rebuild/", {"survey": SLUG}).status_code == 302
    stored = RDSQuestion.objects.get(estimate_set__survey=campus, question="news_source")
    assert stored.unavailable["rds1"] == rds.ONE_WAVE
    page = _page(organizer_client, f"/en/analytics/?survey={SLUG}")
    assert "There are fewer than two waves of recruitment" in _section(page, "q-news_source")
