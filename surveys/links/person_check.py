"""The "I am a person" check beyond the start limit: a ticket bound to one browser, and work.

Beyond ``START_RATE_LIMIT`` starts per address, each start needs a ticket handed out on the
challenge page. The ticket is signed, single-use, short-lived and bound to the survey, the
client hash (address and browser) and the device cookie it was issued to (set on the challenge
page): a scraped ticket starts nothing elsewhere. One address is handed at most
``START_TICKET_LIMIT`` tickets per window. A ticket admits its browser once the page's script
has solved the ALTCHA proof of work tied to it (a second of a phone's time, a cost for a script
that starts thousands), or, without JavaScript, once ``PERSON_WAIT_SECONDS`` have passed since
it was issued.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import secrets
import time
from dataclasses import dataclass
from enum import Enum

from altcha import ChallengeOptionsV1, create_challenge_v1, extract_params_v1, verify_solution_v1
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from surveys.links import limits
from surveys.links.ratelimit import rate_count, rate_hit, start_within_limit
from surveys.privacy import client_address_hash, client_hash, device_hash

logger = logging.getLogger(__name__)


class Verdict(Enum):
    ADMITTED = "admitted"
    TOO_EARLY = "too_early"  # a valid ticket, neither solved nor waited for
    REFUSED = "refused"


@dataclass(frozen=True)
class PersonChallenge:
    """What the challenge page carries: the signed ticket and the proof-of-work challenge."""

    ticket: str
    challenge: str  # JSON for the page's script


def _hmac_key() -> str:
    return salted_hmac("surveys.person-check", "altcha", algorithm="sha256").hexdigest()


def _binding(request: HttpRequest, device: str) -> dict[str, str]:
    return {"client": client_hash(request)[:16], "device": device_hash(device)[:16]}


def _challenge(nonce: str) -> str:
    challenge = create_challenge_v1(
        ChallengeOptionsV1(
            algorithm="SHA-256",
            max_number=limits.PERSON_CHECK_MAX_NUMBER,
            hmac_key=_hmac_key(),
            expires=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=limits.START_TICKET_SECONDS),
            params={"ticket": nonce},
        )
    )
    return json.dumps(challenge.to_dict())


def person_challenge_new(
    *, request: HttpRequest, survey_slug: str, device: str
) -> PersonChallenge | None:
    """Return a new ticket and challenge for this browser, or None: the address had enough."""
    key = f"surveys:start-tickets:{client_address_hash(request)}"
    if rate_count(key=key) >= settings.START_TICKET_LIMIT:
        return None
    rate_hit(key=key, window_seconds=limits.START_WINDOW_SECONDS)
    nonce = secrets.token_urlsafe(12)
    ticket = signing.dumps(
        {
            "survey": survey_slug,
            "nonce": nonce,
            "issued": time.time(),
            **_binding(request, device),
        },
        salt=limits.START_TICKET_SALT,
    )
    return PersonChallenge(ticket=ticket, challenge=_challenge(nonce))


def person_challenge_again(*, ticket: str) -> PersonChallenge:
    """Return the challenge page of a ticket posted too early: the same ticket, still waiting."""
    data = signing.loads(ticket, salt=limits.START_TICKET_SALT)
    return PersonChallenge(ticket=ticket, challenge=_challenge(str(data["nonce"])))


def _solved(proof: str, nonce: str) -> bool:
    """Return whether the proof is a solution of the challenge handed with this ticket."""
    if not proof or len(proof) > 2000:
        return False
    try:
        payload = json.loads(base64.b64decode(proof, validate=True))
        ok, _error = verify_solution_v1(payload, _hmac_key(), check_expires=True)
        return bool(ok) and extract_params_v1(payload).get("ticket") == [nonce]
    except (ValueError, TypeError, AttributeError):
        return False


def person_ticket_check(
    *, request: HttpRequest, survey_slug: str, device: str, ticket: str, proof: str
) -> Verdict:
    """Judge a ticket posted with consent; an admitted ticket is used up."""
    try:
        data = signing.loads(
            ticket, salt=limits.START_TICKET_SALT, max_age=limits.START_TICKET_SECONDS
        )
    except signing.BadSignature:  # forged, or older than a ticket lives
        return Verdict.REFUSED
    if not isinstance(data, dict) or data.get("survey") != survey_slug:
        return Verdict.REFUSED
    binding = _binding(request, device)
    if any(data.get(name) != value for name, value in binding.items()):
        return Verdict.REFUSED  # issued to another address, browser or device
    nonce = str(data.get("nonce", ""))
    waited = time.time() - float(data.get("issued", 0)) >= limits.PERSON_WAIT_SECONDS
    if not (_solved(proof, nonce) or waited):
        return Verdict.TOO_EARLY
    try:
        # The first use claims the nonce for as long as the ticket could live: a replay fails.
        claimed = cache.add(f"surveys:start-ticket:{nonce}", 1, limits.START_TICKET_SECONDS)
    except Exception:
        logger.warning("start ticket store unavailable", exc_info=True)
        claimed = True  # without the cache nothing is counted either
    return Verdict.ADMITTED if claimed else Verdict.REFUSED


def start_verdict(*, request: HttpRequest, survey_slug: str, device: str) -> Verdict:
    """Judge a consenting visitor's start: a ticket that admits, or within the address's limit.

    A start with an admitted ticket is not counted: the visitor has just shown that a person is
    there. A ticket posted too early still admits a visitor whom the limit lets in anyway.
    """
    ticket = request.POST.get(limits.START_TICKET_FIELD, "")
    verdict = Verdict.REFUSED
    if ticket:
        proof = request.POST.get(limits.PERSON_PROOF_FIELD, "")
        verdict = person_ticket_check(
            request=request, survey_slug=survey_slug, device=device, ticket=ticket, proof=proof
        )
        if verdict is Verdict.ADMITTED:
            return verdict
    return Verdict.ADMITTED if start_within_limit(request=request) else verdict
