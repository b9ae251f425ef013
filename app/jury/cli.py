"""Jury commands: ``assign-jurors``, ``select-funding`` and ``audit-verify``.

They run the same code as the API (``app.jury.service``, ``app.results.service``, ``app.core.audit``) and write the
same audit entries, with the actor ``cli``. Errors are one line on stderr and exit status 1.
"""

from __future__ import annotations

import click
from flask import Flask

from app.core.cli import fail
from app.core.formatting import euro
from app.core.problems import Problem

CLI_ACTOR = "cli"


def _call(call_id: int):
    from app.calls.service import get_call

    try:
        return get_call(call_id)
    except Problem as exc:
        fail(exc.detail)


def _detail(exc: Problem) -> str:
    if exc.errors:
        return "; ".join(f"{e.get('field')}: {e.get('message')}" for e in exc.errors)
    return exc.detail


def register(app: Flask) -> None:
    @app.cli.command("assign-jurors")
    @click.argument("call_id", type=int)
    @click.option("--reviewers", type=int, default=None,
                  help="Jurors per application (default: the call's setting, 3).")
    @click.option("--max-load", type=int, default=None,
                  help="Applications per juror at most (default: the call's setting, 8).")
    def assign_jurors_command(call_id: int, reviewers: int | None, max_load: int | None) -> None:
        """Assign jurors to the applications of CALL_ID optimally and store the result."""
        from app.jury import service as jury
        from app.jury import service_assignments as assignments

        call = _call(call_id)
        settings = jury.get_settings(call)
        try:
            out = assignments.compute_assignments(
                call, reviewers or settings.reviewers_per_application,
                max_load or settings.max_load, CLI_ACTOR)
        except Problem as exc:
            fail(_detail(exc))
        loads = ", ".join(f"juror {x['juror']}: {x['load']}" for x in out["loads"])
        click.echo(f"{len(out['assignments'])} assignments ({len(out['added'])} added, "
                   f"{len(out['withdrawn'])} withdrawn), highest load "
                   f"{out['objective']['highest_load']}, {out['objective']['matched_reviews']} "
                   f"reviews with matching expertise")
        click.echo(f"loads: {loads}")

    @app.cli.command("select-funding")
    @click.argument("call_id", type=int)
    @click.option("--budget-euro", type=float, default=None,
                  help="Budget in euro (default: the call's budget).")
    @click.option("--max-per-domain", type=int, default=None)
    @click.option("--max-per-province", type=int, default=None)
    def select_funding_command(call_id: int, budget_euro: float | None,
                               max_per_domain: int | None, max_per_province: int | None) -> None:
        """Exact funding selection for CALL_ID beside the greedy one; stored as current."""
        from app.results import service as results

        call = _call(call_id)
        budget = None if budget_euro is None else round(budget_euro * 100)
        try:
            out = results.compute_selection(call, CLI_ACTOR, budget_cents=budget,
                                            max_per_domain=max_per_domain,
                                            max_per_province=max_per_province)
        except Problem as exc:
            fail(_detail(exc))
        titles = out["titles"]
        click.echo(f"budget {euro(out['budget_cents'])}: funded {len(out['funded'])}, total score "
                   f"{out['total_score']:g}, spent {euro(out['spent_cents'])}")
        for a in out["funded"]:
            click.echo(f"  funded  {a:>6}  {titles.get(str(a), '')}")
        for u in out["unfunded"]:
            click.echo(f"  not     {u['application']:>6}  {u['reason']}")
        click.echo(out["difference"]["explanation"])
        if out["provisional"]:
            click.echo(f"provisional (no consensus yet): {', '.join(map(str, out['provisional']))}")

    @app.cli.command("audit-verify")
    def audit_verify_command() -> None:
        """Check every hash and link of the audit log and its end against the stored head."""
        from app.core.audit import verify_audit

        report = verify_audit()
        if not report.ok:
            fail(report.message())
        click.echo(report.message())
        click.echo(f"head {report.head_hash}")
