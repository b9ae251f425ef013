"""``flask --app app seed [--demo]``: load the real registry (and the demo call)."""

from __future__ import annotations

import click
from flask import Flask

from app.core.cli import fail


def register(app: Flask) -> None:
    @app.cli.command("seed")
    @click.option("--demo", is_flag=True, help="Also add the demo call with fictitious applications.")
    def seed_command(demo: bool) -> None:
        """Load the real registry (municipalities, domains, projects) from seed_data/; idempotent."""
        from app.registry.seed import SeedError, seed_all

        try:
            report = seed_all()
        except SeedError as err:
            fail(str(err))
        click.echo(report.summary())
        if demo:
            from app.calls.service_demo import seed_demo

            click.echo(seed_demo().summary())
