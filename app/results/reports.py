"""Reports for download: the evaluation summary as PDF (reportlab), the results as CSV and XLSX.

They render what :mod:`app.results.service` computed; no figure is computed here. Money is shown in euro
with the Belgian notation of ``app.core.formatting.euro``.
"""

from __future__ import annotations

import io
from typing import Any

from app.core import spreadsheets
from app.core.formatting import euro, spreadsheet_cell


def _english() -> bool:
    from flask_babel import get_locale

    return str(get_locale()) == "en"


def _fmt(value: Any) -> str:
    from flask_babel import gettext as _

    if value is None:
        return "–"
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if isinstance(value, float):
        return f"{value:.2f}" if _english() else f"{value:.2f}".replace(".", ",")
    return str(value)


def summary_pdf(summary: dict[str, Any]) -> bytes:
    """The evaluation summary of one application as a printable A4 PDF, in the UI language
    (Dutch unless the session or ``?lang=en`` asks for English)."""
    from xml.sax.saxutils import escape

    from flask_babel import gettext as _
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    en = _english()
    styles = getSampleStyleSheet()
    app, call, decision = summary["application"], summary["call"], summary["decision"]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=_("Evaluatie aanvraag %(id)s", id=app["id"]),
                            leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm,
                            bottomMargin=2 * cm)
    p = lambda text, style="BodyText": Paragraph(escape(str(text)), styles[style])  # noqa: E731
    story = [
        p(_("Evaluatie van aanvraag %(id)s: %(title)s", id=app["id"], title=app["title"]), "Title"),
        p(_("Oproep: %(name)s (%(year)s)", name=call["name"], year=call["year"])),
        p(_("Indiener: %(name)s (%(code)s) · gevraagde steun %(grant)s", name=app["lead_name"],
            code=app["lead"], grant=euro(app["requested_grant_cents"]))),
        Spacer(1, 0.4 * cm),
        p(_("Beslissing"), "Heading2"),
        p({True: _("Gefinancierd"), False: _("Niet gefinancierd"), None: _("Nog niet beslist")}
          [decision["funded"]] + (": " + (decision["reason"] if en else decision["reason_nl"])
                                  if decision["funded"] is False else "")),
    ]
    if summary["evaluated"]:
        story.append(p(_("Rangorde: %(rank)s van %(of)s · totaalscore %(total)s", rank=summary["rank"],
                         of=summary["of"], total=_fmt(summary["total"]))
                       + (f" ({_('voorlopig')})" if summary["provisional"] else "")))
        for r in summary["reasons"]:
            story.append(p(f"• {r['message'] if en else r['message_nl']}"))
        story += [Spacer(1, 0.4 * cm), p(_("Scores per criterium"), "Heading2")]
        data = [[_("Criterium"), _("Gewicht"), _("Drempel"), _("Score"), _("Bron")]]
        for c in summary["criteria"]:
            data.append([c["name_en"] if en else c["name_nl"], _fmt(c["weight"]),
                         _fmt(c["threshold"]), _fmt(c["score"]),
                         {"consensus": _("consensus"), "mean": _("gemiddelde")}.get(c["source"], "–")])
        table = Table(data, repeatRows=1)
        table.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6ee")),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story.append(table)
        for c in summary["criteria"]:
            story += [Spacer(1, 0.3 * cm), p(c["name_en"] if en else c["name_nl"], "Heading3")]
            if c["consensus_motivation"]:
                story.append(p(f"{_('Consensus')}: {c['consensus_motivation']}"))
            for i, m in enumerate(c["juror_motivations"], 1):
                story.append(p(f"{_('Jurylid')} {i}: {m}"))
    elig = summary["eligibility"]
    story += [Spacer(1, 0.4 * cm), p(_("Ontvankelijkheid"), "Heading2"),
              p((_("ontvankelijk") if elig.get("final_eligible") else _("niet ontvankelijk")).capitalize())]
    for rule in elig.get("rules", []):
        if rule.get("status") in ("failed", "flagged"):
            story.append(p(f"• {rule['reason_en'] if en else rule['reason_nl']}"))
    indicators = summary.get("indicators") or {}
    if indicators:
        story += [Spacer(1, 0.4 * cm), p(_("Adviserende indicatoren"), "Heading2")]
        for name in ("leverage", "scalability"):
            ind = indicators.get(name)
            if isinstance(ind, dict) and "score" in ind:
                label = {"leverage": _("Hefboomeffect"), "scalability": _("Opschaalbaarheid")}[name]
                story.append(p(f"{label}: {_fmt(ind['score'])}"))
    doc.build(story)
    return buf.getvalue()


def results_csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    """CSV with a header row; empty cells for missing values; UTF-8 with BOM for spreadsheets."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = spreadsheets.csv_dict_writer(out, columns, extrasaction="ignore", lineterminator="\r\n")
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
    from flask_babel import gettext as _

    ws.title = _("Resultaten")
    spreadsheets.xlsx_append(ws, columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        spreadsheets.xlsx_append(ws, [row.get(k) for k in columns])
    ws.freeze_panes = "A2"
    wb.properties.title = spreadsheet_cell(title)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
