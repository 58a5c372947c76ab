"""Limits of the recruitment machinery, kept in one place so tests can tighten them."""

from __future__ import annotations

from datetime import timedelta

# Failed link look-ups a client may make within the window before it is told to wait.
GUESS_LIMIT = 20
GUESS_WINDOW_SECONDS = 10 * 60

# Questionnaires one client address may start within the window (START_RATE_LIMIT): a campus
# behind one address stays under it, a script filling in forms does not. Beyond it each start
# needs a ticket from the "I am a person" page (surveys.links.person_check): bound to the
# browser it was issued to, at most START_TICKET_LIMIT per address and window, admitted once the
# page's script solved its proof of work, or without JavaScript after PERSON_WAIT_SECONDS.
START_WINDOW_SECONDS = 10 * 60
START_TICKET_FIELD = "start_ticket"
PERSON_PROOF_FIELD = "person_proof"
START_TICKET_SALT = "surveys.start-ticket"
START_TICKET_SECONDS = 10 * 60
PERSON_WAIT_SECONDS = 15
# The ALTCHA challenge's number is drawn below this: SHA-256 tried 50,000 times on average,
# about a second in a phone's browser.
PERSON_CHECK_MAX_NUMBER = 100_000

# Another response from the same salted client hash (address and browser) with the same answers
# within this window gets a quality flag: a shared address and browser build alone are common.
SAME_CLIENT_WINDOW = timedelta(hours=24)

# A chain with no completed response for this many days is highlighted on the monitor.
DORMANT_DAYS = 7

# Quality flags written at submit; analysts filter on these stable codes.
FLAG_COUPON_OVERRUN = "coupon_overrun"
FLAG_SAME_CLIENT_RECENTLY = "same_client_recently"
FLAG_SAME_CLIENT_AS_RECRUITER = "same_client_as_recruiter"
# Completed faster than the survey's floor, or than 40 % of the median once 30 responses exist
# (surveys.paradata.speed).
FLAG_TOO_FAST = "too_fast"
# The hidden field that people never see was filled in (surveys.paradata.timing.HONEYPOT_FIELD).
FLAG_HONEYPOT = "honeypot"
# The device cookie's hash already answered this survey; and the earlier answer sits in another
# chain (another seed link's, or another self-started root's): one person in two branches.
FLAG_SAME_DEVICE = "same_device"
FLAG_SAME_DEVICE_OTHER_CHAIN = "same_device_other_chain"
# Added after submit, when the payout contact given was already given for another response
# (incentives.contacts): one person paid twice under two names.
FLAG_SAME_PAYOUT_CONTACT = "same_payout_contact"
