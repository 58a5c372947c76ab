"""Payout contacts: read as one normalized form, encrypted at rest, recognised by a salted hash.

Encryption is Fernet (AES-128-CBC with HMAC-SHA256) through MultiFernet: the first key of
``PAYOUT_KEYS`` encrypts, every key decrypts, so a new key can be put in front of the old one
and ``manage.py rotate_payout_key`` re-encrypts every contact under it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import phonenumbers
from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from incentives.models import PayoutContact

Kind = PayoutContact.Kind


@dataclass(frozen=True)
class Contact:
    """A contact in its one normalized form: E.164 for a phone, lower case for an e-mail."""

    kind: str
    value: str


@sensitive_variables("text", "value", "number")
def contact_normalize(*, text: str, region: str) -> Contact:
    """Return the contact as one form, or raise ValidationError in the active language.

    ``8 (701) 123-45-67`` read in Kazakhstan and ``+7 701 123 4567`` are the same number.
    """
    text = text.strip()
    if "@" in text:
        value = text.lower()
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(
                _("Enter a valid e-mail address."), code="payout_contact_email"
            ) from None
        return Contact(kind=Kind.EMAIL, value=value)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Enter a phone number (with its country code if it is not local) or an e-mail."),
            code="payout_contact_invalid",
        )
    return Contact(
        kind=Kind.PHONE,
        value=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
    )


def contact_hash(*, contact: Contact) -> str:
    """Return the salted hash that finds the same contact given for another response."""
    key = settings.CLIENT_HASH_SALT.encode()
    material = f"payout|{contact.kind}|{contact.value}".encode()
    return hmac.new(key, material, hashlib.sha256).hexdigest()


def _fernet(keys: list[str] | None = None) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in (keys or settings.PAYOUT_KEYS)])


def contact_encrypt(*, contact: Contact) -> str:
    """Return the Fernet token of the contact, made with the newest key."""
    return _fernet().encrypt(contact.value.encode()).decode()


def contact_decrypt(*, ciphertext: str) -> str:
    """Return the contact a token holds, with whichever key made it."""
    return _fernet().decrypt(ciphertext.encode()).decode()


def token_rotate(*, ciphertext: str, keys: list[str] | None = None) -> str:
    """Return the token re-encrypted under the newest key, its contact unchanged."""
    return _fernet(keys).rotate(ciphertext.encode()).decode()
