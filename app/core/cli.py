"""Shared by every feature's ``cli`` module: errors exit non-zero with one readable line."""

from __future__ import annotations

import click


def fail(message: str) -> None:
    """Print one line to stderr and exit 1 (click's ClickException does the same)."""
    raise click.ClickException(message)
