"""Calls and applications: criteria, eligibility, indicators, import, the demo call."""
