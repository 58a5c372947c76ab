"""The change feed: which responses changed since a consumer last counted, and its new cursor.

The aggregates (analytics) and the monitor's tally (recruitment) count the same responses
incrementally; both read their increments here, so that late commits, withdrawals, flags and
reviews are handled once. ``cursor`` holds the stored positions, ``feed`` reads the database.
"""
