"""Cluster plans: the optimizer run as background jobs, their reports and exports."""
