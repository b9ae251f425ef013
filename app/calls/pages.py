"""Call pages: call list and set-up (admin), the application form, list and page.

The pages post plain HTML forms; they build the same payloads as the API and go through the
same ``app.calls.service`` / ``app.calls.service_applications`` functions, so the rules and their messages are the
ones of ``evaluation``. An error lands beside its field (``data-field``), in the UI language.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.calls import service as calls
from app.calls import service_applications as apps
from app.core.extensions import db
from app.core.formatting import euro, parse_euro
from app.core.limits import MAX_MOTIVATION, MIN_DECISION_MOTIVATION
from app.core.problems import Problem
from app.core.web import admin_required, bp
from app.models import Assignment, CallJuror, Domain, Municipality, Organisation, Project
from app.registry.service import fold
from evaluation import money
from evaluation.applications import DELIVERABLE_LINKS, ORGANISATION_TYPES
from evaluation.calls import CALL_TYPES, INDICATOR_NAMES, LEAD_RULES, PRESETS, VGC

RULE_LABELS = {
    "deadline": _l("Deadline"),
    "lead_allowed": _l("Indiener toegelaten"),
    "partnership_minimum": _l("Minimum aantal lokale besturen"),
    "max_grant": _l("Maximumsteun"),
    "min_grant": _l("Minimumsteun"),
    "call_budget": _l("Budget van de oproep"),
    "max_subsidy_pct": _l("Maximaal steunpercentage"),
    "min_cofinancing_pct": _l("Minimale cofinanciering"),
    "domain_allowed": _l("Domein toegelaten"),
    "prior_project": _l("Bouwt voort op een eerder project"),
    "oslo": _l("OSLO"),
    "vloca": _l("VLOCA"),
    "applications_per_lead": _l("Aanvragen per indiener"),
    "double_funding": _l("Mogelijke dubbele financiering"),
}
STATUS_LABELS = {
    "passed": _l("voldaan"),
    "failed": _l("niet voldaan"),
    "not_applicable": _l("niet van toepassing"),
    "flagged": _l("te controleren"),
}
INDICATOR_LABELS = {"leverage": _l("Hefboomeffect"), "scalability": _l("Opschaalbaarheid")}
CALL_TYPE_LABELS = {"experiment": _l("experiment"), "scaling": _l("opschaling")}
LEAD_RULE_LABELS = {
    "municipalities_and_vgc": _l("Vlaamse gemeenten en de VGC"),
    "centrumsteden_and_vgc": _l("centrumsteden en de VGC"),
}
DELIVERABLES = (
    ("playbook", _l("Draaiboek")),
    ("model_specification", _l("Voorbeeldbestek")),
    ("open_source", _l("Open source")),
    ("open_data", _l("Open data")),
    ("vloca", _l("VLOCA-conform")),
)
CALL_NUMBER_FIELDS = ("year", "min_local_governments", "max_applications_per_lead",
                      "extra_applications_when_cooperating")
CALL_PCT_FIELDS = ("max_subsidy_pct", "min_cofinancing_pct")
CALL_MONEY_FIELDS = ("total_budget_cents", "max_grant_cents", "min_grant_cents")
CRITERION_FIELDS = ("code", "name_nl", "name_en", "description_nl", "description_en", "weight",
                    "scale_min", "scale_max", "scale_step", "threshold", "indicator")


def _nl() -> bool:
    return str(get_locale()) != "en"


def _message(error: dict[str, Any]) -> str:
    return error.get("message_nl") or error["message"] if _nl() else error["message"]


def number(value: float | None, decimals: int = 1) -> str:
    """A number the Belgian way in Dutch (12,5), the English way otherwise."""
    if value is None:
        return "—"
    return money.number_nl(value, decimals) if _nl() else money.number_en(value, decimals)


def _euro_text(cents: int | None) -> str:
    """Cents as a person types euro in the form: 20000000 -> '200.000,00' (parse_euro reads it)."""
    return "" if cents is None else euro(cents, decimals=True).replace("€", "")


def _render(template: str, status: int = 200, **context: Any):
    context.update(rule_labels=RULE_LABELS, status_labels=STATUS_LABELS, nl=_nl(), number=number,
                   indicator_labels=INDICATOR_LABELS, call_type_labels=CALL_TYPE_LABELS,
                   lead_rule_labels=LEAD_RULE_LABELS)
    return render_template(template, **context), status


def _user():
    return current_user._get_current_object() if current_user.is_authenticated else None


# --------------------------------------------------------------------------------------------
# Calls


@bp.get("/oproepen")
def call_list():
    rows = calls.list_calls()
    counts = {}
    user = _user()
    if user is not None and user.role in ("admin", "city"):
        for row in rows:
            counts[row.id] = len(list(db.session.scalars(apps.visible_query(user, row.id))))
    return _render("calls/list.html", calls=rows, counts=counts, presets=PRESETS)


@bp.post("/oproepen/nieuw")
@admin_required
def call_new():
    preset = request.form.get("preset", "")
    payload: dict[str, Any] = {"preset": preset}
    name = (request.form.get("name") or "").strip()
    if name:
        payload["name"] = name[:200]
    try:
        row = calls.create_call(payload, _user())
    except Problem as exc:
        flash("; ".join(_message(e) for e in exc.errors) or exc.detail, "error")
        return redirect(url_for("web.call_list"))
    flash(_("Oproep aangemaakt; controleer de regels en criteria."), "success")
    return redirect(url_for("web.call_setup", call_id=row.id))


def _call_or_404(call_id: int):
    try:
        return calls.get_call(call_id)
    except Problem:
        abort(404)


def _call_values(row) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in calls.RULE_FIELDS:
        value = getattr(row, name)
        if name in CALL_MONEY_FIELDS:
            value = _euro_text(value)
        elif name == "allowed_domains":
            value = list(value or [])
        elif value is None:
            value = ""
        elif name in ("deadline", "pre_registration_deadline"):
            value = value.isoformat()
        elif name == "follower_distance_km":
            value = f"{value:g}"
        values[name] = value
    values["criteria"] = [{k: ("" if v is None else f"{v:g}" if isinstance(v, float) else v)
                           for k, v in calls.criterion_dict(c).items()} for c in row.criteria]
    return values


def _float(text: str, field: str, errors: dict[str, list[str]]) -> float | None:
    s = (text or "").strip().replace(",", ".")
    if not s:
        return None
    try:
        return float(s)
    except ValueError:
        errors.setdefault(field, []).append(_("geef een getal, bv. 1,5"))
        return None


def _call_form_payload(form) -> tuple[dict[str, Any], dict[str, Any], dict[str, list[str]]]:
    """The set-up form as (payload for update_call, values to show again, field errors)."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {name: form.get(name, "") for name in calls.RULE_FIELDS}
    payload: dict[str, Any] = {"name": form.get("name", "").strip(), "call_type": form.get("call_type"),
                               "lead_rule": form.get("lead_rule")}
    for name in CALL_MONEY_FIELDS:
        try:
            payload[name] = parse_euro(form.get(name, ""))
        except ValueError as err:
            errors.setdefault(name, []).append(_("geen bedrag in euro, bv. 200.000,00") if "negative" not in str(err)
                                               else _("mag niet negatief zijn"))
    for name in CALL_NUMBER_FIELDS:
        text = form.get(name, "").strip()
        if not text:
            payload[name] = 0 if name == "extra_applications_when_cooperating" else None
        elif text.lstrip("-").isdigit() and len(text) < 9:
            payload[name] = int(text)
        else:
            errors.setdefault(name, []).append(_("geef een geheel getal"))
    if payload.get("year") is None and "year" not in errors:
        errors.setdefault("year", []).append(_("verplicht"))
    for name in CALL_PCT_FIELDS:
        payload[name] = _float(form.get(name, ""), name, errors)
    for name in ("deadline", "pre_registration_deadline"):
        payload[name] = form.get(name) or None
    domains = form.getlist("allowed_domains")
    values["allowed_domains"] = domains
    payload["allowed_domains"] = domains or None
    payload["oslo_required"] = bool(form.get("oslo_required"))
    payload["vloca_required"] = bool(form.get("vloca_required"))
    values["oslo_required"], values["vloca_required"] = payload["oslo_required"], payload["vloca_required"]
    distance = _float(form.get("follower_distance_km", ""), "follower_distance_km", errors)
    if distance is not None:
        payload["follower_distance_km"] = distance
    payload["indicators_folded"] = values["indicators_folded"] = bool(form.get("indicators_folded"))
    criteria, shown = [], []
    raw_count = form.get("criteria_count", "0")
    count = min(int(raw_count), 50) if raw_count.isdigit() else 0
    for i in range(count):
        raw = {name: form.get(f"criteria-{i}-{name}", "") for name in CRITERION_FIELDS}
        if form.get(f"criteria-{i}-remove") or not any(str(v).strip() for v in raw.values()):
            continue
        j = len(criteria)
        shown.append(raw)
        item: dict[str, Any] = {"code": raw["code"].strip(), "name_nl": raw["name_nl"].strip(),
                                "name_en": raw["name_en"].strip() or raw["name_nl"].strip(),
                                "description_nl": raw["description_nl"], "description_en": raw["description_en"],
                                "indicator": raw["indicator"] or None}
        for name in ("weight", "scale_min", "scale_max", "scale_step", "threshold"):
            value = _float(raw[name], f"criteria[{j}].{name}", errors)
            if value is not None or name == "threshold":
                item[name] = value
        criteria.append(item)
    payload["criteria"] = criteria
    values["criteria"] = shown
    return payload, values, errors


@bp.route("/oproepen/<int:call_id>/instellen", methods=["GET", "POST"])
@admin_required
def call_setup(call_id: int):
    row = _call_or_404(call_id)
    editable = not calls.call_has_scores(row.id)
    domains = db.session.scalars(select(Domain).order_by(Domain.position)).all()
    errors: dict[str, list[str]] = {}
    values = _call_values(row)
    if request.method == "POST":
        payload, values, errors = _call_form_payload(request.form)
        if not editable:
            payload.pop("criteria")
            values["criteria"] = _call_values(row)["criteria"]
        if not errors:
            try:
                calls.update_call(row, payload, _user())
                flash(_("Oproep opgeslagen."), "success")
                return redirect(url_for("web.call_page", call_id=row.id))
            except Problem as exc:
                for e in exc.errors or [{"field": "name", "message": exc.detail}]:
                    errors.setdefault(e["field"], []).append(_message(e))
    return _render("calls/setup.html", 400 if errors else 200, call=row, values=values, errors=errors,
                   editable=editable, domains=domains, call_types=CALL_TYPES, lead_rules=LEAD_RULES,
                   indicators=INDICATOR_NAMES)


@bp.get("/oproepen/<int:call_id>")
def call_page(call_id: int):
    row = _call_or_404(call_id)
    user = _user()
    items, evaluation, summaries = [], None, {}
    if user is not None and user.role in ("admin", "city"):
        items = list(db.session.scalars(apps.visible_query(user, row.id)))
        if items:
            evaluation = apps.CallEvaluation(row)
            summaries = {a.id: evaluation.summary(a) for a in items}
    sensitivity = None
    if user is not None and user.is_admin and evaluation is not None and evaluation.submitted:
        try:
            sensitivity = evaluation.sensitivity(min(3, len(evaluation.submitted)))
        except Problem:
            sensitivity = None
    from app.calls.pages_lifecycle import phase_context

    assigned = signed = None
    if user is not None and user.role == "juror":
        juror = db.session.scalar(select(CallJuror).where(CallJuror.call_id == row.id,
                                                          CallJuror.user_id == user.id))
        signed = bool(juror and juror.declaration_signed_at)
        assigned = db.session.scalar(select(func.count()).select_from(Assignment).where(
            Assignment.juror_id == juror.id)) if juror else 0
    return _render("calls/call.html", call=row, items=items, summaries=summaries,
                   sensitivity=sensitivity, may_apply=_may_apply(user), assigned=assigned, signed=signed,
                   **phase_context(row))


def _may_apply(user) -> bool:
    return user is not None and (user.is_admin or (user.role == "city" and user.municipality_id is not None))


@bp.post("/oproepen/<int:call_id>/import")
@admin_required
def call_import(call_id: int):
    row = _call_or_404(call_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Kies een CSV- of JSON-bestand."), "error")
        return redirect(url_for("web.call_page", call_id=row.id))
    fmt = "json" if upload.filename.lower().endswith(".json") else "csv"
    data = upload.read(1_000_001)
    try:
        if len(data) > 1_000_000:
            raise Problem(400, "Invalid input", _("Het bestand is groter dan 1 MB."))
        report, created = apps.import_rows(row, data, fmt, bool(request.form.get("import_valid_rows")), _user())
    except Problem as exc:
        flash("; ".join(_message(e) for e in exc.errors) or exc.detail, "error")
        return redirect(url_for("web.call_page", call_id=row.id))
    return _render("calls/import_report.html", 200 if created or not report.invalid else 400,
                   call=row, report=report.to_dict(), created=created)


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
                                  []).append(_message(e))
    return None, values, errors


@bp.route("/oproepen/<int:call_id>/aanvragen/nieuw", methods=["GET", "POST"])
@login_required
def application_new(call_id: int):
    row = _call_or_404(call_id)
    user = _user()
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
        return apps.get_visible_application(application_id, _user())
    except Problem:
        abort(404)


@bp.route("/aanvragen/<int:application_id>/bewerken", methods=["GET", "POST"])
@login_required
def application_edit(application_id: int):
    from app.calls.pages_lifecycle import lock_reason

    row = _visible_or_404(application_id)
    user = _user()
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
    from app.jury.access import indicators_folded_for

    row = _visible_or_404(application_id)
    evaluation = apps.CallEvaluation(row.call)
    # a juror who has not scored it yet sees neither the indicators nor the advice (anchoring)
    folded = indicators_folded_for(_user(), row)
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
                   may_edit=apps.can_edit(_user(), row), details=apps.application_dict(row),
                   **submission_context(row, _user()))


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
        apps.override_eligibility(row, eligible, motivation[:MAX_MOTIVATION], _user())
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
    if not apps.can_edit(_user(), row):
        abort(403)
    call_id = row.call_id
    try:
        apps.delete_application(row, _user())
    except Problem:
        flash(_("Deze aanvraag is al bij de jury (toegewezen of gescoord) en kan niet meer verwijderd worden."),
              "error")
        return redirect(url_for("web.application_page", application_id=application_id))
    flash(_("Aanvraag verwijderd."), "success")
    return redirect(url_for("web.call_page", call_id=call_id))
