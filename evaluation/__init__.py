"""Pure-Python evaluation layer: calls, eligibility, indicators, jury assignment, aggregation, selection.

Nothing in this package imports Flask.
"""
