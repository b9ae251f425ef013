"""``flask --app app suggest-partners``: ranked partner suggestions as a readable table.

Runs the same query as ``GET /api/v1/partner-suggestions`` (``app.partners.service``) and prints
one row per candidate with its score, the factor contributions and the Dutch reason. Bad input
is one line on stderr and exit status 1.
"""

from __future__ import annotations

import click
from flask import Flask

from app.core.cli import fail
from app.core.problems import Problem
from app.partners.service import partner_suggestions
from matching.graph import MAX_LIMIT
from matching.partners import DOMAIN_NAMES_NL, LOOKING_FOR, MODES
from matching.registry import DOMAINS

_NO_CANDIDATES = {
    "lighthouse": "no candidates: no municipality (within that distance) has more experience in "
                  "this domain",
    "followers": "no candidates: no municipality (within that distance) has less experience in "
                 "this domain",
    "peers": "no candidates within that distance",
}

#: Column headers of the factor contributions, in FACTOR_NAMES order.
_FACTOR_COLUMNS = ("exp", "near", "alike", "ties", "load")


def format_table(result: dict) -> str:
    """The suggestions of ``partner_suggestions`` as a fixed-width table with reasons."""
    q = result["query"]
    head = (f"{q['looking_for']} for {q['municipality']['name_nl']} ({q['municipality']['refnis']})"
            f" in {q['domain']} ({DOMAIN_NAMES_NL[q['domain']]}), {q['mode']}"
            + (f", within {q['max_distance_km']:g} km" if q["max_distance_km"] is not None else "")
            + f"; experience as of {q['as_of_year']}")
    lines = []
    if q.get("resolved_from"):
        lines.append(f"note: {q['resolved_from']['note']}")
    lines.append(head)
    items = result["items"]
    if not items:
        lines.append(_NO_CANDIDATES[q["looking_for"]])
        return "\n".join(lines + _coverage_lines(result))
    width = max(len(f"{i['municipality']['name_nl']} ({i['municipality']['refnis']})")
                for i in items)
    factor_head = " ".join(f"{c:>5}" for c in _FACTOR_COLUMNS)
    lines.append(f"{'#':>3}  {'municipality':<{width}}  {'score':>5}  {'km':>4}  {factor_head}  reason")
    for rank, item in enumerate(items, start=1):
        name = f"{item['municipality']['name_nl']} ({item['municipality']['refnis']})"
        km = next(f["value"] for f in item["factors"] if f["name"] == "distance_km")
        parts = " ".join(f"{f['contribution']:>5.2f}" for f in item["factors"])
        lines.append(f"{rank:>3}  {name:<{width}}  {item['score']:>5.3f}  {km:>4.0f}  {parts}  "
                     f"{item['reasons']['nl']}")
    return "\n".join(lines + _coverage_lines(result))


def _coverage_lines(result: dict) -> list[str]:
    """What the answer stands on, after the table (docs/matching.md, Coverage)."""
    c = result["coverage"]
    lines = [f"coverage: {c['municipalities_with_evidence']} municipalities with evidence in "
             f"{c['domain']}, {c['qualified']} qualified, {c['returned']} of {c['limit']} shown"]
    if c["message"]:
        lines.append(f"coverage note: {c['message']['en']}")
        if c["co_learning"]:
            lines.append("co-learning nearby: " + ", ".join(
                f"{p['municipality']['name_nl']} ({p['distance_km']:.0f} km)"
                for p in c["co_learning"]))
    return lines


def register(app: Flask) -> None:
    @app.cli.command("suggest-partners")
    @click.argument("refnis")
    @click.argument("domain")
    @click.option("--looking-for", "looking_for", default=None,
                  help=f"Required. What you look for: {', '.join(LOOKING_FOR)}.")
    @click.option("--mode", default="geographic", show_default=True,
                  help=f"{' or '.join(MODES)}: neighbours first, or type and size first.")
    @click.option("--limit", default=10, show_default=True, type=str,
                  help=f"How many suggestions (1 to {MAX_LIMIT}).")
    @click.option("--max-distance-km", "max_distance_km", default=None, type=str,
                  help="Only candidates within this many km.")
    def suggest_partners_command(refnis: str, domain: str, looking_for: str | None, mode: str,
                                 limit: str, max_distance_km: str | None) -> None:
        """Partner suggestions for municipality REFNIS (or name) in DOMAIN, with reasons.

        DOMAIN is one of mobility, environment, living, people, governance, economy.
        """
        if looking_for is None:
            fail(f"--looking-for is required: {', '.join(LOOKING_FOR)}")
        for field, value, valid in (("domain", domain, DOMAINS),
                                    ("--looking-for", looking_for, LOOKING_FOR),
                                    ("--mode", mode, MODES)):
            if value not in valid:
                fail(f"{field}: unknown value {value!r}; valid values: {', '.join(valid)}")
        try:
            count = int(limit)
        except ValueError:
            count = -1
        if not 1 <= count <= MAX_LIMIT:
            fail(f"--limit: must be an integer from 1 to {MAX_LIMIT}, got {limit!r}")
        distance = None
        if max_distance_km is not None:
            try:
                distance = float(max_distance_km)
            except ValueError:
                distance = float("nan")
            if not (0 <= distance < float("inf")):
                fail(f"--max-distance-km: must be a number of km >= 0, got {max_distance_km!r}")
        try:
            result = partner_suggestions(refnis, domain, looking_for, mode, count, distance,
                                         allow_name=True)
        except Problem as problem:
            if problem.status == 404:
                fail(f"unknown municipality {refnis!r}: give a REFNIS code (e.g. 24066) or a "
                     "municipality name")
            fail("; ".join(f"{e['field']}: {e['message']}" for e in problem.errors)
                 or problem.detail)
        click.echo(format_table(result))
