"""``flask --app app plan-clusters`` (a plan in the foreground) and ``flask --app app worker``.

``plan-clusters`` checks its options with the same schema and registry checks as
``POST /api/v1/cluster-plans``, stores the plan (so it shows on the planning page and can be
compared and exported later) and solves it in this process with a progress bar over the time
limit; the web page can follow and even cancel it meanwhile. ``worker`` runs an RQ worker that
takes the plans queued on Redis (``REDIS_URL``). Errors are one line and a non-zero exit.
"""

from __future__ import annotations

import math
import sys
import threading

import click
from flask import Flask, current_app
from marshmallow import ValidationError

from app.core.cli import fail
from app.core.extensions import db
from app.core.problems import Problem, flatten_marshmallow
from app.models import ClusterPlan
from app.models.registry import utcnow
from app.planning import jobs
from app.planning.schemas import (
    DEFAULT_TIME_LIMIT_S,
    ClusterPlanInSchema,
)
from app.planning.service import DEFAULT_MIN_MATURITY, new_plan, plan_warnings
from matching.experience import MATURITY_CLASSES
from matching.registry import DOMAINS

#: CLI option of each API parameter, for error lines that name what the operator typed.
OPTION_OF = {
    "domains": "--domain", "lighthouses": "--lighthouses", "min_lighthouses": "--min-lighthouses",
    "max_lighthouses": "--max-lighthouses", "lighthouse_cost": "--lighthouse-cost",
    "max_followers": "--max-followers", "min_followers": "--min-followers",
    "max_distance_km": "--max-distance-km", "participants": "--participants",
    "participants_from": "--participants-from",
    "excluded": "--exclude", "pinned_lighthouses": "--pin", "min_maturity": "--min-maturity",
    "time_limit_s": "--time-limit", "name": "--name",
}


def _option(field: str) -> str:
    return OPTION_OF.get(field.split(".")[0], field)


def _codes(values: tuple[str, ...]) -> list[str]:
    return [c.strip() for v in values for c in v.replace(";", ",").split(",") if c.strip()]


def _pins(values: tuple[str, ...]) -> dict[str, list[str]]:
    pins: dict[str, list[str]] = {}
    for value in values:
        domain, sep, codes = value.partition(":")
        if not sep or not codes.strip():
            fail(f"--pin: give DOMAIN:REFNIS[,REFNIS...], e.g. mobility:71022 (got {value!r})")
        pins.setdefault(domain.strip(), []).extend(_codes((codes,)))
    return pins


def _first_error(errors: list[dict]) -> str:
    error = errors[0]
    field = error.get("field") or ""
    detail = field.split(".", 1)[1] + ": " if field.startswith("pinned_lighthouses.") else ""
    return f"{_option(field)}: {detail}{error['message']}"


def format_summary(plan: ClusterPlan) -> str:
    """The end of a plan in a few lines: status, objective, bound, gap, then one line per
    cluster (domain, lighthouse, followers, farthest follower in km)."""
    result = plan.result or {}
    lines = [f"plan {plan.id}: {plan.status}"]
    if plan.status == "failed":
        lines.append(f"error: {plan.error}")
        return "\n".join(lines)
    if not result:
        return "\n".join(lines)
    if result["status"] == "infeasible" or result.get("objective") is None:
        lines.append(f"{result['status']}: {result.get('reason')}")
        return "\n".join(lines)

    def num(value, digits=2):
        return "-" if value is None else f"{value:.{digits}f}"

    gap = result.get("gap")
    lines.append(f"{result['status']}: objective {num(result.get('objective'))}, lower bound "
                 f"{num(result.get('lower_bound'))}, gap "
                 f"{'-' if gap is None else f'{gap * 100:.2f} %'}, {num(result.get('seconds'), 1)} s")
    clusters = result.get("clusters") or []
    width = max((len(f"{c['lighthouse']['name']} ({c['lighthouse']['refnis']})") for c in clusters),
                default=10)
    lines.append(f"{'domain':<12} {'lighthouse':<{width}} {'followers':>9} {'max km':>7}")
    for c in clusters:
        head = f"{c['lighthouse']['name']} ({c['lighthouse']['refnis']})"
        far = max((f["distance_km"] for f in c["followers"]), default=0.0)
        lines.append(f"{c['domain']:<12} {head:<{width}} {len(c['followers']):>9} {far:>7.1f}")
    return "\n".join(lines)


def register(app: Flask) -> None:
    @app.cli.command("plan-clusters")
    @click.option("--domain", "domains", multiple=True, required=True,
                  help=f"Domain to plan (repeat for several): {', '.join(DOMAINS)}.")
    @click.option("--lighthouses", type=int, default=None, help="Exact number of lighthouses per domain.")
    @click.option("--min-lighthouses", type=int, default=None, help="At least this many per domain.")
    @click.option("--max-lighthouses", type=int, default=None, help="At most this many per domain.")
    @click.option("--lighthouse-cost", type=float, default=None,
                  help="Fixed cost per lighthouse when the solver chooses the number.")
    @click.option("--max-followers", type=int, default=None, help="At most this many followers per lighthouse.")
    @click.option("--min-followers", type=int, default=0, show_default=True,
                  help="At least this many followers per lighthouse.")
    @click.option("--max-distance-km", type=float, default=None, help="Farthest follower from its lighthouse (km).")
    @click.option("--participants", multiple=True,
                  help="REFNIS codes, comma-separated (default: see --participants-from).")
    @click.option("--participants-from", type=click.Choice(("declared", "all")),
                  default="declared", show_default=True,
                  help="Without --participants: the municipalities that declared an interest in "
                       "a planned domain, or all Flemish municipalities (with a warning).")
    @click.option("--exclude", "excluded", multiple=True, help="REFNIS codes to leave out.")
    @click.option("--pin", "pins", multiple=True, help="DOMAIN:REFNIS[,REFNIS] must be lighthouses.")
    @click.option("--min-maturity", default=DEFAULT_MIN_MATURITY, show_default=True,
                  help=f"Candidates need at least this maturity class: {', '.join(MATURITY_CLASSES)}.")
    @click.option("--allow-several-domains", is_flag=True,
                  help="Let a municipality be lighthouse in more than one domain.")
    @click.option("--time-limit", "time_limit", type=float, default=DEFAULT_TIME_LIMIT_S,
                  show_default=True, help="Seconds before the best plan found is kept.")
    @click.option("--name", default=None, help="A label for the plan.")
    def plan_clusters(domains, lighthouses, min_lighthouses, max_lighthouses, lighthouse_cost,
                      max_followers, min_followers, max_distance_km, participants, participants_from,
                      excluded, pins, min_maturity, allow_several_domains, time_limit, name) -> None:
        """Solve a cluster plan in the foreground with a progress bar, store it, summarise it."""
        body = {"domains": list(domains), "lighthouses": lighthouses,
                "min_lighthouses": min_lighthouses, "max_lighthouses": max_lighthouses,
                "lighthouse_cost": lighthouse_cost, "max_followers": max_followers,
                "min_followers": min_followers, "max_distance_km": max_distance_km,
                "participants_from": participants_from,
                "excluded": _codes(excluded), "pinned_lighthouses": _pins(pins),
                "min_maturity": min_maturity,
                "one_domain_per_lighthouse": not allow_several_domains,
                "time_limit_s": time_limit, "name": name}
        if participants:
            body["participants"] = _codes(participants)
        try:
            plan = new_plan(ClusterPlanInSchema().load(body), None, backend="cli")
        except ValidationError as err:
            fail(_first_error(flatten_marshmallow(err.messages)))
        except Problem as problem:
            fail(_first_error(problem.errors) if problem.errors else problem.detail)
        click.echo(f"plan {plan.id}: solving {', '.join(domains)} for at most {time_limit:g} s",
                   err=True)
        for warning in plan_warnings(plan.params):
            click.echo(f"warning: {warning['message']}", err=True)
        steps = max(1, int(round(time_limit * 10)))
        with click.progressbar(length=steps, label="solving", file=sys.stderr,
                               show_eta=False, item_show_func=lambda gap: gap) as bar:
            done = [0]
            lock = threading.Lock()  # the solver and the heartbeat both report

            def progress(elapsed_s, best, bound, gap) -> None:
                target = min(steps, int(elapsed_s * 10))
                text = ("gap -" if gap is None or not math.isfinite(gap)
                        else f"gap {gap * 100:.2f} %")
                with lock:
                    bar.update(max(0, target - done[0]), text)
                    done[0] = max(done[0], target)

            try:
                jobs.run_plan(plan.id, on_progress=progress)
            except KeyboardInterrupt:
                _interrupted(plan.id)
                fail(f"plan {plan.id}: interrupted, marked cancelled")
            bar.update(steps - done[0], "finished")
        db.session.expire_all()
        plan = db.session.get(ClusterPlan, plan.id)
        click.echo(format_summary(plan))
        if plan.status == "failed":
            raise SystemExit(1)

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
    @click.option("--simple", is_flag=True,
                  help="Run jobs in this process instead of a forked one (debugging, tests).")
    def worker(burst: bool, simple: bool) -> None:
        """Run an RQ worker for the cluster plans queued on Redis (REDIS_URL)."""
        url = current_app.config.get("REDIS_URL")
        if not url:
            fail("REDIS_URL is not set: export REDIS_URL=redis://HOST:6379/0 (without it, plans "
                 "run in the web process and need no worker)")
        from redis.exceptions import RedisError
        from rq import SimpleWorker, Worker

        connection = jobs.redis_connection(url)
        try:
            connection.ping()
        except RedisError as exc:
            fail(f"Redis at REDIS_URL is unreachable: {exc}")
        jobs.bind_worker_app(current_app._get_current_object())
        db.engine.dispose()  # a forked work horse must not share this process's connections
        cls = SimpleWorker if simple else Worker
        name = jobs.queue_name()
        click.echo(f"worker on queue {name!r} at {connection.connection_pool.connection_kwargs.get('host')}",
                   err=True)
        options = {} if simple else {"work_horse_killed_handler": jobs.work_horse_killed}
        cls([name], connection=connection, **options).work(burst=burst, with_scheduler=False)


def _interrupted(plan_id: int) -> None:
    """Ctrl-C in the foreground solve: the plan is cancelled instead of left running."""
    db.session.rollback()
    plan = db.session.get(ClusterPlan, plan_id)
    if plan is not None and plan.is_active:
        plan.status, plan.finished_at, plan.cancel_requested = "cancelled", utcnow(), True
        db.session.commit()
