"""The seed-session table plan of a call (issue 14, item 4): the pure plan of
:mod:`matching.ideas.seating` on the call's visible ideas, as JSON and as a printable PDF."""

from __future__ import annotations

import io
from typing import Any

from app.ideas.proposals import proposal_ideas
from app.ideas.related import model_for
from app.models import Call
from app.partners.service import matching_errors
from matching.ideas.seating import plan_dict, seat


def seed_session(call: Call, rounds: int = 2, table_size: int = 4) -> dict[str, Any]:
    """Per domain (the first domain of each idea), per round, the tables with their ideas. Only
    ideas visible to other local governments are seated: the table shows them to each other."""
    rows = proposal_ideas(call)
    by_id = {r.id: r for r in rows}
    with matching_errors():
        model = model_for(rows)
        plan = plan_dict(model, seat(model, rounds, table_size))
    for session in plan:
        for r in session["rounds"]:
            for table in r["tables"]:
                table["ideas"] = [{"idea": i, "title": by_id[i].title,
                                   "refnis": by_id[i].municipality.refnis,
                                   "name_nl": by_id[i].municipality.name_nl}
                                  for i in table["ideas"]]
    return {"call": call.id, "rounds": rounds, "table_size": table_size, "domains": plan}


def seed_session_pdf(call: Call, plan: dict[str, Any]) -> bytes:
    """A4 pages for the day: per domain and round, each table with its ideas and municipalities."""
    from xml.sax.saxutils import escape

    from flask_babel import gettext as _
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    from app.core.labels import domain_label

    styles = getSampleStyleSheet()
    buf = io.BytesIO()
    title = _("Seed-sessie: tafelplan voor %(call)s", call=call.name)
    doc = SimpleDocTemplate(buf, pagesize=A4, title=title, leftMargin=2 * cm,
                            rightMargin=2 * cm, topMargin=2 * cm, bottomMargin=2 * cm)

    def p(text: str, style: str = "BodyText") -> Paragraph:
        return Paragraph(escape(str(text)), styles[style])

    story: list[Any] = [p(title, "Title"),
                        p(_("%(rounds)s ronde(s), tafels van hoogstens %(size)s ideeën",
                            rounds=plan["rounds"], size=plan["table_size"]))]
    if not plan["domains"]:
        story.append(p(_("Nog geen zichtbare ideeën.")))
    for k, session in enumerate(plan["domains"]):
        if k:
            story.append(PageBreak())
        story.append(p(domain_label(session["domain"]), "Heading1"))
        for r in session["rounds"]:
            story.append(p(_("Ronde %(n)s", n=r["round"]), "Heading2"))
            for table in r["tables"]:
                story.append(p(_("Tafel %(n)s", n=table["table"]), "Heading3"))
                for i in table["ideas"]:
                    story.append(p(f"{i['name_nl']} — {i['title']}"))
                story.append(Spacer(1, 0.2 * cm))
    doc.build(story)
    return buf.getvalue()
