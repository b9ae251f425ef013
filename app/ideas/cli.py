"""``flask --app app seed-session CALL_ID``: the seed-session table plan as text or PDF, for an
operator preparing the day (the same plan as ``GET /api/v1/calls/<id>/seed-session``). Bad input
is one line on stderr and exit status 1."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask_babel import force_locale

from app.calls.service import get_call
from app.core.cli import fail
from app.core.problems import Problem
from app.ideas.seed_session import seed_session, seed_session_pdf


def format_plan(plan: dict) -> str:
    lines = [f"seed session of call {plan['call']}: {plan['rounds']} round(s), tables of at most "
             f"{plan['table_size']} ideas"]
    if not plan["domains"]:
        lines.append("no visible ideas yet")
    for session in plan["domains"]:
        lines.append(f"\n== {session['domain']}")
        for r in session["rounds"]:
            lines.append(f"-- round {r['round']}")
            for t in r["tables"]:
                repeated = f" ({t['repeated_pairs']} pair(s) met before)" if t["repeated_pairs"] else ""
                lines.append(f"   table {t['table']}{repeated}:")
                lines += [f"     {i['name_nl']} ({i['refnis']}): {i['title']} [idea {i['idea']}]"
                          for i in t["ideas"]]
    return "\n".join(lines)


def register(app: Flask) -> None:
    @app.cli.command("seed-session")
    @click.argument("call_id", type=int)
    @click.option("--rounds", default=2, show_default=True, type=int, help="1 to 5 rounds.")
    @click.option("--table-size", "table_size", default=4, show_default=True, type=int,
                  help="Most ideas at one table (2 to 12).")
    @click.option("--pdf", "pdf", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="Write the printable PDF here instead of printing the plan.")
    def seed_session_command(call_id: int, rounds: int, table_size: int, pdf: Path | None) -> None:
        """Print (or write as PDF) the seed-session table plan of a call's visible ideas."""
        if not 1 <= rounds <= 5:
            fail("--rounds: between 1 and 5")
        if not 2 <= table_size <= 12:
            fail("--table-size: between 2 and 12")
        try:
            call = get_call(call_id)
            plan = seed_session(call, rounds, table_size)
        except Problem as exc:
            fail(exc.detail)
        if pdf is None:
            click.echo(format_plan(plan))
            return
        with force_locale("nl"):  # no request to take the language from: Dutch, as the day is
            pdf.write_bytes(seed_session_pdf(call, plan))
        click.echo(f"wrote {pdf}")
