"""Call pages: the call list, a new call and its set-up (admin), the call's page and import, and
the helpers every calls page shares (labels, numbers, rendering). The application form and page
are ``app.calls.pages_applications``.

The pages post plain HTML forms; they build the same payloads as the API and go through the
same ``app.calls.service*`` functions, so the rules and their messages are the ones of
``evaluation``. An error lands beside its field (``data-field``), in the UI language.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.calls import service as calls
from app.calls import service_applications as apps
from app.calls import service_evaluation as evaluations
from app.calls.schemas import CallFieldsSchema, CriterionInSchema
from app.core.extensions import db
from app.core.formatting import euro, parse_euro
from app.core.problems import Problem
from app.core.schemas import form_value, validate_input
from app.core.web import admin_required, bp, message, nl, number, page_user
from app.models import Assignment, CallJuror, Domain
from evaluation.calls import CALL_TYPES, INDICATOR_NAMES, LEAD_RULES, PRESETS

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


def _euro_text(cents: int | None) -> str:
    """Cents as a person types euro in the form: 20000000 -> '200.000,00' (parse_euro reads it)."""
    return "" if cents is None else euro(cents, decimals=True).replace("€", "")


def _render(template: str, status: int = 200, **context: Any):
    context.update(rule_labels=RULE_LABELS, status_labels=STATUS_LABELS, nl=nl(), number=number,
                   indicator_labels=INDICATOR_LABELS, call_type_labels=CALL_TYPE_LABELS,
                   lead_rule_labels=LEAD_RULE_LABELS)
    return render_template(template, **context), status


# --------------------------------------------------------------------------------------------
# Calls


@bp.get("/oproepen")
def call_list():
    rows = calls.list_calls()
    counts = {}
    user = page_user()
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
        row = calls.create_call(payload, page_user())
    except Problem as exc:
        flash("; ".join(message(e) for e in exc.errors) or exc.detail, "error")
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


def _call_form_payload(form) -> tuple[dict[str, Any], dict[str, Any], dict[str, list[str]]]:
    """The set-up form as (payload for update_call, values to show again, field errors).

    The texts become the JSON the API takes (euro amounts as cents, '1,5' as 1.5, a blank as
    null) and are validated with the API's ``CallFieldsSchema``, so the page and PATCH /calls
    accept the same values and name the same fields."""
    errors: dict[str, list[str]] = {}
    schema = CallFieldsSchema()
    values: dict[str, Any] = {name: form.get(name, "") for name in calls.RULE_FIELDS}
    payload: dict[str, Any] = {"name": form.get("name", "").strip(), "call_type": form.get("call_type"),
                               "lead_rule": form.get("lead_rule")}
    for name in CALL_MONEY_FIELDS:
        try:
            payload[name] = parse_euro(form.get(name, ""))
        except ValueError as err:
            errors.setdefault(name, []).append(_("geen bedrag in euro, bv. 200.000,00") if "negative" not in str(err)
                                               else _("mag niet negatief zijn"))
    for name in (*CALL_NUMBER_FIELDS, *CALL_PCT_FIELDS, "deadline", "pre_registration_deadline"):
        payload[name] = form_value(schema.fields[name], form.get(name, ""))
    if payload["extra_applications_when_cooperating"] is None:
        payload["extra_applications_when_cooperating"] = 0
    domains = form.getlist("allowed_domains")
    values["allowed_domains"] = domains
    payload["allowed_domains"] = domains or None
    payload["oslo_required"] = bool(form.get("oslo_required"))
    payload["vloca_required"] = bool(form.get("vloca_required"))
    values["oslo_required"], values["vloca_required"] = payload["oslo_required"], payload["vloca_required"]
    distance = form_value(schema.fields["follower_distance_km"], form.get("follower_distance_km", ""))
    if distance is not None:
        payload["follower_distance_km"] = distance
    payload["indicators_folded"] = values["indicators_folded"] = bool(form.get("indicators_folded"))
    criterion = CriterionInSchema()
    criteria, shown = [], []
    raw_count = form.get("criteria_count", "0")
    count = min(int(raw_count), 50) if raw_count.isdigit() else 0
    for i in range(count):
        raw = {name: form.get(f"criteria-{i}-{name}", "") for name in CRITERION_FIELDS}
        if form.get(f"criteria-{i}-remove") or not any(str(v).strip() for v in raw.values()):
            continue
        shown.append(raw)
        item: dict[str, Any] = {"code": raw["code"].strip(), "name_nl": raw["name_nl"].strip(),
                                "name_en": raw["name_en"].strip() or raw["name_nl"].strip(),
                                "description_nl": raw["description_nl"], "description_en": raw["description_en"],
                                "indicator": raw["indicator"] or None}
        for name in ("weight", "scale_min", "scale_max", "scale_step", "threshold"):
            value = form_value(criterion.fields[name], raw[name])
            if value is not None or name == "threshold":
                item[name] = value
        criteria.append(item)
    payload["criteria"] = criteria
    values["criteria"] = shown
    checked = {k: v for k, v in payload.items() if k not in errors}
    _data, problems = validate_input(schema, checked, partial=True)
    for e in problems:
        errors.setdefault(calls.bracket_path(e["field"]), []).append(message(e))
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
                calls.update_call(row, payload, page_user())
                flash(_("Oproep opgeslagen."), "success")
                return redirect(url_for("web.call_page", call_id=row.id))
            except Problem as exc:
                for e in exc.errors or [{"field": "name", "message": exc.detail}]:
                    errors.setdefault(e["field"], []).append(message(e))
    return _render("calls/setup.html", 400 if errors else 200, call=row, values=values, errors=errors,
                   editable=editable, domains=domains, call_types=CALL_TYPES, lead_rules=LEAD_RULES,
                   indicators=INDICATOR_NAMES)


@bp.get("/oproepen/<int:call_id>")
def call_page(call_id: int):
    row = _call_or_404(call_id)
    user = page_user()
    items, evaluation, summaries = [], None, {}
    if user is not None and user.role in ("admin", "city"):
        items = list(db.session.scalars(apps.visible_query(user, row.id)))
        if items:
            evaluation = evaluations.CallEvaluation(row)
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
        report, created = apps.import_rows(row, data, fmt, bool(request.form.get("import_valid_rows")), page_user())
    except Problem as exc:
        flash("; ".join(message(e) for e in exc.errors) or exc.detail, "error")
        return redirect(url_for("web.call_page", call_id=row.id))
    return _render("calls/import_report.html", 200 if created or not report.invalid else 400,
                   call=row, report=report.to_dict(), created=created)
