"""The monitor lists only the most urgent alerts and flagged chains, and links to all of them."""

from __future__ import annotations

import re

from django.contrib.auth.models import User

from recruitment.health.store import health_panel
from recruitment.views import MONITOR_MOST_URGENT
from surveys.models import Survey
from tests.fixtures.recruitment import chain_store
from tests.fixtures.staff import logged_in


def _dying(survey: Survey, count: int) -> None:
    """Store one growing chain and ``count`` chains quiet for 10 to 10 + count days."""
    chain_store(survey, "Growing", 12)
    for n in range(count):
        chain_store(survey, f"Quiet {n:02}", 2, days_ago=10 + n)


def _flagged(survey: Survey, count: int) -> None:
    """Store ``count`` chains with 1 to ``count`` flagged responses awaiting review."""
    for n in range(count):
        chain_store(survey, f"Doubtful {n + 1:02}", n + 2, quality_flags=["too_fast"])


def _page(user: User, url: str) -> str:
    reply = logged_in(user).get(url)
    assert reply.status_code == 200
    return reply.content.decode()


def _section(page: str, id_: str) -> str:
    return page[page.index(f'id="{id_}"') :].split("</section>")[0]


def _more_link(page: str, id_: str) -> tuple[str, str]:
    """Return the "and N more" line's link and text."""
    found = re.search(rf'<p class="[^"]*" id="{id_}"><a href="([^"]+)">([^<]+)</a></p>', page)
    assert found, f"no {id_} line"
    return found[1].replace("&amp;", "&"), found[2]


def test_the_monitor_shows_the_most_urgent_alerts_and_links_to_the_digest_for_the_others(
    sco_survey: Survey, organizer: User
) -> None:
    _dying(sco_survey, MONITOR_MOST_URGENT + 5)
    alerts = health_panel(survey=sco_survey).alerts
    dying = [alert for alert in alerts if alert.kind == "dying_chain"]
    assert len(dying) == len(alerts) == MONITOR_MOST_URGENT + 5
    more = len(alerts) - MONITOR_MOST_URGENT
    page = _page(organizer, f"/en/organize/{sco_survey.slug}/")
    health = _section(page, "health")
    assert health.count('class="health-alert') == MONITOR_MOST_URGENT
    # The longest quiet first; the quietest of all shown, the least quiet not.
    assert f"“Quiet {MONITOR_MOST_URGENT + 4:02}”" in health and "“Quiet 00”" not in health
    # The group still counts every alert of its kind.
    assert f"{len(dying)} alerts of this kind, most urgent first" in health
    url, text = _more_link(health, "more-alerts")
    assert more == 5 and text == "and 5 more alerts"
    digest = _page(organizer, url)
    assert url.startswith(f"/en/organize/{sco_survey.slug}/digest/")
    for alert in alerts:
        assert f'data-alert="{alert.kind}" data-key="{alert.key}"' in digest
    assert "“Quiet 00”" in digest
    russian = _section(_page(organizer, f"/ru/organize/{sco_survey.slug}/"), "health")
    assert russian.count('class="health-alert') == MONITOR_MOST_URGENT
    assert _more_link(russian, "more-alerts")[1] == "и ещё 5 предупреждений"


def test_the_monitor_shows_the_chains_with_most_flagged_awaiting_review_and_links_to_the_rest(
    sco_survey: Survey, organizer: User
) -> None:
    _flagged(sco_survey, MONITOR_MOST_URGENT + 2)
    page = _page(organizer, f"/en/organize/{sco_survey.slug}/")
    flagged = _section(page, "flagged")
    rows = re.findall(r'<tr data-chain="\d+"><td>([^<]+)</td>', flagged)
    # Most awaiting review first: the two chains with the fewest are left for the review page.
    assert rows == [f"Doubtful {n:02}" for n in range(MONITOR_MOST_URGENT + 2, 2, -1)]
    # The total stays the total of every chain: 1 + 2 + … + 12 awaiting review.
    total = sum(range(1, MONITOR_MOST_URGENT + 3))
    assert f"All {total} flagged responses awaiting review" in flagged
    assert f'data-total="flagged">{total}<' in page
    url, text = _more_link(flagged, "more-flagged-chains")
    assert text == "and 2 more chains"
    review = _page(organizer, url)
    for n in range(1, MONITOR_MOST_URGENT + 3):
        assert f"<td>Doubtful {n:02}</td>" in review
    russian = _section(_page(organizer, f"/ru/organize/{sco_survey.slug}/"), "flagged")
    assert len(re.findall(r'<tr data-chain="\d+">', russian)) == MONITOR_MOST_URGENT
    assert _more_link(russian, "more-flagged-chains")[1] == "и ещё 2 цепочки"


def test_with_fewer_alerts_and_flagged_chains_than_shown_the_monitor_lists_all_without_more(
    sco_survey: Survey, organizer: User
) -> None:
    _dying(sco_survey, 3)
    _flagged(sco_survey, 3)
    alerts = health_panel(survey=sco_survey).alerts
    assert len(alerts) == 3 < MONITOR_MOST_URGENT
    page = _page(organizer, f"/en/organize/{sco_survey.slug}/")
    assert _section(page, "health").count('class="health-alert') == len(alerts)
    assert len(re.findall(r'<tr data-chain="\d+">', _section(page, "flagged"))) == 3
    assert 'id="more-alerts"' not in page and 'id="more-flagged-chains"' not in page
    assert " more alert" not in page and " more chain" not in page


def test_chains_tied_at_the_monitor_s_last_flagged_row_are_shown_in_the_order_of_their_labels(
    sco_survey: Survey, organizer: User
) -> None:
    # One flagged response awaiting review in each chain, stored in reverse order of the labels.
    for n in reversed(range(MONITOR_MOST_URGENT + 3)):
        chain_store(sco_survey, f"Tied {n:02}", 2, quality_flags=["too_fast"])
    flagged = _section(_page(organizer, f"/en/organize/{sco_survey.slug}/"), "flagged")
    rows = re.findall(r'<tr data-chain="\d+"><td>([^<]+)</td>', flagged)
    assert rows == [f"Tied {n:02}" for n in range(MONITOR_MOST_URGENT)]
    assert _more_link(flagged, "more-flagged-chains")[1] == "and 3 more chains"
    assert f"All {MONITOR_MOST_URGENT + 3} flagged responses awaiting review" in flagged
