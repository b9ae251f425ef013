"""Reports for download: the evaluation summary as PDF (reportlab), the results as CSV and XLSX.

They render what :mod:`app.results` computed; no figure is computed here. Money is shown in euro
with the Belgian notation of ``app.formatting.euro``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from app.formatting import euro


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return str(value)


def summary_pdf(summary: dict[str, Any]) -> bytes:
    """The evaluation summary of one application as a printable A4 PDF (Dutch)."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    app, call, decision = summary["application"], summary["call"], summary["decision"]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=f"Evaluatie aanvraag {app['id']}",
                            leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm,
                            bottomMargin=2 * cm)
    p = lambda text, style="BodyText": Paragraph(escape(str(text)), styles[style])  # noqa: E731
    story = [
        p(f"Evaluatie van aanvraag {app['id']}: {app['title']}", "Title"),
        p(f"Oproep: {call['name']} ({call['year']})"),
        p(f"Indiener: {app['lead_name']} ({app['lead']}) · gevraagde steun "
          f"{euro(app['requested_grant_cents'])}"),
        Spacer(1, 0.4 * cm),
        p("Beslissing", "Heading2"),
        p({True: "Gefinancierd", False: "Niet gefinancierd", None: "Nog niet beslist"}
          [decision["funded"]] + (f": {decision['reason_nl']}" if decision["funded"] is False
                                  else "")),
    ]
    if summary["evaluated"]:
        story.append(p(f"Rangorde: {summary['rank']} van {summary['of']} · totaalscore "
                       f"{_fmt(summary['total'])}" + (" (voorlopig)" if summary["provisional"]
                                                      else "")))
        for r in summary["reasons"]:
            story.append(p(f"• {r['message_nl']}"))
        story += [Spacer(1, 0.4 * cm), p("Scores per criterium", "Heading2")]
        data = [["Criterium", "Gewicht", "Drempel", "Score", "Bron"]]
        for c in summary["criteria"]:
            data.append([c["name_nl"], _fmt(c["weight"]), _fmt(c["threshold"]), _fmt(c["score"]),
                         {"consensus": "consensus", "mean": "gemiddelde"}.get(c["source"], "–")])
        table = Table(data, repeatRows=1)
        table.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6ee")),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story.append(table)
        for c in summary["criteria"]:
            story += [Spacer(1, 0.3 * cm), p(c["name_nl"], "Heading3")]
            if c["consensus_motivation"]:
                story.append(p(f"Consensus: {c['consensus_motivation']}"))
            for i, m in enumerate(c["juror_motivations"], 1):
                story.append(p(f"Jurylid {i}: {m}"))
    elig = summary["eligibility"]
    story += [Spacer(1, 0.4 * cm), p("Ontvankelijkheid", "Heading2"),
              p("Ontvankelijk" if elig.get("final_eligible") else "Niet ontvankelijk")]
    for rule in elig.get("rules", []):
        if rule.get("status") in ("failed", "flagged"):
            story.append(p(f"• {rule['reason_nl']}"))
    indicators = summary.get("indicators") or {}
    if indicators:
        story += [Spacer(1, 0.4 * cm), p("Adviserende indicatoren", "Heading2")]
        for name in ("leverage", "scalability"):
            ind = indicators.get(name)
            if isinstance(ind, dict) and "score" in ind:
                label = {"leverage": "Hefboomeffect", "scalability": "Opschaalbaarheid"}[name]
                story.append(p(f"{label}: {_fmt(ind['score'])}"))
    doc.build(story)
    return buf.getvalue()


def results_csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    """CSV with a header row; empty cells for missing values; UTF-8 with BOM for spreadsheets."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})
    return out.getvalue()


def results_xlsx(columns: list[str], rows: list[dict[str, Any]], title: str) -> bytes:
    """One sheet, header in bold, frozen first row; numbers stay numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Resultaten"
    ws.append(columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([row.get(k) for k in columns])
    ws.freeze_panes = "A2"
    wb.properties.title = title
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
