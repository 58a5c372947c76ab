"""Signals other apps listen to, so that collecting answers does not depend on analysing them."""

from django.dispatch import Signal

# Sent after the transaction that stored a response commits; kwargs: response.
response_submitted = Signal()
