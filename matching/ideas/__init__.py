"""Idea matchmaking, pure: relatedness of ideas with its factors, the consortium model and its
CP-SAT solve, and seed-session table plans (issue 14, docs/ideas.md). No Flask."""
