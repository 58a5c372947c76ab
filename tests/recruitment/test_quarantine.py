"""Organizers review flagged responses: accept or exclude, reversibly, logged, nothing deleted."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import User
from django.test import Client

from aggregates.models import AggregateState
from aggregates.rebuild import aggregates_rebuild
from surveys.models import QualityReview, Response, Review, SeedLink, Survey, unflagged_q
from surveys.quality.reviews import flag_label, response_review
from tests.fixtures.recruitment import make_response
from tests.fixtures.staff import logged_in


@pytest.fixture
def chain(sco_survey: Survey) -> dict[str, Response]:
    """A seed, a flagged recruit of theirs, and the flagged one's own recruit."""
    seed_link = SeedLink.objects.create(survey=sco_survey, label="Tashkent students")
    seed = make_response(sco_survey, seed_link=seed_link, wave=0)
    seed.save()
    flagged = make_response(
        sco_survey,
        seed_link=seed_link,
        wave=1,
        recruiter=seed,
        quality_flags=["same_client_as_recruiter"],
        answers={"awareness": "no"},
    )
    flagged.save()
    recruit = make_response(sco_survey, seed_link=seed_link, wave=2, recruiter=flagged)
    recruit.save()
    return {"seed": seed, "flagged": flagged, "recruit": recruit}


def _review(client: Client, survey: Survey, response: Response, decision: str) -> int:
    url = f"/en/organize/{survey.slug}/responses/{response.pk}/review/"
    return client.post(url, {"decision": decision}).status_code


def test_excluding_a_flagged_response_logs_who_and_when_and_keeps_it_in_the_tree(
    sco_survey: Survey, chain: dict[str, Response], organizer: User
) -> None:
    client = logged_in(organizer)
    assert _review(client, sco_survey, chain["flagged"], "excluded") == 302

    flagged = Response.objects.get(pk=chain["flagged"].pk)
    assert flagged.review == Review.EXCLUDED
    assert flagged.reviewed_by == organizer and flagged.reviewed_at is not None
    (entry,) = QualityReview.objects.filter(response=flagged)
    assert (entry.decision, entry.decided_by) == (Review.EXCLUDED, organizer)
    # Nothing is deleted: the answers stay, the recruit keeps their recruiter and wave.
    assert flagged.answers["awareness"] == "no"
    recruit = Response.objects.get(pk=chain["recruit"].pk)
    assert recruit.recruiter_id == flagged.pk and recruit.wave == 2
    tree = client.get(f"/en/organize/{sco_survey.slug}/tree/{flagged.seed_link_id}.json").json()
    nodes = {node["id"]: node for node in tree["nodes"]}
    assert set(nodes) == {chain["seed"].pk, flagged.pk, recruit.pk}
    assert nodes[recruit.pk]["parent"] == flagged.pk


def test_a_decision_can_be_changed_and_reset_and_every_step_is_logged(
    sco_survey: Survey, chain: dict[str, Response], organizer: User
) -> None:
    client = logged_in(organizer)
    flagged = chain["flagged"]
    assert not flagged.counts_unflagged
    for decision, counts in (("accepted", True), ("excluded", False), ("", False)):
        assert _review(client, sco_survey, flagged, decision) == 302
        flagged.refresh_from_db()
        assert flagged.review == decision and flagged.counts_unflagged is counts
    assert flagged.reviewed_by is None and flagged.reviewed_at is None  # awaiting review again
    log = list(QualityReview.objects.filter(response=flagged).order_by("decided_at", "id"))
    assert [entry.decision for entry in log] == ["accepted", "excluded", ""]
    assert {entry.decided_by for entry in log} == {organizer}
    # Deciding the same twice logs nothing new.
    response_review(response=flagged, decision="", user=organizer)
    assert QualityReview.objects.filter(response=flagged).count() == 3


def test_a_review_asks_for_a_full_rebuild_of_the_figures(
    sco_survey: Survey,
    chain: dict[str, Response],
    organizer: User,
    django_capture_on_commit_callbacks,
) -> None:
    aggregates_rebuild(survey_id=sco_survey.pk)
    runs = AggregateState.objects.get(pk=sco_survey.pk).full_runs
    with django_capture_on_commit_callbacks(execute=True):
        response_review(response=chain["flagged"], decision="excluded", user=organizer)
    assert AggregateState.objects.get(pk=sco_survey.pk).full_runs == runs + 1


def test_the_rule_in_python_and_in_the_database_agree_on_every_case(sco_survey: Survey) -> None:
    made = []
    for flags, review in itertools.product([[], ["too_fast"]], Review.values):
        response = make_response(sco_survey, quality_flags=flags, review=review)
        response.save()
        made.append(response)
    counted = set(Response.objects.filter(unflagged_q()).values_list("pk", flat=True))
    assert {r.pk for r in made if r.counts_unflagged} == counted
    # Unflagged and not excluded, or accepted: three of the six.
    assert len(counted) == 3


def test_the_monitor_lists_flagged_responses_per_chain_without_their_answers(
    sco_survey: Survey, chain: dict[str, Response], organizer: User
) -> None:
    page = logged_in(organizer).get(f"/en/organize/{sco_survey.slug}/").content.decode()
    assert 'id="flagged-chains"' in page and "Tashkent students" in page
    assert f'data-response="{chain["flagged"].pk}"' in page
    assert flag_label("same_client_as_recruiter") in page
    assert chain["seed"].referral_code[:6] in page  # the recruiter's shortened code
    assert chain["flagged"].referral_code not in page
    for decision in ('value="accepted"', 'value="excluded"'):
        assert decision in page
    # After the decision the row says who decided, on the review page of all flagged ones.
    client = logged_in(organizer)
    _review(client, sco_survey, chain["flagged"], "accepted")
    review_page = client.get(f"/en/organize/{sco_survey.slug}/flagged/?state=all").content.decode()
    assert organizer.username in review_page and "accepted" in review_page


def test_only_organizers_can_review_and_a_refused_review_changes_nothing(
    sco_survey: Survey, chain: dict[str, Response], analyst: User
) -> None:
    assert _review(logged_in(analyst), sco_survey, chain["flagged"], "excluded") == 403
    assert _review(Client(), sco_survey, chain["flagged"], "excluded") == 302  # to the login
    assert Response.objects.get(pk=chain["flagged"].pk).review == Review.NONE
    assert not QualityReview.objects.exists()


def test_an_unflagged_response_or_an_unknown_decision_is_refused(
    sco_survey: Survey, chain: dict[str, Response], organizer: User
) -> None:
    client = logged_in(organizer)
    assert _review(client, sco_survey, chain["seed"], "excluded") == 404
    assert _review(client, sco_survey, chain["flagged"], "deleted") == 400
    assert not QualityReview.objects.exists()


def test_every_flag_code_has_a_label_and_an_unknown_one_shows_as_it_is() -> None:
    assert flag_label("too_fast") != "too_fast"
    assert flag_label("something_new") == "something_new"


def test_a_reviewer_sees_the_time_taken_the_too_fast_limit_and_the_time_per_page(
    sco_survey: Survey, organizer: User
) -> None:
    seed = SeedLink.objects.create(survey=sco_survey, label="Campus")
    fast = make_response(
        sco_survey,
        seed_link=seed,
        wave=0,
        quality_flags=["too_fast"],
        paradata={"total_seconds": 42, "page_seconds": {"1": 20, "2": 12, "3": 10}},
    )
    fast.save()
    page = logged_in(organizer).get(f"/en/organize/{sco_survey.slug}/").content.decode()
    assert "Took 42 s; too fast under 1 min 00 s." in page
    assert "Page 2: 12 s" in page
    flagged = logged_in(organizer).get(f"/ru/organize/{sco_survey.slug}/flagged/").content.decode()
    assert 'data-field="duration"' in flagged and "Took" not in flagged
