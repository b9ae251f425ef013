"""``flask --app app funded-projects``, ``ex-post`` and ``open-data``: what an operator scripts
after a call's decision (the same services as the API; docs/followup.md)."""

from __future__ import annotations

import json

import click
from flask import Flask

from app.core.cli import fail
from app.core.problems import Problem
from app.followup import expost, programme
from app.followup import service as followup


def _call(call_id: int):
    from app.calls.service import get_call

    try:
        return get_call(call_id)
    except Problem as exc:
        fail(exc.detail)


def register(app: Flask) -> None:
    @app.cli.command("funded-projects")
    @click.argument("call_id", type=int)
    def funded_projects_command(call_id: int) -> None:
        """Create the registry projects of published call CALL_ID's funded applications (those
        not created yet; publication does it itself)."""
        try:
            created = followup.rerun(_call(call_id), "cli")
        except Problem as exc:
            fail(exc.detail)
        click.echo(f"{len(created)} project(s) created"
                   + (": " + ", ".join(str(f.project_id) for f in created) if created else ""))

    @app.cli.command("ex-post")
    @click.argument("call_id", type=int)
    @click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
                  show_default=True)
    def ex_post_command(call_id: int, fmt: str) -> None:
        """Promised versus delivered per funded project of call CALL_ID, to stdout."""
        report = expost.ex_post(_call(call_id))
        click.echo(json.dumps(report, ensure_ascii=False, indent=2) if fmt == "json"
                   else expost.ex_post_csv(report), nl=fmt == "json")

    @app.cli.command("open-data")
    @click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
                  show_default=True)
    def open_data_command(fmt: str) -> None:
        """Funded projects and their published results with the licence line, to stdout."""
        data = programme.open_data()
        click.echo(json.dumps(data, ensure_ascii=False, indent=2) if fmt == "json"
                   else programme.open_data_csv(data), nl=fmt == "json")
