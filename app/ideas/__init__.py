"""Idea matchmaking before a call (issue 14): ideas filed in the pre-registration phase, related
ideas with reasons, consortium proposals and the draft applications they become. The pure logic
is in :mod:`matching.ideas`; docs/ideas.md explains the rules."""
