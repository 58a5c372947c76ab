"""Signals other apps listen to, so that collecting answers does not depend on analysing them."""

from django.dispatch import Signal

# Sent after the transaction that stored a response commits; kwargs: response.
response_submitted = Signal()

# Sent after a respondent withdraws their response; kwargs: response. Aggregates need a full
# rebuild, since counts cannot be taken back incrementally without knowing what was counted.
response_withdrawn = Signal()
