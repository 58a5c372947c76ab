"""Signals other apps listen to, so that collecting answers does not depend on analysing them."""

from django.dispatch import Signal

# Sent after the transaction that stored a response commits; kwargs: response.
response_submitted = Signal()

# Sent after a respondent withdraws their response; kwargs: response. Aggregates need a full
# rebuild, since counts cannot be taken back incrementally without knowing what was counted.
response_withdrawn = Signal()

# Sent after an organizer's decision on a flagged response commits (surveys.quality.reviews);
# kwargs: response. It moves in or out of the "without flagged" counts: a full rebuild.
response_reviewed = Signal()

# Sent after a quality flag is added to a stored response (surveys.quality.reviews, e.g. a
# repeated payout contact) commits; kwargs: response. Like a review: a full rebuild.
response_flagged = Signal()

# Sent by analytics after a refresh of a survey's aggregates or estimates published something;
# kwargs: survey_id. Here, not in analytics, because analytics imports recruitment (the
# bundle's recruitment CSV) and recruitment's sample-health alerts listen to it.
survey_refreshed = Signal()
