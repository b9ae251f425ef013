"""Shared infrastructure: extensions, problem details, auth, audit chain, the API and page blueprints."""
