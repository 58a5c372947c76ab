"""The payout contact: one number however written, repeats flagged, encrypted, rotated, erased."""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.views.debug import SafeExceptionReporterFilter

from incentives.crypto import contact_decrypt
from incentives.models import LedgerEntry, PayoutContact, Status
from incentives.views import payout_contact
from surveys.models import Response
from tests.fixtures.recruitment import HttpTree
from tests.fixtures.staff import logged_in
from tests.incentives.conftest import PER_RECRUIT, PRIMARY, Committed
from tests.incentives.test_ledger import give_contact, owed

# One Kazakh mobile number, as two people would write it.
LOCAL_FORM, INTERNATIONAL_FORM, STORED_FORM = "8 (701) 123-45-67", "+7 701 123 4567", "+77011234567"
PHONE_TYPED = INTERNATIONAL_FORM
# What of the number could leak in any form: digits alone, with the trunk 8, spaced.
TRACES = ("7011234567", "701 123", "701-123", "123-45-67", "1234567")


def test_the_same_number_written_two_ways_is_one_contact_and_flags_the_second_response(
    chain: HttpTree,
) -> None:
    first, second = chain.members["alma-2"], chain.members["alma-3"]
    give_contact(first.client, chain.survey, LOCAL_FORM)
    give_contact(second.client, chain.survey, INTERNATIONAL_FORM)
    contacts = PayoutContact.objects.filter(survey=chain.survey)
    assert {contact_decrypt(ciphertext=c.ciphertext) for c in contacts} == {STORED_FORM}
    assert len({contact.contact_hash for contact in contacts}) == 1
    assert Response.objects.get(pk=first.response.pk).quality_flags == []
    assert Response.objects.get(pk=second.response.pk).quality_flags == ["same_payout_contact"]
    # The second respondent's money and the secondary their recruiter earned wait for a review.
    assert owed(second.response, Status.ON_HOLD) == PRIMARY
    assert (
        LedgerEntry.objects.get(source=second.response, kind="secondary").status == Status.ON_HOLD
    )
    assert owed(first.response, Status.APPROVED) == PRIMARY
    page = second.client.get(f"/en/s/{chain.survey.slug}/thanks/")
    assert page.context["response"].pk == second.response.pk
    assert "Being checked" in page.content.decode()


def test_a_malformed_contact_is_refused_in_the_pages_language_and_kept_in_the_field(
    chain: HttpTree,
) -> None:
    alma = chain.members["alma"]
    url = f"/ru/s/{chain.survey.slug}/payout-contact/"
    reply = alma.client.post(url, {"payout_contact": "olga@@example"})
    assert reply.status_code == 400
    page = reply.content.decode()
    assert "Введите правильный адрес электронной почты." in page
    assert 'value="olga@@example"' in page
    reply = alma.client.post(url.replace("/ru/", "/kk/"), {"payout_contact": "12"})
    assert "Телефон нөмірін" in reply.content.decode()
    assert not PayoutContact.objects.exists()


def test_an_e_mail_is_stored_in_lower_case_and_a_browser_without_a_response_is_sent_to_start(
    chain: HttpTree,
) -> None:
    give_contact(chain.members["alma"].client, chain.survey, " Alma.K@Example.ORG ")
    (contact,) = PayoutContact.objects.all()
    assert (contact.kind, contact_decrypt(ciphertext=contact.ciphertext)) == (
        "email",
        "alma.k@example.org",
    )
    stranger = Client().post(
        f"/en/s/{chain.survey.slug}/payout-contact/", {"payout_contact": "x@example.org"}
    )
    assert stranger.status_code == 302 and stranger.headers["Location"].endswith(
        f"/s/{chain.survey.slug}/"
    )
    assert PayoutContact.objects.count() == 1


def test_key_rotation_re_encrypts_every_contact_without_losing_one(
    chain: HttpTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    give_contact(chain.members["alma"].client, chain.survey, LOCAL_FORM)
    give_contact(chain.members["alma-1"].client, chain.survey, "alma1@example.org")
    old_key = settings.PAYOUT_KEYS[0]
    before = dict(PayoutContact.objects.values_list("pk", "ciphertext"))
    new_key = Fernet.generate_key().decode()
    monkeypatch.setattr(settings, "PAYOUT_KEYS", [new_key, old_key])
    call_command("rotate_payout_key", stdout=io.StringIO())
    # Only the new key is left: what the old one wrote must have been re-encrypted.
    monkeypatch.setattr(settings, "PAYOUT_KEYS", [new_key])
    after = {c.pk: c for c in PayoutContact.objects.all()}
    assert set(after) == set(before)
    assert all(after[pk].ciphertext != before[pk] for pk in before)
    assert {contact_decrypt(ciphertext=c.ciphertext) for c in after.values()} == {
        STORED_FORM,
        "alma1@example.org",
    }


def test_withdrawal_erases_the_contact_at_once_and_voids_the_unpaid_money(
    chain: HttpTree, committed: Committed
) -> None:
    alma = chain.members["alma"]
    give_contact(alma.client, chain.survey, LOCAL_FORM)
    assert owed(alma.response, Status.APPROVED) == PRIMARY + 3 * PER_RECRUIT
    reply = committed(alma.client.post, f"/en/withdraw/{alma.response.withdraw_token}/")
    assert reply.status_code == 200
    assert not PayoutContact.objects.filter(response=alma.response).exists()
    assert owed(alma.response, Status.VOID) == PRIMARY + 3 * PER_RECRUIT
    # Her recruits' own money is theirs: untouched.
    assert owed(chain.members["alma-1"].response, Status.PENDING) == PRIMARY + PER_RECRUIT


def _database_bytes() -> bytes:
    """Return what the database holds: SQLite's file image, or every row of every table."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        # The file SQLite would write, uncommitted rows of the test's transaction included.
        return connection.connection.serialize()
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            # Table names from the database itself, quoted: nothing typed by anyone.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(rows).encode()


# Under var/ but not the platform's writing: collected static files (shipped libraries, some
# with "1234567" in them) and the PostgreSQL cluster of `make serve` (its own database, not the
# tests': that one is read whole above). A clone that ran `make serve` holds both.
NOT_WRITTEN_BY_THE_PLATFORM = ("staticfiles", "pg")


def _everything_under(folder: Path) -> bytes:
    skipped = [folder / name for name in NOT_WRITTEN_BY_THE_PLATFORM]
    return b"".join(
        p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and not any(p.is_relative_to(skip) for skip in skipped)
    )


def test_no_plaintext_contact_reaches_the_database_var_exports_the_bundle_or_the_logs(
    chain: HttpTree,
    analyst: User,
    organizer: User,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    give_contact(chain.members["alma"].client, chain.survey, LOCAL_FORM)
    give_contact(chain.members["alma-1"].client, chain.survey, "leak.check@example.org")
    slug = chain.survey.slug
    files: dict[str, bytes] = {"database": _database_bytes()}
    # The copy holds the contacts' rows: their ciphertext is in it, the contacts are not.
    phone = PayoutContact.objects.get(kind="phone")
    assert phone.ciphertext.encode() in files["database"]
    files["var"] = _everything_under(Path(settings.VAR_DIR))
    analysing = logged_in(analyst)
    for kind in ("responses", "long", "paradata", "codebook", "aggregates"):
        reply = analysing.post(
            "/en/analytics/exports/",
            {"survey": slug, "kind": kind, "format": "csv", "labels": "codes", "delimiter": ","},
        )
        assert reply.status_code == 200, (kind, reply.status_code)
        files[kind] = b"".join(reply.streaming_content)
    bundle = analysing.get(f"/en/analytics/exports/{slug}/bundle/")
    with zipfile.ZipFile(io.BytesIO(b"".join(bundle.streaming_content))) as archive:
        files["bundle"] = b"".join(archive.read(name) for name in archive.namelist())
    recruitment = logged_in(organizer).get(f"/en/organize/{slug}/recruitment.csv")
    files["recruitment"] = b"".join(recruitment.streaming_content)
    files["logs"] = caplog.text.encode()
    for where, content in files.items():
        assert content, where
        for trace in (*TRACES, STORED_FORM, "leak.check"):
            assert trace.encode() not in content, (where, trace)
    # The check would see a contact where there is one: the key opens what the database holds.
    assert contact_decrypt(ciphertext=phone.ciphertext) == STORED_FORM


def test_an_error_report_never_shows_the_contact_typed(chain: HttpTree) -> None:
    request = RequestFactory().post(
        f"/en/s/{chain.survey.slug}/payout-contact/", {"payout_contact": PHONE_TYPED}
    )
    request.session = {}
    payout_contact(request, slug=chain.survey.slug)
    shown = SafeExceptionReporterFilter().get_post_parameters(request)
    assert shown["payout_contact"] != PHONE_TYPED and "701" not in shown["payout_contact"]


def test_the_embedded_default_rotates_to_a_new_key_it_keeps_in_var(
    chain: HttpTree, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    give_contact(chain.members["alma"].client, chain.survey, LOCAL_FORM)
    old_key = settings.PAYOUT_KEYS[0]
    key_file = tmp_path / "payout-key"
    key_file.write_text(old_key + "\n")
    monkeypatch.delenv("PAYOUT_KEY", raising=False)
    monkeypatch.setattr(settings, "PAYOUT_KEY_FILE", key_file)
    monkeypatch.setattr(settings, "PAYOUT_KEYS", [old_key])
    call_command("rotate_payout_key", "--new-key", stdout=io.StringIO())
    (new_key,) = key_file.read_text().split()
    assert new_key != old_key and key_file.stat().st_mode & 0o077 == 0
    monkeypatch.setattr(settings, "PAYOUT_KEYS", [new_key])
    (contact,) = PayoutContact.objects.all()
    assert contact_decrypt(ciphertext=contact.ciphertext) == STORED_FORM
