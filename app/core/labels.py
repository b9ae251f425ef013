"""Display labels for the codes the pages show, and the text of the HTML error pages.

Statuses, roles, organisation types, programmes and domain codes are stored as English codes;
a page that printed them as they are would show English in the Dutch interface. Their labels are
Dutch msgids (English from the catalog), in one place, available to every template as
``label(kind, code)``, ``domain_label(code)`` and ``localized(row)`` (template globals, so macros
imported without context see them too). Unknown codes are shown as they are.
"""

from __future__ import annotations

from typing import Any

from flask import g
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from app.core.web import bp

LABELS: dict[str, dict[str, Any]] = {
    # Audit actions (app/core/audit.py): what happened, in words; the code stays beside it.
    "audit_action": {
        "account.created": _l("account aangemaakt"),
        "account.invitation_accepted": _l("uitnodiging aanvaard"),
        "account.invited": _l("gebruiker uitgenodigd"),
        "account.logout": _l("afgemeld (alle sessies)"),
        "account.password_changed": _l("wachtwoord gewijzigd"),
        "account.reinvited": _l("nieuwe uitnodigingslink"),
        "adoption.recorded": _l("overname geregistreerd"),
        "application.amendment": _l("aanvraag aangevuld"),
        "application.create": _l("aanvraag aangemaakt"),
        "application.delete": _l("aanvraag verwijderd"),
        "application.eligibility_override": _l("ontvankelijkheid manueel beslist"),
        "application.submit": _l("aanvraag ingediend"),
        "application.update": _l("aanvraag gewijzigd"),
        "application.withdraw": _l("aanvraag ingetrokken"),
        "applications.import": _l("aanvragen geïmporteerd"),
        "call.create": _l("oproep aangemaakt"),
        "call.evaluation_frozen": _l("evaluatie bevroren"),
        "call.evaluation_recomputed": _l("evaluatie herberekend"),
        "call.published": _l("resultaten gepubliceerd"),
        "call.transition": _l("fase van de oproep gewijzigd"),
        "call.update": _l("oproep gewijzigd"),
        "cluster.adopted": _l("cluster overgenomen uit een plan"),
        "cluster.member": _l("clusterlid toegevoegd"),
        "cluster.session": _l("kennisdelingssessie geregistreerd"),
        "consensus.recorded": _l("consensus vastgelegd"),
        "consortium.respond": _l("antwoord op een consortiumvoorstel"),
        "consortium.start": _l("consortiumvoorstellen berekend"),
        "declaration.participation": _l("deelname aangegeven"),
        "declaration.project": _l("project aangegeven"),
        "declaration.review": _l("aangifte beoordeeld"),
        "demo.seed": _l("demo-oproep aangemaakt"),
        "document.first_download": _l("document voor het eerst gedownload"),
        "document.upload": _l("document opgeladen"),
        "idea.create": _l("idee ingediend"),
        "idea.delete": _l("idee ingetrokken"),
        "idea.update": _l("idee gewijzigd"),
        "interest.set": _l("interesse per domein aangegeven"),
        "jury.affiliations_changed": _l("verbondenheid van een jurylid gewijzigd"),
        "jury.assignment_fixed": _l("vast toegewezen"),
        "jury.assignment_removed": _l("toewijzing ingetrokken"),
        "jury.assignments_computed": _l("juryleden toegewezen"),
        "jury.conflict_declared": _l("belangenconflict gemeld"),
        "jury.declaration_signed": _l("verklaring op eer ondertekend"),
        "jury.juror_added": _l("jurylid toegevoegd"),
        "jury.juror_removed": _l("jurylid verwijderd"),
        "jury.reassigned_after_conflict": _l("opnieuw toegewezen na een belangenconflict"),
        "jury.settings_changed": _l("instellingen van de jury gewijzigd"),
        "milestone.planned": _l("mijlpaal gepland"),
        "personal_data.erased": _l("persoonsgegevens gewist"),
        "personal_data.purged": _l("persoonsgegevens gewist na de bewaartermijn"),
        "plan.cancel": _l("clusterplan geannuleerd"),
        "plan.create": _l("clusterplan gestart"),
        "plan.retry": _l("clusterplan opnieuw gestart"),
        "project.create": _l("project toegevoegd"),
        "project.created_from_application": _l("project aangemaakt uit een aanvraag"),
        "project.delete": _l("project verwijderd"),
        "project.update": _l("project gewijzigd"),
        "projects.created_from_call": _l("projecten aangemaakt uit een oproep"),
        "projects.import": _l("projecten geïmporteerd"),
        "report.reviewed": _l("rapport beoordeeld"),
        "report.submitted": _l("rapport ingediend"),
        "score.reconfirm": _l("scores opnieuw bevestigd"),
        "score.saved": _l("score bewaard (concept)"),
        "score.submitted": _l("scores ingediend"),
        "selection.computed": _l("selectie voor financiering berekend"),
        "token.created": _l("API-token aangemaakt"),
        "token.revoked": _l("API-token ingetrokken"),
    },
    "project_status": {
        "planned": _l("gepland"), "running": _l("lopend"), "completed": _l("afgerond"),
        "stopped": _l("stopgezet"), "unknown": _l("onbekend"),
    },
    "participation_role": {
        "lead": _l("indiener"), "partner": _l("partner"), "follower": _l("volger"),
        "adopter": _l("overnemer"),
    },
    "organisation_type": {
        "intercommunale": _l("intercommunale"), "province": _l("provincie"),
        "knowledge_institution": _l("kennisinstelling"), "flemish_government": _l("Vlaamse overheid"),
        "vvsg": _l("VVSG"), "company": _l("bedrijf"), "other": _l("andere"),
    },
    # Programme codes are proper names (city-of-things-2017, efro ...); these are words.
    "programme": {"other": _l("ander programma"), "not-stated": _l("programma niet vermeld"),
                  "municipal-initiative": _l("eigen initiatief van de gemeente"),
                  "urban-renewal-2020": _l("thematische oproep stadsvernieuwing 2020")},
    "evidence_level": {
        "verified": _l("geverifieerd"), "source-stated": _l("vermeld in de bron"),
        "source-classified": _l("domein afgeleid uit de titel"),
        "declared": _l("aangegeven door de gemeente"),
    },
    "review_status": {"pending": _l("wacht op verificatie"), "verified": _l("geverifieerd"),
                      "rejected": _l("afgewezen")},
    "interest": {"lead": _l("wil trekken"), "follow": _l("wil volgen"),
                 "not_now": _l("nu niet")},
    "domain_basis": {"stated": _l("vermeld in de bron"),
                     "classified": _l("afgeleid uit de titel")},
    "user_role": {"admin": _l("beheerder"), "juror": _l("jurylid"), "city": _l("gemeente")},
    # Follow-up of funded projects (app/followup)
    "adoption_status": {"planned": _l("gepland"), "in_progress": _l("in uitvoering"),
                        "implemented": _l("ingevoerd"), "dropped": _l("stopgezet")},
    "report_kind": {"progress": _l("voortgangsrapport"), "final": _l("eindrapport")},
    "report_status": {"submitted": _l("wacht op beoordeling"), "approved": _l("goedgekeurd"),
                      "changes": _l("aanpassingen gevraagd")},
    "result_kind": {"repository": _l("broncode (repository)"), "dataset": _l("dataset"),
                    "oslo_specification": _l("OSLO-specificatie"),
                    "playbook": _l("draaiboek (VVSG-praktijkendatabank)"),
                    "model_specification": _l("voorbeeldbestek"), "other": _l("ander resultaat")},
    "milestone": {"playbook": _l("draaiboek"), "model_specification": _l("voorbeeldbestek"),
                  "open_source": _l("open source"), "open_data": _l("open data"),
                  "oslo": _l("OSLO-standaard"), "vloca": _l("VLOCA-afstemming"),
                  "final_report": _l("eindrapport")},
    "cluster_role": {"lighthouse": _l("vuurtoren"), "follower": _l("volger"),
                     "observer": _l("waarnemer")},
}

#: Title and explanation of the HTML error pages per HTTP status (werkzeug's are English only).
HTTP_ERRORS: dict[int, tuple[Any, Any]] = {
    400: (_l("Ongeldig verzoek"), _l("De server kon dit verzoek niet verwerken.")),
    401: (_l("Niet aangemeld"), _l("Meld u aan om deze pagina te zien.")),
    403: (_l("Geen toegang"), _l("U hebt geen toegang tot deze pagina.")),
    404: (_l("Niet gevonden"), _l("Deze pagina bestaat niet (meer). Controleer het adres.")),
    405: (_l("Methode niet toegestaan"), _l("Deze pagina aanvaardt deze methode niet.")),
    409: (_l("Conflict"), _l("Het verzoek botst met de huidige toestand.")),
    413: (_l("Te groot"), _l("Wat u stuurde is te groot.")),
    429: (_l("Te veel verzoeken"), _l("Te veel pogingen na elkaar. Wacht even en probeer opnieuw.")),
    500: (_l("Interne fout"), _l("Er ging onverwacht iets mis; de fout is gelogd.")),
}
CSRF_DETAIL = _l("Het formulier is verlopen of ongeldig. Laad de pagina opnieuw en probeer nog eens.")


@bp.app_template_global()
def label(kind: str, code: str | None) -> str:
    """The label of ``code`` in the UI language; the code itself when it has none."""
    if code is None:
        return "—"
    found = LABELS.get(kind, {}).get(code)
    return str(found) if found is not None else code


@bp.app_template_global()
def localized(obj: Any, field: str = "name") -> str:
    """``obj.name_en`` in English (when set), else ``obj.name_nl``: for rows with both names."""
    if str(get_locale()) == "en" and getattr(obj, f"{field}_en", None):
        return getattr(obj, f"{field}_en")
    return getattr(obj, f"{field}_nl")


@bp.app_template_global()
def domain_label(code: str) -> str:
    """A domain code as the domain's name in the UI language (from the domain table)."""
    from app.core.extensions import db
    from app.models import Domain

    names = g.get("_domain_names")
    if names is None:
        english = str(get_locale()) == "en"
        names = {d.code: (d.name_en if english else d.name_nl) for d in db.session.scalars(select(Domain))}
        g._domain_names = names
    return names.get(code, code)


def error_page_text(status: int, title: str, detail: str, exc: Exception | None = None,
                    errors: list[dict[str, Any]] | None = None) -> tuple[str, str]:
    """Title and text of an HTML error page in the UI language.

    werkzeug's default names and descriptions are replaced by ours; a description the code gave
    on purpose is kept. A Problem's Dutch field messages (``message_nl``) are used in Dutch.
    """
    ours = HTTP_ERRORS.get(status)
    if ours is None:
        return title, detail
    english = str(get_locale()) == "en"
    if isinstance(exc, CSRFError):
        return str(ours[0]), str(CSRF_DETAIL)
    if isinstance(exc, HTTPException):
        default = type(exc).description
        return str(ours[0]), str(ours[1]) if not detail or detail == default else detail
    if errors and not english and all(e.get("message_nl") for e in errors):
        return str(ours[0]), "; ".join(e["message_nl"] for e in errors)
    return str(ours[0]), detail if english and detail else str(ours[1])
