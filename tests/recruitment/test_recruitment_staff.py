"""``manage.py create_staff``: organizer and analyst logins from the command line."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

PASSWORD = "kettle-orbit-saffron-42"


def _groups(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_it_creates_an_organizer_who_can_log_in_and_open_the_monitor(
    db: None, monkeypatch: pytest.MonkeyPatch, sco_survey
) -> None:
    monkeypatch.setenv("ORGANIZER_PASSWORD", PASSWORD)
    out = io.StringIO()
    call_command(
        "create_staff",
        "--username=olga",
        "--role=organizer",
        "--password-env=ORGANIZER_PASSWORD",
        stdout=out,
    )
    user = User.objects.get(username="olga")
    assert "Created staff user 'olga' in Organizers." in out.getvalue()
    assert not user.is_staff and not user.is_superuser and _groups(user) == {"Organizers"}
    assert user.has_perm("surveys.organizer") and not user.has_perm("surveys.analyst")
    client = Client()
    login = client.post("/en/accounts/login/", {"username": "olga", "password": PASSWORD})
    assert login.status_code == 302
    assert client.get("/en/organize/").status_code == 200
    # The admin is for admins: an organizer is sent to its login page, not shown its index.
    assert client.get("/en/admin/").status_code == 302


@pytest.mark.parametrize(
    ("role", "groups"),
    [("analyst", {"Analysts"}), ("both", {"Organizers", "Analysts"})],
)
def test_the_role_decides_the_groups(
    db: None, monkeypatch: pytest.MonkeyPatch, role: str, groups: set[str]
) -> None:
    monkeypatch.setenv("PW", PASSWORD)
    call_command("create_staff", "--username=anna", f"--role={role}", "--password-env=PW")
    assert _groups(User.objects.get(username="anna")) == groups


def test_running_it_again_updates_the_roles_and_keeps_the_password(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PW", PASSWORD)
    call_command("create_staff", "--username=ivan", "--role=analyst", "--password-env=PW")
    monkeypatch.setattr("sys.stdin", io.StringIO())  # no terminal
    call_command("create_staff", "--username=ivan", "--role=organizer", "--superuser")
    user = User.objects.get(username="ivan")
    assert _groups(user) == {"Organizers", "Analysts"} and user.is_superuser
    assert user.check_password(PASSWORD)


def test_without_a_password_or_a_terminal_it_fails_clearly(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO())
    with pytest.raises(CommandError, match="--password-env"):
        call_command("create_staff", "--username=nobody")
    with pytest.raises(CommandError, match="--username"):
        call_command("create_staff")
    monkeypatch.delenv("MISSING_PW", raising=False)
    with pytest.raises(CommandError, match="MISSING_PW"):
        call_command("create_staff", "--username=nobody", "--password-env=MISSING_PW")
    assert not User.objects.exists()


def test_a_weak_password_is_refused(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PW", "12345678")
    with pytest.raises(CommandError, match=r"too common|entirely numeric"):
        call_command("create_staff", "--username=weak", "--password-env=PW")
    assert not User.objects.exists()


def test_in_a_terminal_it_asks_for_the_username_and_the_password_twice(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal("zarina\n"))
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("create_staff", "--role=both", stdout=io.StringIO())
    user = User.objects.get(username="zarina")
    assert user.check_password(PASSWORD) and _groups(user) == {"Organizers", "Analysts"}

    monkeypatch.setattr("sys.stdin", Terminal("someone\n"))
    differing = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(differing))
    with pytest.raises(CommandError, match="differ"):
        call_command("create_staff", stdout=io.StringIO())
    assert not User.objects.filter(username="someone").exists()
