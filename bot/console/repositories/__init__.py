"""The console's storage: every query over its tables (and Rasa's events) lives here.

``conversations``: the summary list, one conversation's events and corrections, review,
hand-offs, analytics; ``ingest``: folding Rasa's events into the summary; ``staff``: accounts,
sessions, login buckets, audit; ``erasure``: finding and removing one customer's data.
"""
