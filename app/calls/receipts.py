"""The submission receipt as a printable PDF (reportlab), in the UI language.

It renders what was stored at submission (``application.receipt_content`` and
``receipt_sha256``); nothing is recomputed, so the PDF shows the same hash the API answered and
anyone can recompute it from the content and the documents (docs/calls.md, "Receipt").
"""

from __future__ import annotations

import io
from typing import Any

from app.core.formatting import euro
from app.models import Application


def receipt_pdf(row: Application) -> bytes:
    """One A4 page: application, call, lead, submission time (Brussels), SHA-256, documents."""
    from xml.sax.saxutils import escape

    from flask_babel import gettext as _
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    from evaluation.phases import DEADLINE_TZ

    styles = getSampleStyleSheet()
    stored: dict[str, Any] = row.receipt_content or {}
    content = stored.get("application", {})
    docs = stored.get("documents", [])
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=_("Ontvangstbewijs aanvraag %(id)s", id=row.id),
                            leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm,
                            bottomMargin=2 * cm)
    p = lambda text, style="BodyText": Paragraph(escape(str(text)), styles[style])  # noqa: E731
    local = row.submitted_at.astimezone(DEADLINE_TZ) if row.submitted_at else None
    story = [
        p(_("Ontvangstbewijs van aanvraag %(id)s", id=row.id), "Title"),
        p(_("Oproep: %(name)s (%(year)s)", name=row.call.name, year=row.call.year)),
        p(_("Titel: %(title)s", title=content.get("title", row.title))),
        p(_("Indiener: %(code)s", code=content.get("lead", row.lead_code))),
        p(_("Gevraagde steun: %(grant)s",
            grant=euro(int(content.get("requested_grant_cents", row.requested_grant_cents))))),
        p(_("Ingediend op %(when)s (Brusselse tijd)",
            when=local.strftime("%Y-%m-%d %H:%M:%S") if local else "–")),
        Spacer(1, 0.4 * cm),
        p(_("SHA-256 over de inhoud en de documenten"), "Heading2"),
        p(row.receipt_sha256 or "–", "Code"),
        Spacer(1, 0.4 * cm),
        p(_("Documenten"), "Heading2"),
    ]
    if docs:
        for d in docs:
            label = d["kind"] + (f" ({d['refnis']})" if d.get("refnis") else "")
            story.append(p(f"{label}: {d['sha256']}", "Code"))
    else:
        story.append(p(_("geen")))
    story += [
        Spacer(1, 0.4 * cm),
        p(_("De hash is de SHA-256 van de canonieke JSON van de inhoud en de hashes van de "
            "documenten; iedereen met dezelfde inhoud en bestanden kan hem narekenen.")),
    ]
    doc.build(story)
    return buf.getvalue()
