"""Experiment statistics computed where the data lives (no Django).

An analyst gives an exposure SQL (`unit_id, variation, first_exposure_at` and any dimension
columns) and a metric SQL (`unit_id, timestamp, value`, or `numerator, denominator` for a ratio
metric). `query.py` writes ONE query that joins them inside the warehouse and returns the
per-variation sufficient statistics (n, Σx, Σx², the ratio and CUPED sums and cross-products),
per dimension cell in the same pass; `sources.py` opens the warehouse from a SQLAlchemy-style URL,
read-only and with a time limit; `pushdown.py` runs it and hands the sums to
`learnloop.analytics.stats`. Unit rows never leave the warehouse.

sqlalchemy and the database drivers load inside the functions that use them.
"""
