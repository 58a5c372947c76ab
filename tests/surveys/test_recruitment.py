"""Snowball recruitment through seed and personal links, walked over real HTTP."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone, translation

from surveys.links import limits
from surveys.links.codes import ALPHABET, CODE_LENGTH
from surveys.models import Draft, LinkEvent, Response, SeedLink, Survey
from tests.fixtures.recruitment import HttpTree, respondent_client
from tests.flow import SCO_ANSWERS, complete_survey, pace, page_data


def _gettext(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def test_every_response_records_recruiter_seed_wave_and_code(http_tree: HttpTree) -> None:
    assert Response.objects.count() == len(http_tree.members)
    for member in http_tree.members.values():
        stored = Response.objects.get(pk=member.response.pk)
        assert stored.wave == member.wave, member.name
        assert stored.seed_link == http_tree.seeds[member.seed], member.name
        assert stored.code_used == http_tree.code_of(member.via), member.name
        if member.via in http_tree.seeds:
            assert stored.recruiter is None
        else:
            assert stored.recruiter_id == http_tree.members[member.via].response.pk
    assert max(member.wave for member in http_tree.members.values()) == 3


def test_the_tree_has_no_loops_and_every_recruiter_answered_first(http_tree: HttpTree) -> None:
    responses = {r.pk: r for r in Response.objects.all()}
    for response in responses.values():
        seen = {response.pk}
        current = response
        while current.recruiter_id is not None:
            recruiter = responses[current.recruiter_id]
            assert recruiter.pk < current.pk
            assert recruiter.submitted_at <= current.submitted_at
            assert recruiter.pk not in seen
            seen.add(recruiter.pk)
            current = recruiter
        assert current.wave == 0 and current.seed_link_id == response.seed_link_id


def test_personal_codes_are_unguessable_and_easy_to_read_out(http_tree: HttpTree) -> None:
    codes = [m.response.referral_code for m in http_tree.members.values()]
    assert len(set(codes)) == len(codes)
    for code in codes:
        # 14 symbols from a 32-letter alphabet: 70 random bits, no I, L, O or U to mishear.
        assert len(code) == CODE_LENGTH and set(code) <= set(ALPHABET)
    assert CODE_LENGTH * 5 >= 64


def test_a_link_read_out_in_lower_case_with_dashes_still_works(sco_survey: Survey) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Radio")
    spoken = "-".join(seed.code[i : i + 4] for i in range(0, 14, 4)).lower()
    visitor = respondent_client("listener")
    reply = visitor.get(f"/en/r/?code={spoken}")
    assert reply.status_code == 302 and reply.headers["Location"] == f"/en/r/{seed.code}/"
    assert visitor.get(reply.headers["Location"]).headers["Location"] == "/en/s/sco-2025/"


def test_a_link_without_language_opens_in_the_visitors_language(sco_survey: Survey) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Posters")
    reply = Client().get(f"/r/{seed.code}/", HTTP_ACCEPT_LANGUAGE="kk")
    # Straight to the survey in that language: no redirect to /kk/r/<code>/ first.
    assert reply.status_code == 302 and reply.headers["Location"] == "/kk/s/sco-2025/"


def test_the_thank_you_page_offers_the_link_to_copy_scan_and_share(http_tree: HttpTree) -> None:
    alma = http_tree.members["boris"]
    page = alma.client.get("/en/s/sco-2025/thanks/").content.decode()
    url = f"http://testserver/r/{alma.response.referral_code}/"
    assert re.search(f'<textarea id="referral-url"[^>]*>{re.escape(url)}</textarea>', page)
    assert 'id="copy-referral"' in page and "js/referral.js" in page
    assert 'id="web-share" hidden' in page  # shown by the script only where navigator.share exists
    assert "https://t.me/share/url?url=" + quote(url, safe="") in page
    assert "https://wa.me/?text=" in page and quote(url, safe="") in page
    assert "https://vk.com/share.php?url=" + quote(url, safe="") in page
    assert '<svg viewBox="0 0' in page and 'class="qr-code"' in page
    # boris has one recruit out of three.
    assert "It can bring 2 more people." in page
    assert "<script>" not in page  # no inline script: the CSP forbids it


def test_a_used_up_personal_link_shows_the_used_up_page_in_kazakh(http_tree: HttpTree) -> None:
    code = http_tree.members["alma"].response.referral_code
    visitor = respondent_client("fourth-friend")
    reply = visitor.get(f"/kk/r/{code}/")
    assert reply.status_code == 410
    page = reply.content.decode()
    assert page.count('id="link-used-up"') == 1
    assert _gettext("kk", "This link has been used up") in page
    assert '<html lang="kk">' in page
    assert 'id="answer-without-link"' not in page  # allow_unattributed is off by default
    # The visitor cannot slip in through the survey's plain address either.
    assert visitor.get("/kk/s/sco-2025/").status_code == 410
    assert visitor.post("/kk/s/sco-2025/", {"consent": "on"}).status_code == 410
    assert visitor.post("/kk/s/sco-2025/without-link/").status_code == 410
    assert Draft.objects.filter(code_used=code).count() == 3
    assert Response.objects.filter(recruiter=http_tree.members["alma"].response).count() == 3


def test_the_thank_you_page_says_when_the_link_is_used_up(http_tree: HttpTree) -> None:
    page = http_tree.members["alma"].client.get("/en/s/sco-2025/thanks/").content.decode()
    assert 'id="referral-used-up"' in page and "It can bring 0 more people." not in page
    assert 'id="copy-referral"' not in page and "pass your personal link on" not in page


def test_with_unattributed_answering_allowed_a_late_visitor_answers_without_a_chain(
    http_tree: HttpTree,
) -> None:
    survey = http_tree.survey
    survey.allow_unattributed = True
    survey.save()
    visitor = respondent_client("late-but-welcome")
    code = http_tree.members["alma"].response.referral_code
    page = visitor.get(f"/en/r/{code}/")
    assert page.status_code == 410 and 'id="answer-without-link"' in page.content.decode()
    chosen = visitor.post("/en/s/sco-2025/without-link/")
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/en/s/sco-2025/"
    response = complete_survey(visitor, survey)
    assert response.recruiter is None and response.seed_link is None
    # Outside every existing chain, and the root of a chain of their own.
    assert response.wave == 0 and response.self_started
    assert response.code_used == ""
    assert Response.objects.filter(recruiter=http_tree.members["alma"].response).count() == 3


def test_an_expired_seed_link_is_refused_with_a_clear_page(sco_survey: Survey) -> None:
    seed = SeedLink.objects.create(
        survey=sco_survey, label="Old poster", expires_at=timezone.now() - timedelta(minutes=1)
    )
    reply = respondent_client("too-late").get(f"/ru/r/{seed.code}/")
    assert reply.status_code == 410
    page = reply.content.decode()
    assert 'id="link-expired"' in page and _gettext("ru", "This link is no longer valid") in page
    assert LinkEvent.objects.filter(code=seed.code, kind="opened").count() == 1
    assert Draft.objects.count() == 0


def test_a_closed_seed_link_is_refused_and_one_with_a_future_expiry_works(
    sco_survey: Survey,
) -> None:
    closed = SeedLink.objects.create(survey=sco_survey, label="Closed", is_active=False)
    assert respondent_client("a").get(f"/en/r/{closed.code}/").status_code == 410
    fresh = SeedLink.objects.create(
        survey=sco_survey, label="Fresh", expires_at=timezone.now() + timedelta(days=1)
    )
    response = complete_survey(
        respondent_client("b"), sco_survey, start_path=f"/en/r/{fresh.code}/"
    )
    assert response.seed_link == fresh and response.wave == 0


def test_a_seed_link_with_a_limit_refuses_once_its_completes_reach_it(sco_survey: Survey) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="One only", coupon_limit=1)
    complete_survey(respondent_client("first"), sco_survey, start_path=f"/en/r/{seed.code}/")
    reply = respondent_client("second").get(f"/en/r/{seed.code}/")
    assert reply.status_code == 410 and 'id="link-used-up"' in reply.content.decode()


def test_a_link_used_up_between_opening_and_consent_is_refused_at_consent(
    sco_survey: Survey,
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Two", coupon_limit=1)
    slow = respondent_client("slow")
    assert slow.get(f"/en/r/{seed.code}/").status_code == 302
    assert slow.get("/en/s/sco-2025/").status_code == 200
    complete_survey(respondent_client("fast"), sco_survey, start_path=f"/en/r/{seed.code}/")
    reply = slow.post("/en/s/sco-2025/", {"consent": "on"})
    assert reply.status_code == 410 and 'id="link-used-up"' in reply.content.decode()


def test_a_link_used_up_after_consent_still_stores_and_attributes_the_answers_with_a_flag(
    sco_survey: Survey,
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Last coupon")
    recruiter = complete_survey(
        respondent_client("recruiter"), sco_survey, start_path=f"/en/r/{seed.code}/"
    )
    link = f"/en/r/{recruiter.referral_code}/"
    complete_survey(respondent_client("one"), sco_survey, start_path=link)
    complete_survey(respondent_client("two"), sco_survey, start_path=link)
    # Two people consent while one coupon is left; both finish.
    late = respondent_client("late")
    assert late.get(link).status_code == 302
    assert late.post("/en/s/sco-2025/", {"consent": "on"}).status_code == 302
    third = complete_survey(respondent_client("three"), sco_survey, start_path=link)
    assert third.quality_flags == []
    for number in range(1, 6):
        action = "submit" if number == 5 else "next"
        data = {"action": action, **page_data(sco_survey, number, SCO_ANSWERS)}
        pace(sco_survey)
        assert late.post(f"/en/s/sco-2025/p/{number}/", data).status_code == 302
    overrun = late.get("/en/s/sco-2025/thanks/").context["response"]
    assert overrun.recruiter == recruiter and overrun.wave == 1 and overrun.seed_link == seed
    assert overrun.quality_flags == [limits.FLAG_COUPON_OVERRUN]
    assert Response.objects.filter(recruiter=recruiter).count() == 4


def test_a_forged_code_gets_a_404_that_reveals_nothing(http_tree: HttpTree) -> None:
    real = http_tree.members["alma"].response.referral_code
    near_miss = real[:-1] + ("0" if real[-1] != "0" else "1")
    visitor = respondent_client("guesser")
    guesses = (near_miss, "ZZZZZZZZZZZZZZ", "x" * 200)
    replies = [visitor.get(f"/en/r/{code}/") for code in guesses]
    assert [r.status_code for r in replies] == [404, 404, 404]
    # The same page whatever was guessed, apart from the address in the language links.
    bodies = {r.content.decode().replace(g, "CODE") for r, g in zip(replies, guesses, strict=True)}
    assert len(bodies) == 1
    page = replies[0].content.decode()
    assert 'id="link-invalid"' in page
    survey = http_tree.survey
    for secret in (survey.title_en, survey.slug, real):
        assert secret not in page
    assert not LinkEvent.objects.filter(code__in=[near_miss, "ZZZZZZZZZZZZZZ"]).exists()


def test_repeated_guessing_is_rate_limited_per_client(
    http_tree: HttpTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "GUESS_LIMIT", 3)
    guesser = respondent_client("guesser")
    for attempt in range(3):
        assert guesser.get(f"/kk/r/GUESS{attempt:09d}/").status_code == 404
    blocked = guesser.get(f"/kk/r/GUESS{9:09d}/")
    assert blocked.status_code == 429
    assert 'id="link-rate-limited"' in blocked.content.decode()
    assert _gettext("kk", "Too many attempts") in blocked.content.decode()
    # A real code still opens, on the same connection too: only failed look-ups are refused.
    seed_code = http_tree.seeds["students"].code
    assert guesser.get(f"/en/r/{seed_code}/").status_code == 302
    assert respondent_client("guesser-2").get(f"/en/r/{seed_code}/").status_code == 302
    # Another browser on the same connection does not guess afresh; another connection does.
    assert respondent_client("guesser-2").get(f"/en/r/GUESS{10:09d}/").status_code == 429
    honest = Client(HTTP_USER_AGENT="honest", REMOTE_ADDR="192.0.2.7")
    assert honest.get(f"/en/r/GUESS{10:09d}/").status_code == 404


def test_the_guess_window_ends(sco_survey: Survey, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "GUESS_LIMIT", 1)
    monkeypatch.setattr(limits, "GUESS_WINDOW_SECONDS", 1)
    guesser = respondent_client("patient")
    assert guesser.get("/en/r/AAAAAAAAAAAAAA/").status_code == 404
    assert guesser.get("/en/r/AAAAAAAAAAAAAB/").status_code == 429
    time.sleep(1.2)
    assert guesser.get("/en/r/AAAAAAAAAAAAAC/").status_code == 404


def test_a_respondent_opening_their_own_link_sees_it_again(http_tree: HttpTree) -> None:
    boris = http_tree.members["boris"]
    before = (Response.objects.count(), Draft.objects.count(), LinkEvent.objects.count())
    reply = boris.client.get(f"/en/r/{boris.response.referral_code}/", follow=True)
    assert reply.redirect_chain == [("/en/s/sco-2025/thanks/", 302)]
    page = reply.content.decode()
    assert f"http://testserver/r/{boris.response.referral_code}/" in page
    assert _gettext("en", "This is your own personal link.")[:20] in page
    assert 'name="consent"' not in page
    assert (Response.objects.count(), Draft.objects.count(), LinkEvent.objects.count()) == before
    # Someone else's link in the same browser does not start a second questionnaire either.
    other = http_tree.members["alma-1"].response.referral_code
    again = boris.client.get(f"/en/r/{other}/", follow=True)
    assert again.redirect_chain == [("/en/s/sco-2025/thanks/", 302)]
    assert Response.objects.count() == before[0]


def test_the_same_browser_answering_again_is_flagged_never_dropped(sco_survey: Survey) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Group chat")
    first_tab = respondent_client("same-phone")
    first = complete_survey(first_tab, sco_survey, start_path=f"/en/r/{seed.code}/")
    # Cookies cleared: a fresh session, but the same address and browser, so the same hash.
    again = complete_survey(
        respondent_client("same-phone"),
        sco_survey,
        start_path=f"/en/r/{first.referral_code}/",
    )
    assert Response.objects.count() == 2
    assert first.quality_flags == []
    assert again.quality_flags == [
        limits.FLAG_SAME_CLIENT_RECENTLY,
        limits.FLAG_SAME_CLIENT_AS_RECRUITER,
    ]
    assert again.recruiter == first and again.wave == 1


def test_the_same_browser_outside_the_window_is_not_flagged(
    sco_survey: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Group chat")
    first = complete_survey(
        respondent_client("shared-pc"), sco_survey, start_path=f"/en/r/{seed.code}/"
    )
    Response.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - timedelta(days=2))
    second = complete_survey(
        respondent_client("shared-pc"), sco_survey, start_path=f"/en/r/{seed.code}/"
    )
    assert limits.FLAG_SAME_CLIENT_RECENTLY not in second.quality_flags


def test_a_draft_keeps_the_link_it_started_with(sco_survey: Survey) -> None:
    first = SeedLink.objects.create(survey=sco_survey, label="First")
    second = SeedLink.objects.create(survey=sco_survey, label="Second")
    visitor = respondent_client("two-links")
    visitor.get(f"/en/r/{first.code}/")
    visitor.post("/en/s/sco-2025/", {"consent": "on"})
    reply = visitor.get(f"/en/r/{second.code}/", follow=True)
    assert reply.redirect_chain[-1] == ("/en/s/sco-2025/p/1/", 302)
    assert Draft.objects.get().seed_link == first


def test_a_messenger_fetching_a_link_preview_is_not_counted_as_an_opening(
    sco_survey: Survey,
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Shared in a chat")
    preview = Client(HTTP_USER_AGENT="TelegramBot (like TwitterBot)")
    assert preview.get(f"/en/r/{seed.code}/").status_code == 302
    assert not LinkEvent.objects.filter(code=seed.code).exists()
    respondent_client("reader").get(f"/en/r/{seed.code}/")
    assert LinkEvent.objects.filter(code=seed.code, kind="opened").count() == 1


def test_a_shared_link_reaches_the_consent_page_in_one_redirect_and_an_unknown_one_in_two(
    sco_survey: Survey,
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Posters")
    visitor = Client(HTTP_ACCEPT_LANGUAGE="kk")
    reply = visitor.get(f"/r/{seed.code}/", follow=True)
    assert [url for url, _status in reply.redirect_chain] == ["/kk/s/sco-2025/"]
    assert reply.status_code == 200 and 'lang="kk"' in reply.content.decode()
    # The link is remembered: the consent page starts a response in the seed's chain.
    assert 'name="consent"' in reply.content.decode()
    unknown = Client(HTTP_ACCEPT_LANGUAGE="kk").get("/r/ZZZZZZZZZZZZ/?from=poster", follow=True)
    assert [url for url, _status in unknown.redirect_chain] == ["/kk/r/ZZZZZZZZZZZZ/?from=poster"]
    assert unknown.status_code == 404
