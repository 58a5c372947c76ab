"""Only organizers reach the recruitment monitor, its seed links, trees and CSV."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from surveys.models import SeedLink, Survey
from tests.fixtures.staff import logged_in

SEED_FORM = {"label": "Sneaky seed"}


def _requests(seed: SeedLink) -> list[tuple[str, str]]:
    base = "/en/organize/sco-2025"
    return [
        ("get", "/en/organize/"),
        ("get", f"{base}/"),
        ("get", f"{base}/seeds/new/"),
        ("post", f"{base}/seeds/new/"),
        ("post", f"{base}/seeds/{seed.pk}/deactivate/"),
        ("get", f"{base}/seeds/{seed.pk}/qr.svg"),
        ("get", f"{base}/tree/{seed.pk}/"),
        ("get", f"{base}/tree/{seed.pk}.json"),
        ("get", f"{base}/recruitment.csv"),
    ]


@pytest.fixture
def seed(sco_survey: Survey) -> SeedLink:
    return SeedLink.objects.create(survey=sco_survey, label="Existing")


def _send(client: Client, method: str, path: str):
    return client.post(path, SEED_FORM) if method == "post" else client.get(path)


def test_anonymous_visitors_are_sent_to_the_login_page(seed: SeedLink) -> None:
    for method, path in _requests(seed):
        reply = _send(Client(), method, path)
        assert reply.status_code == 302, path
        assert reply.headers["Location"].startswith("/en/accounts/login/?next="), path
    assert list(SeedLink.objects.values_list("label", "is_active")) == [("Existing", True)]


@pytest.mark.parametrize("who", ["respondent_user", "analyst"])
def test_logged_in_people_without_the_organizer_permission_are_refused(
    seed: SeedLink, who: str, request: pytest.FixtureRequest
) -> None:
    client = logged_in(request.getfixturevalue(who))
    for method, path in _requests(seed):
        assert _send(client, method, path).status_code == 403, (who, path)
    assert list(SeedLink.objects.values_list("label", "is_active")) == [("Existing", True)]


def test_an_organizer_is_let_in_everywhere(seed: SeedLink, organizer: User) -> None:
    client = logged_in(organizer)
    statuses = [_send(client, method, path).status_code for method, path in _requests(seed)]
    assert statuses == [200, 200, 200, 302, 302, 200, 200, 200, 200]
    assert SeedLink.objects.filter(label="Sneaky seed", created_by=organizer).exists()


def test_the_staff_navigation_shows_recruitment_to_organizers_only(
    sco_survey: Survey, organizer: User, analyst: User
) -> None:
    assert 'href="/en/organize/"' in logged_in(organizer).get("/en/").content.decode()
    assert 'href="/en/organize/"' not in logged_in(analyst).get("/en/").content.decode()
