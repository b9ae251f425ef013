"""Application pages: the application form (new and edit, for the lead city and the admin), the
application's page with its evaluation, the admin's eligibility decision and deletion.

The form builds the same payload as the API and goes through ``app.calls.service_applications``,
so the rules and their messages are the ones of ``evaluation``; an error lands beside its field
(``data-field``), in the UI language.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import select

from app.calls import service_applications as apps
from app.calls import service_evaluation as evaluations
from app.calls.pages import DELIVERABLES, _call_or_404, _euro_text, _may_apply, _render
from app.core.extensions import db
from app.core.formatting import parse_euro
from app.core.limits import MAX_MOTIVATION, MIN_DECISION_MOTIVATION
from app.core.problems import Problem
from app.core.web import admin_required, bp, message, page_user
from app.models import Domain, Municipality, Organisation, Project
from app.registry.service import fold
from evaluation.applications import DELIVERABLE_LINKS, ORGANISATION_TYPES
from evaluation.calls import VGC

# --------------------------------------------------------------------------------------------
# Application form


#: The link inputs of the application form (evaluation.applications.DELIVERABLE_LINKS).
LINK_LABELS = (
    ("open_source", _l("Link naar de broncode (repository)")),
    ("open_data", _l("Link naar de open dataset")),
    ("vloca", _l("Link naar de VLOCA-afstemming")),
    ("playbook", _l("Link naar het draaiboek")),
    ("model_specification", _l("Link naar het voorbeeldbestek")),
    ("training", _l("Link naar de opleiding")),
    ("practice_database", _l("Link naar de fiche in de VVSG-praktijkendatabank")),
)
assert tuple(k for k, _label in LINK_LABELS) == DELIVERABLE_LINKS


def _choices() -> dict[str, Any]:
    return {
        "domains": db.session.scalars(select(Domain).order_by(Domain.position)).all(),
        "organisations": db.session.scalars(select(Organisation).order_by(Organisation.name)).all(),
        "projects": db.session.scalars(select(Project).order_by(Project.year, Project.title)).all(),
        "municipality_names": db.session.scalars(select(Municipality.name_nl).where(
            Municipality.merged_into_id.is_(None)).order_by(Municipality.name_search)).all(),
        "deliverables": DELIVERABLES,
        "link_labels": LINK_LABELS,
        "organisation_types": ORGANISATION_TYPES,
    }


def _name_index() -> dict[str, list[str]]:
    """Folded Dutch and French names of today's municipalities -> REFNIS codes."""
    index: dict[str, list[str]] = {}
    rows = db.session.execute(select(Municipality.refnis, Municipality.name_nl, Municipality.name_fr)
                              .where(Municipality.merged_into_id.is_(None)))
    for refnis, name_nl, name_fr in rows:
        for name in {fold(name_nl), fold(name_fr or "")} - {""}:
            index.setdefault(name, []).append(refnis)
    return index


def _resolve_members(text: str, field: str, errors: dict[str, list[str]],
                     names: dict[str, list[str]]) -> list[str]:
    """Comma/semicolon/newline separated REFNIS codes or municipality names -> REFNIS codes."""
    codes = []
    for token in (text or "").replace(";", ",").replace("\n", ",").split(","):
        token = token.strip()
        if not token:
            continue
        if token.upper() == VGC or (token.isdigit() and len(token) == 5):
            codes.append(token.upper())
            continue
        matches = names.get(fold(token), [])
        if len(matches) == 1:
            codes.append(matches[0])
        else:
            errors.setdefault(field, []).append(_("onbekende gemeente: %(name)s", name=token))
    return codes


def _member_text(codes: list[str]) -> str:
    names = {m.refnis: m.name_nl for m in db.session.scalars(
        select(Municipality).where(Municipality.refnis.in_(codes)))}
    return ", ".join(names.get(c, c) for c in codes)


def _application_values(row) -> dict[str, Any]:
    p = apps.payload_of(row)
    municipal = [x["refnis"] for x in p["partners"] if "refnis" in x]
    return {
        "lead": p["lead"], "title": p["title"], "summary": p["summary"], "domains": p["domains"],
        "partners": _member_text(municipal),
        "organisations": [str(x["organisation"]) for x in p["partners"] if "organisation" in x],
        **{f"represents_{x['organisation']}": _member_text(x["represents"])
           for x in p["partners"] if x.get("represents")},
        "committed_followers": _member_text([f["refnis"] if isinstance(f, dict) else f
                                             for f in p["committed_followers"]]),
        "letters": [f["refnis"] for f in p["committed_followers"] if isinstance(f, dict)],
        "cofinancing_backed_euro": _euro_text(p["cofinancing_backed_cents"]),
        "prior_project_references": "\n".join(p["prior_project_references"]),
        **{f"link_{k}": v for k, v in p["deliverables"].get("links", {}).items()},
        "requested_grant_euro": _euro_text(p["requested_grant_cents"]),
        "total_budget_euro": _euro_text(p["total_budget_cents"]),
        "cofinancing_euro": _euro_text(p["cofinancing_cents"]),
        "oslo": ", ".join(p["deliverables"]["oslo"]),
        "prior_projects": [str(x) for x in p["prior_projects"]],
        "knowledge_sharing": "\n".join(p["knowledge_sharing"]),
        **{k: p["deliverables"][k] for k, _label in DELIVERABLES},
    }


_AMOUNT_FIELDS = {"requested_grant_euro": "requested_grant_cents", "total_budget_euro": "total_budget_cents",
                  "cofinancing_euro": "cofinancing_cents"}


def _application_form(form, fixed_lead: str | None) -> tuple[dict, dict, dict[str, list[str]], int]:
    """The form as (API payload, values to show again, field errors, number of municipal partners)."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {k: form.get(k, "") for k in (
        "lead", "title", "summary", "partners", "committed_followers", "requested_grant_euro",
        "total_budget_euro", "cofinancing_euro", "oslo", "knowledge_sharing")}
    values["domains"] = form.getlist("domains")
    values["letters"] = form.getlist("letters")
    for key in ("cofinancing_backed_euro", "prior_project_references",
                *(f"link_{k}" for k in DELIVERABLE_LINKS)):
        values[key] = form.get(key, "")
    values["organisations"] = form.getlist("organisations")
    for key in form:
        if key.startswith("represents_") and key[len("represents_"):].isdigit():
            values[key] = form.get(key, "")
    values["prior_projects"] = form.getlist("prior_projects")
    for key, _label in DELIVERABLES:
        values[key] = bool(form.get(key))
    if fixed_lead:
        values["lead"] = fixed_lead
    names = _name_index()
    lead_codes = _resolve_members(values["lead"], "lead", errors, names)
    payload: dict[str, Any] = {
        "lead": lead_codes[0] if len(lead_codes) == 1 else (None if not lead_codes else values["lead"]),
        "title": values["title"].strip(), "summary": values["summary"], "domains": values["domains"],
    }
    if len(lead_codes) > 1:
        errors.setdefault("lead", []).append(_("één indiener"))
    municipal = _resolve_members(values["partners"], "partners", errors, names)
    partners: list[dict[str, Any]] = [{"refnis": c} for c in municipal]
    intercommunales = set(db.session.scalars(select(Organisation.id).where(
        Organisation.type == "intercommunale")))
    for org in values["organisations"]:
        if not org.isdigit():
            continue
        partner: dict[str, Any] = {"organisation": int(org)}
        text = values.get(f"represents_{org}", "")
        if int(org) in intercommunales:
            # the municipalities it represents count toward the partnership minimum
            partner["type"] = "intercommunale"
            represented = _resolve_members(text, f"represents_{org}", errors, names)
            if represented:
                partner["represents"] = represented
        partners.append(partner)
    payload["partners"] = partners
    payload["committed_followers"] = _resolve_members(values["committed_followers"], "committed_followers", errors,
                                                        names)
    for field, key in _AMOUNT_FIELDS.items():
        try:
            payload[key] = parse_euro(values[field])
        except ValueError as err:
            errors.setdefault(field, []).append(
                _("mag niet negatief zijn") if "negative" in str(err)
                else _("'%(text)s' is geen bedrag in euro, bv. 199.720,02", text=values[field]))
            payload[key] = None
    if payload["requested_grant_cents"] is None and "requested_grant_euro" not in errors:
        errors.setdefault("requested_grant_euro", []).append(_("verplicht"))
    if payload["total_budget_cents"] is None and "total_budget_euro" not in errors:
        errors.setdefault("total_budget_euro", []).append(_("verplicht"))
    payload["deliverables"] = {k: values[k] for k, _label in DELIVERABLES}
    payload["deliverables"]["oslo"] = [s.strip() for s in values["oslo"].split(",") if s.strip()]
    payload["deliverables"]["links"] = {k: values[f"link_{k}"].strip() for k in DELIVERABLE_LINKS
                                        if values[f"link_{k}"].strip()}
    payload["prior_project_references"] = [
        s.strip()[:500] for s in values["prior_project_references"].splitlines() if s.strip()]
    if values["cofinancing_backed_euro"].strip():
        try:
            payload["cofinancing_backed_cents"] = parse_euro(values["cofinancing_backed_euro"])
        except ValueError:
            errors.setdefault("cofinancing_backed_euro", []).append(
                _("'%(text)s' is geen bedrag in euro, bv. 199.720,02", text=values["cofinancing_backed_euro"]))
    payload["prior_projects"] = [int(x) for x in values["prior_projects"] if x.isdigit()]
    payload["knowledge_sharing"] = [s.strip()[:2000] for s in values["knowledge_sharing"].splitlines() if s.strip()]
    payload["status"] = "draft" if form.get("action") == "draft" else "submitted"
    return payload, values, errors, len(municipal)


def _form_field(api_field: str, municipal_partners: int,
                partners: list[dict[str, Any]] | None = None) -> str:
    """The form field that shows an error of the API field ``api_field`` (``partners`` of the
    payload: an intercommunale's ``represents`` error shows beside its own field)."""
    head = api_field.split(".")[0].split("[")[0]
    if head == "partners" and "[" in api_field:
        index = int(api_field.split("[")[1].split("]")[0])
        if index < municipal_partners:
            return "partners"
        if ".represents" in api_field and partners and index < len(partners):
            return f"represents_{partners[index].get('organisation')}"
        return "organisations"
    if head == "deliverables" and ".links." in api_field:
        return "link_" + api_field.rsplit(".", 1)[1]
    if head == "deliverables":
        return api_field.split(".", 1)[1] if "." in api_field else "oslo"
    return {"requested_grant_cents": "requested_grant_euro", "total_budget_cents": "total_budget_euro",
            "cofinancing_cents": "cofinancing_euro",
            "cofinancing_backed_cents": "cofinancing_backed_euro"}.get(head, head)


def _with_evidence(payload: dict[str, Any], values: dict[str, Any], row, user) -> None:
    """Letters of intent and backed co-financing are the secretariat's: the admin sets them on
    the form; for anyone else the stored ones stay (a follower dropped takes its letter along)."""
    if user.is_admin:
        letters = set(values["letters"])
    else:
        stored = apps.application_from_row(row) if row is not None else None
        letters = {r for r in stored.committed_followers if stored.has_letter(r)} if stored else set()
        payload.pop("cofinancing_backed_cents", None)
        if stored is not None:
            grant, total = payload.get("requested_grant_cents"), payload.get("total_budget_cents")
            own = payload.get("cofinancing_cents")
            if own is None:
                own = total - grant if isinstance(grant, int) and isinstance(total, int) else 0
            payload["cofinancing_backed_cents"] = max(0, min(stored.cofinancing_backed_cents, own))
    payload["committed_followers"] = [{"refnis": c, "letter": True} if c in letters else c
                                      for c in payload["committed_followers"]]


def _save_application(call_row, row, user):
    fixed = user.municipality.refnis if user.role == "city" and user.municipality else None
    payload, values, errors, municipal = _application_form(request.form, fixed)
    _with_evidence(payload, values, row, user)
    if not errors:
        try:
            if row is None:
                apps.ensure_may_apply(user, payload["lead"])
                row = apps.create_application(call_row, payload, user, origin="web")
            else:
                if not user.is_admin:
                    payload["lead"] = row.lead_code
                apps.update_application(row, payload, user)
            return row, values, errors
        except Problem as exc:
            for e in exc.errors or [{"field": "title", "message": exc.detail}]:
                errors.setdefault(_form_field(e["field"], municipal, payload["partners"]),
                                  []).append(message(e))
    return None, values, errors


@bp.route("/oproepen/<int:call_id>/aanvragen/nieuw", methods=["GET", "POST"])
@login_required
def application_new(call_id: int):
    row = _call_or_404(call_id)
    user = page_user()
    if not _may_apply(user):
        abort(403)
    fixed = user.municipality.refnis if user.role == "city" else None
    values: dict[str, Any] = {"lead": fixed or "", "domains": [], "organisations": [], "prior_projects": []}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        saved, values, errors = _save_application(row, None, user)
        if saved is not None:
            flash(_("Aanvraag ingediend.") if saved.status == "submitted" else _("Concept opgeslagen."), "success")
            return redirect(url_for("web.application_page", application_id=saved.id))
    return _render("calls/application_form.html", 400 if errors else 200, call=row, application=None,
                   values=values, errors=errors, fixed_lead=fixed,
                   fixed_lead_name=user.municipality.name_nl if fixed else None, **_choices())


def _visible_or_404(application_id: int):
    try:
        return apps.get_visible_application(application_id, page_user())
    except Problem:
        abort(404)


@bp.route("/aanvragen/<int:application_id>/bewerken", methods=["GET", "POST"])
@login_required
def application_edit(application_id: int):
    from app.calls.pages_lifecycle import lock_reason

    row = _visible_or_404(application_id)
    user = page_user()
    if not apps.can_edit(user, row):
        abort(403)
    locked = lock_reason(row)
    if locked:  # submitted, withdrawn or past the deadline: the page says why
        flash(locked, "error")
        return redirect(url_for("web.application_page", application_id=row.id) + "#submission")
    fixed = row.lead_code if not user.is_admin else None
    values, errors = _application_values(row), {}
    if request.method == "POST":
        saved, values, errors = _save_application(row.call, row, user)
        if saved is not None:
            flash(_("Aanvraag bijgewerkt."), "success")
            return redirect(url_for("web.application_page", application_id=row.id))
    return _render("calls/application_form.html", 400 if errors else 200, call=row.call, application=row,
                   values=values, errors=errors, fixed_lead=fixed,
                   fixed_lead_name=(row.lead_municipality.name_nl if row.lead_municipality else VGC)
                   if fixed else None, **_choices())


# --------------------------------------------------------------------------------------------
# Application page


@bp.get("/aanvragen/<int:application_id>")
@login_required
def application_page(application_id: int):
    from app.calls.pages_lifecycle import submission_context
    from app.jury.service_access import indicators_folded_for

    row = _visible_or_404(application_id)
    evaluation = evaluations.CallEvaluation(row.call)
    # a juror who has not scored it yet sees neither the indicators nor the advice (anchoring)
    folded = indicators_folded_for(page_user(), row)
    summary = evaluation.summary(row, indicators=not folded)
    max_km = request.args.get("max_distance_km", "").strip().replace(",", ".")
    try:
        max_distance = float(max_km) if max_km else None
        if max_distance is not None and not 0 <= max_distance <= 1000:
            raise ValueError
    except ValueError:
        max_distance = None
        flash(_("Geef een afstand tussen 0 en 1000 km."), "error")
    include_far = request.args.get("verder") == "1"
    advice = None if folded else evaluation.advice(
        row, max_distance_km=max_distance, include_far=include_far).to_dict()
    projects = {p.id: p for p in db.session.scalars(select(Project).where(
        Project.id.in_([pp.project_id for pp in row.prior_projects])))}
    return _render("calls/application.html", a=row, call=row.call, summary=summary, advice=advice,
                   max_distance_km=max_km, include_far=include_far, projects=projects,
                   may_edit=apps.can_edit(page_user(), row), details=evaluations.application_dict(row),
                   **submission_context(row, page_user()))


@bp.post("/aanvragen/<int:application_id>/beslissing")
@admin_required
def application_override(application_id: int):
    row = _visible_or_404(application_id)
    choice = request.form.get("eligible", "")
    motivation = (request.form.get("motivation") or "").strip()
    eligible = {"yes": True, "no": False, "clear": None}.get(choice, "bad")
    try:
        if eligible == "bad":
            raise Problem(400, "Invalid input", "choose a decision")
        apps.override_eligibility(row, eligible, motivation[:MAX_MOTIVATION], page_user())
    except Problem:
        flash(_("Kies een beslissing en schrijf een motivering van minstens %(n)s tekens.",
                n=MIN_DECISION_MOTIVATION), "error")
        return redirect(url_for("web.application_page", application_id=row.id) + "#override")
    flash(_("Beslissing over de ontvankelijkheid opgeslagen."), "success")
    return redirect(url_for("web.application_page", application_id=row.id))


@bp.post("/aanvragen/<int:application_id>/verwijderen")
@login_required
def application_delete(application_id: int):
    row = _visible_or_404(application_id)
    if not apps.can_edit(page_user(), row):
        abort(403)
    call_id = row.call_id
    try:
        apps.delete_application(row, page_user())
    except Problem:
        flash(_("Deze aanvraag is al bij de jury (toegewezen of gescoord) en kan niet meer verwijderd worden."),
              "error")
        return redirect(url_for("web.application_page", application_id=application_id))
    flash(_("Aanvraag verwijderd."), "success")
    return redirect(url_for("web.call_page", call_id=call_id))
