"""The organizers' monitor as a person uses it: closing and reopening seed links, the new-link
form, the wording of totals and states, the chart's window."""

from __future__ import annotations

import re
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from recruitment.monitor.figures import monitor_figures
from surveys.models import Response, SeedLink, Survey
from tests.fixtures.recruitment import chain_store, grow_chain
from tests.fixtures.staff import logged_in


def _monitor(client: Client, survey: Survey, query: str = "") -> str:
    reply = client.get(f"/en/organize/{survey.slug}/{query}")
    assert reply.status_code == 200
    return reply.content.decode()


def _row(page: str, seed: SeedLink) -> str:
    match = re.search(rf'<tr id="seed-{seed.pk}".*?</tr>', page, re.S)
    assert match, seed
    return match.group(0)


def test_the_close_button_only_opens_a_confirmation_holding_the_real_button(
    sco_survey: Survey, organizer: User
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Almaty")
    row = _row(_monitor(logged_in(organizer), sco_survey), seed)
    close_url = f"/en/organize/{sco_survey.slug}/seeds/{seed.pk}/deactivate/"
    fold = re.search(r'<details class="mt-1 close-confirm">(.*?)</details>', row, re.S)
    assert fold, "the close form is not inside a confirmation fold"
    assert "<summary" in fold.group(1) and close_url in fold.group(1)
    # The only form posting to the close address is the one inside the fold.
    assert row.count(close_url) == 1


def test_a_closed_seed_link_is_reopened_from_the_monitor(
    sco_survey: Survey, organizer: User
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Astana", is_active=False)
    client = logged_in(organizer)
    reopen_url = f"/en/organize/{sco_survey.slug}/seeds/{seed.pk}/reopen/"
    row = _row(_monitor(client, sco_survey), seed)
    assert reopen_url in row and "close-confirm" not in row
    assert client.get(reopen_url).status_code == 405  # GET changes nothing
    reply = client.post(reopen_url)
    assert reply.status_code == 302 and reply.headers["Location"].endswith(f"#seed-{seed.pk}")
    seed.refresh_from_db()
    assert seed.is_active
    assert "close-confirm" in _row(_monitor(client, sco_survey), seed)


def test_reopening_needs_the_csrf_token(sco_survey: Survey, organizer: User) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Bishkek", is_active=False)
    client = Client(enforce_csrf_checks=True)
    client.force_login(organizer)
    reply = client.post(f"/en/organize/{sco_survey.slug}/seeds/{seed.pk}/reopen/")
    assert reply.status_code == 403
    seed.refresh_from_db()
    assert not seed.is_active


def test_a_new_seed_link_starts_at_the_surveys_coupon_limit(
    sco_survey: Survey, organizer: User
) -> None:
    sco_survey.coupon_limit = 4
    sco_survey.save(update_fields=["coupon_limit"])
    client = logged_in(organizer)
    for url in (f"/en/organize/{sco_survey.slug}/", f"/en/organize/{sco_survey.slug}/seeds/new/"):
        page = client.get(url).content.decode()
        field = re.search(r'<input[^>]*name="coupon_limit"[^>]*>', page)
        assert field and 'value="4"' in field.group(0), url


def test_a_duplicate_label_is_refused_in_the_pages_language(
    sco_survey: Survey, organizer: User
) -> None:
    SeedLink.objects.create(survey=sco_survey, label="Almaty students")
    client = logged_in(organizer)
    url = f"/en/organize/{sco_survey.slug}/seeds/new/"
    reply = client.post(url, {"label": " almaty STUDENTS "})
    assert reply.status_code == 400
    assert reply.context["form"].has_error("label", code="duplicate_label")
    assert "already has this label" in reply.content.decode()
    assert SeedLink.objects.filter(survey=sco_survey).count() == 1
    # The same label in another language's page is refused in that language's wording.
    reply = client.post(url.replace("/en/", "/ru/"), {"label": "Almaty students"})
    assert reply.status_code == 400
    assert reply.context["form"].has_error("label", code="duplicate_label")


def test_the_new_seed_form_comes_before_the_totals_and_the_chains(
    sco_survey: Survey, organizer: User
) -> None:
    page = _monitor(logged_in(organizer), sco_survey)
    form = page.index('id="seed-form"')
    assert form < page.index('id="totals"') < page.index('id="chains"')


def test_the_usable_seed_links_are_named_not_bracketed(sco_survey: Survey, organizer: User) -> None:
    SeedLink.objects.create(survey=sco_survey, label="open one")
    SeedLink.objects.create(survey=sco_survey, label="closed one", is_active=False)
    page = _monitor(logged_in(organizer), sco_survey)
    usable = re.search(r'id="usable-seed-links">(.*?)</small>', page, re.S)
    assert usable and "of them open" in usable.group(1)
    assert re.search(r'data-total="active_seed_links">1<', usable.group(1))
    assert "(usable)" not in page


def test_a_dormant_chain_with_an_open_link_reads_dormant_and_open_with_a_next_step(
    sco_survey: Survey, organizer: User
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="quiet")
    grow_chain(sco_survey, seed, seeds=2, waves=1, fanout=1)
    long_ago = timezone.now() - timedelta(days=60)
    Response.objects.filter(seed_link=seed).update(submitted_at=long_ago)
    row = _row(_monitor(logged_in(organizer), sco_survey), seed)
    assert ">dormant<" in row
    # "active" beside "dormant" read as a contradiction: the link's state is "open".
    assert ">active<" not in row and ">open<" in row
    assert "contact the seed again" in row and "same country" in row


def test_a_chain_with_recent_responses_suggests_nothing(
    sco_survey: Survey, organizer: User
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="busy")
    grow_chain(sco_survey, seed, seeds=1, waves=1, fanout=1)
    row = _row(_monitor(logged_in(organizer), sco_survey), seed)
    assert ">dormant<" not in row and "next-step" not in row
    assert monitor_figures(survey=sco_survey, dormant_days=14).chains[0].dormant is False


def test_every_demo_funnel_reads_opened_then_consented_then_completed(
    sco_survey: Survey,
) -> None:
    call_command("seed_demo", "--if-empty")
    figures = monitor_figures(survey=sco_survey, dormant_days=14)
    funnels = [chain.funnel for chain in figures.chains] + [figures.personal_funnel]
    for funnel in funnels:
        assert funnel.opened >= funnel.consented >= funnel.completed > 0, funnel
    # Some visitors open a link and leave: the first step is not a copy of the second.
    assert sum(f.opened for f in funnels) > sum(f.consented for f in funnels)


def _spread(survey: Survey, seed: SeedLink, ages: list[int]) -> None:
    """Give the chain's responses these ages in days, the rest today."""
    responses = list(Response.objects.filter(seed_link=seed).order_by("pk"))
    for response, age in zip(responses, ages, strict=False):
        response.submitted_at = timezone.now() - timedelta(days=age)
    Response.objects.bulk_update(responses, ["submitted_at"])


def test_the_chart_covers_the_whole_period_by_default_and_a_window_on_request(
    sco_survey: Survey, organizer: User
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="long study")
    grow_chain(sco_survey, seed, seeds=4, waves=1, fanout=1)  # 8 responses
    _spread(sco_survey, seed, [600, 599, 598, 400, 30])
    client = logged_in(organizer)
    reply = client.get(f"/en/organize/{sco_survey.slug}/")
    daily = reply.context["m"].daily
    today = timezone.localdate()
    assert daily[0][0] == today - timedelta(days=600) and daily[-1][0] == today
    assert sum(count for _day, count in daily) == 8
    assert reply.context["daily_chart"]["before"] == 0
    assert re.search(
        r'active" href="[^"]*chart=all[^"]*" aria-current="page"', reply.content.decode()
    )
    before = Response.objects.count()
    reply = client.get(f"/en/organize/{sco_survey.slug}/?chart=90")
    daily = reply.context["m"].daily
    assert daily[0][0] == today - timedelta(days=89) and len(daily) == 90
    assert sum(count for _day, count in daily) == 4
    # The running total starts from the four responses before the window.
    assert reply.context["daily_chart"]["before"] == 4
    assert Response.objects.count() == before  # a GET changes nothing
    # An unknown window falls back to the whole period.
    reply = client.get(f"/en/organize/{sco_survey.slug}/?chart=7x")
    assert reply.context["chart_window"] == "all" and len(reply.context["m"].daily) == 601


def test_the_chains_table_filters_by_country_and_each_country_says_when_it_last_completed(
    sco_survey: Survey, organizer: User
) -> None:

    chain_store(sco_survey, "Almaty", 3, answers={"country": "kz"})
    chain_store(sco_survey, "Bishkek", 3, days_ago=9, answers={"country": "kg"})
    client = logged_in(organizer)
    page = client.get(f"/en/organize/{sco_survey.slug}/").content.decode()
    countries = page[
        page.index('id="per-country"') : page.index("</table>", page.index('id="per-country"'))
    ]
    nine_days_ago = (timezone.now() - timedelta(days=9)).date().isoformat()
    row = countries[countries.index('data-country="kg"') :]
    assert f">{nine_days_ago}" in row[: row.index("</tr>")]
    only = client.get(f"/en/organize/{sco_survey.slug}/", {"country": "kg"}).content.decode()
    chains = only[only.index('id="chains"') : only.index("</table>", only.index('id="chains"'))]
    assert "Bishkek" in chains and "Almaty" not in chains


def _chain_labels(page: str) -> list[str]:
    chains = page[page.index('id="chains"') : page.index("</table>", page.index('id="chains"'))]
    return re.findall(r'<div class="fw-semibold">([^<]*)</div>', chains)


def test_the_chains_table_sorts_by_country_and_keeps_the_country_and_dormant_filters(
    sco_survey: Survey, organizer: User
) -> None:

    # Most of each chain answers its country; the newest chains come first by default.
    chain_store(sco_survey, "Tashkent", 4, days_ago=1, answers={"country": "uz"})
    chain_store(sco_survey, "Bishkek", 4, days_ago=20, answers={"country": "kg"})
    chain_store(sco_survey, "Almaty", 4, days_ago=10, answers={"country": "kz"})
    chain_store(sco_survey, "Astana", 4, days_ago=30, answers={"country": "kz"})
    SeedLink.objects.create(survey=sco_survey, label="Not started")
    client = logged_in(organizer)
    page = _monitor(client, sco_survey)
    assert _chain_labels(page) == ["Not started", "Tashkent", "Almaty", "Bishkek", "Astana"]
    assert 'aria-sort="descending" data-order="activity"' in page
    link = re.search(r'data-order="country"><a href="([^"]*)"', page)
    assert link, "the Countries header is no sort link"
    by_country = _monitor(client, sco_survey, link.group(1).replace("&amp;", "&"))
    # Kazakhstan, Kyrgyzstan, Uzbekistan; latest first within one; no country last.
    assert _chain_labels(by_country) == ["Almaty", "Astana", "Bishkek", "Tashkent", "Not started"]
    assert 'aria-sort="ascending" data-order="country"' in by_country
    # The country filter and the dormant filter keep the order.
    assert 'name="order" value="country"' in by_country
    kg = _monitor(client, sco_survey, "?order=country&country=kg&dormant_days=15")
    assert _chain_labels(kg) == ["Bishkek"]
    dormant = re.search(r'href="([^"]*)" data-filter="dormant"', by_country)
    assert dormant and "order=country" in dormant.group(1)
    quiet = _monitor(client, sco_survey, "?order=country&chains=dormant&dormant_days=15")
    assert _chain_labels(quiet) == ["Astana", "Bishkek"]
