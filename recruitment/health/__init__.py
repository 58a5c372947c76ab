"""The sample's health on the organizers' monitor: alerts computed from the data, with thresholds.

``thresholds`` holds the defaults and the organizer's overrides, ``chains`` and ``convergence``
compute the alerts, ``texts`` words them, ``store`` keeps them in the cache after each refresh
of the aggregates, ``snooze`` mutes one for a while, ``digest`` gathers the daily digest.
"""
