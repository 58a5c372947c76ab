"""What the aggregates tell the apps that compute from their counts."""

from django.dispatch import Signal

# Sent by aggregates.refresh.survey_refresh once a survey's counts are up to date (and committed),
# whether or not a new snapshot was due; kwargs: survey_id, snapshot (the one published, or
# None), force. Receivers bring what they compute from the counts up to date in the same run
# (estimates: the RDS estimates) and return what they published, or None. Here, not in
# estimates, because estimates build on the aggregates and the aggregates never import them.
counts_refreshed = Signal()
