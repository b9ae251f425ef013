"""Promised versus delivered per call (the ex-post report): the evidence to tune the indicators'
weights for the next call.

Per funded project: the followers the application named against the municipalities that
implemented the result (named ones and others), the deliverables it promised against the ones an
approved report delivered with a checkable link, and the leverage and scalability indicators as
they stood at the decision against what happened: the shares of followers and deliverables that
came true, and the same two indicators computed again as delivered (the municipalities that
implemented in place of the committed followers, each counted as confirmed; the results an
approved report delivered, with their links, in place of the promised deliverables; on today's
registry). Only recorded facts: a project without reports or adoptions shows zero delivered.
"""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

from app.core import spreadsheets
from app.followup.adoptions import adoptions_of, counts
from app.followup.reports import milestones_of, reports_of
from app.followup.service import FINAL_REPORT, funded_projects_of_call, lead_of, promised_deliverables
from app.models import Call, FundedProject
from evaluation.applications import Deliverables, Evidence
from evaluation.calls import VGC_NAME
from evaluation.indicators import compute_indicators

#: Deliverable field (and link key) a delivered result of each kind stands for.
_RESULT_FIELD = {"repository": "open_source", "dataset": "open_data", "playbook": "playbook",
                 "model_specification": "model_specification"}


def _share(done: int, promised: int) -> float | None:
    return round(done / promised, 4) if promised else None


def as_delivered(evaluation: Any, funding: FundedProject, adopters: list[str]) -> dict[str, Any]:
    """Leverage and scalability of the application computed again with what happened."""
    pure = evaluation.pure_of(funding.application)
    flags: dict[str, Any] = {"oslo": [], "links": {}}
    for r in reports_of(funding.project):
        if r.status != "approved":
            continue
        for x in r.results or []:
            if x["kind"] == "oslo_specification":
                flags["oslo"].append(x["url"])
            elif x["kind"] in _RESULT_FIELD:
                field = _RESULT_FIELD[x["kind"]]
                flags[field] = True
                flags["links"].setdefault(field, x["url"])
    delivered = Deliverables(
        playbook=flags.get("playbook", False),
        model_specification=flags.get("model_specification", False),
        open_source=flags.get("open_source", False), open_data=flags.get("open_data", False),
        oslo=tuple(flags["oslo"]), vloca=pure.deliverables.vloca, links=flags["links"])
    pure = replace(pure, committed_followers=tuple(adopters), deliverables=delivered,
                   follower_letters={r: Evidence("secretariat") for r in adopters})
    ind = compute_indicators(pure, evaluation.indicator_context()).to_dict()
    return {"leverage": ind["leverage"]["score"], "scalability": ind["scalability"]["score"]}


def project_row(funding: FundedProject, evaluation: Any = None) -> dict[str, Any]:
    project, app = funding.project, funding.application
    promised = [f.municipality.current().refnis for f in app.followers]
    implemented = [a.municipality.refnis for a in adoptions_of(project) if counts(a)]
    adopted_promised = [r for r in promised if r in implemented]
    results_promised = promised_deliverables(app)
    delivered = sorted({m.code for m in milestones_of(project)
                        if m.delivered_at is not None and m.code != FINAL_REPORT})
    final = next((r for r in reports_of(project) if r.kind == "final" and r.status == "approved"),
                 None)
    lead = lead_of(project)
    at_decision = funding.indicators_at_decision or {}
    return {
        "project": project.id,
        "application": app.id,
        "title": project.title,
        "lead": lead.refnis if lead else "VGC",
        "lead_name": lead.name_nl if lead else VGC_NAME,
        "followers_promised": promised,
        "followers_adopted": adopted_promised,
        "other_adopters": [r for r in implemented if r not in promised],
        "results_promised": results_promised,
        "results_delivered": [c for c in delivered if c in results_promised],
        "results_unpromised": [c for c in delivered if c not in results_promised],
        "final_report_approved": final is not None,
        "balance_due_at": funding.balance_due_at.isoformat() if funding.balance_due_at else None,
        "at_decision": {
            "leverage": at_decision.get("leverage"),
            "scalability": at_decision.get("scalability"),
            "followers_counted": at_decision.get("followers_counted", []),
            "deliverables_counted": at_decision.get("deliverables_counted", []),
        },
        "happened": {
            "follower_share": _share(len(adopted_promised), len(promised)),
            "result_share": _share(len([c for c in delivered if c in results_promised]),
                                   len(results_promised)),
            "adopters": len(implemented),
            **(as_delivered(evaluation, funding, implemented) if evaluation is not None
               else {"leverage": None, "scalability": None}),
        },
    }


def ex_post(call: Call) -> dict[str, Any]:
    funded = funded_projects_of_call(call)
    evaluation = None
    if funded:
        from app.calls.service_evaluation import CallEvaluation  # late: the calls layer

        evaluation = CallEvaluation(call)
    rows = [project_row(f, evaluation) for f in funded]
    totals = {
        "projects": len(rows),
        "followers_promised": sum(len(r["followers_promised"]) for r in rows),
        "followers_adopted": sum(len(r["followers_adopted"]) for r in rows),
        "other_adopters": sum(len(r["other_adopters"]) for r in rows),
        "results_promised": sum(len(r["results_promised"]) for r in rows),
        "results_delivered": sum(len(r["results_delivered"]) for r in rows),
        "final_reports_approved": sum(1 for r in rows if r["final_report_approved"]),
    }
    return {"call": call.id, "name": call.name, "year": call.year, "totals": totals, "items": rows}


CSV_COLUMNS = ("project", "application", "title", "lead", "followers_promised",
               "followers_adopted", "other_adopters", "results_promised", "results_delivered",
               "final_report_approved", "balance_due_at", "leverage_at_decision",
               "scalability_at_decision", "leverage_as_delivered", "scalability_as_delivered",
               "follower_share", "result_share")


def _table(report: dict[str, Any]) -> list[list[Any]]:
    """One row per funded project; lists joined with spaces (REFNIS codes, deliverable codes)."""
    rows = []
    for r in report["items"]:
        rows.append([
            r["project"], r["application"], r["title"], r["lead"],
            " ".join(r["followers_promised"]), " ".join(r["followers_adopted"]),
            " ".join(r["other_adopters"]), " ".join(r["results_promised"]),
            " ".join(r["results_delivered"]), "yes" if r["final_report_approved"] else "no",
            r["balance_due_at"] or "", r["at_decision"]["leverage"],
            r["at_decision"]["scalability"], r["happened"]["leverage"],
            r["happened"]["scalability"], r["happened"]["follower_share"],
            r["happened"]["result_share"],
        ])
    return rows


def ex_post_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = spreadsheets.csv_writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_table(report))
    return out.getvalue()


def ex_post_xlsx(report: dict[str, Any]) -> bytes:
    """The same table as a spreadsheet (one sheet, the columns of the CSV)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "ex-post"
    sheet.append(list(CSV_COLUMNS))
    for row in _table(report):
        spreadsheets.xlsx_append(sheet, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export(report: dict[str, Any], fmt: str) -> tuple[str | bytes, str, str]:
    """The report as a file: (content, media type, file name); ``fmt`` is csv or xlsx."""
    name = f"ex-post-call-{report['call']}"
    if fmt == "xlsx":
        return ex_post_xlsx(report), XLSX_TYPE, f"{name}.xlsx"
    return ex_post_csv(report), "text/csv", f"{name}.csv"
