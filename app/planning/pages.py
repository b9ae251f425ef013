"""Planning pages (admin): start a cluster plan, follow it, read it on the map, compare, export.

The form is turned into the API's request body and checked by the same schema and the same
registry checks as ``POST /api/v1/cluster-plans`` (:mod:`app.planning.service`), so the page and the API
refuse the same requests; the errors appear beside the fields they name. The plan page polls
``GET /api/v1/cluster-plans/<id>`` every second (``static/js/plan_progress.js``) for the
progress bar and reloads itself when the plan ends, to draw the result.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from marshmallow import ValidationError
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.extensions import db
from app.core.problems import Problem, flatten_marshmallow
from app.core.schemas import dutch_messages
from app.core.web import admin_required, bp, message, nl, number
from app.models import Domain
from app.partners.pages import MATURITY_LABELS
from app.partners.service import resolve_municipality
from app.planning.jobs import QueueUnavailable, cancel_plan
from app.planning.reports import SMALL_MAX_POPULATION, compare, coverage
from app.planning.schemas import (
    DEFAULT_TIME_LIMIT_S,
    MAX_TIME_LIMIT_S,
    ClusterPlanInSchema,
)
from app.planning.service import (
    DEFAULT_MIN_MATURITY,
    coverage_of,
    create_plan,
    get_plan,
    list_plans,
    plan_params,
    plan_warnings,
)
from app.registry import maps
from app.registry.service import current_graph
from matching.experience import MATURITY_CLASSES
from matching.registry import DOMAINS

STATUS_LABELS = {
    "queued": _l("in de wachtrij"),
    "running": _l("bezig"),
    "done": _l("klaar"),
    "failed": _l("mislukt"),
    "cancelled": _l("geannuleerd"),
}
RESULT_LABELS = {
    "optimal": _l("optimaal (bewezen)"),
    "time_limit": _l("tijdslimiet bereikt (beste plan tot dan, niet bewezen optimaal)"),
    "infeasible": _l("onhaalbaar (bewezen)"),
    "cancelled": _l("geannuleerd (beste plan tot dan)"),
    # plans stored before the statuses above
    "feasible": _l("haalbaar (niet bewezen optimaal)"),
}


def reason_text(result: dict[str, Any] | None) -> str | None:
    """The optimizer's reason in the page's language."""
    if not result:
        return None
    return (result.get("reason_nl") or result.get("reason")) if nl() else result.get("reason")


#: Number of distinct cluster colours on the map (CSS classes cluster-0 ... cluster-11).
CLUSTER_COLOURS = 12


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PlanForm(FlaskForm):
    """The planning form; every field is the API parameter of the same name."""

    name = StringField(_l("Naam van het plan (optioneel)"), validators=[Optional(), Length(max=200)])
    domains = MultiCheckboxField(_l("Focusdomeinen"), choices=[])
    lighthouses = IntegerField(_l("Aantal vuurtorens per domein (exact)"),
                               validators=[Optional()])
    min_lighthouses = IntegerField(_l("of minstens"), validators=[Optional()])
    max_lighthouses = IntegerField(_l("en/of hoogstens"), validators=[Optional()])
    max_followers = IntegerField(_l("Hoogstens volgers per vuurtoren"), validators=[Optional()])
    min_followers = IntegerField(_l("Minstens volgers per vuurtoren"), default=0,
                                 validators=[Optional()])
    max_distance_km = DecimalField(_l("Maximale afstand volger–vuurtoren (km)"),
                                   validators=[Optional()])
    min_maturity = SelectField(_l("Kandidaat-vuurtorens: minstens"), choices=[],
                               default=DEFAULT_MIN_MATURITY)
    one_domain_per_lighthouse = BooleanField(_l("Een vuurtoren leidt hoogstens één domein"),
                                             default=True)
    participants = TextAreaField(_l("Deelnemers (namen of NIS-codes; leeg = zie hieronder)"),
                                 validators=[Optional(), Length(max=20000)])
    participants_from = RadioField(
        _l("Zonder deelnemerslijst"), default="declared",
        choices=[("declared", _l("per domein de gemeenten die er interesse in aangaven")),
                 ("all", _l("alle Vlaamse gemeenten (ook wie geen interesse aangaf)"))])
    excluded = TextAreaField(_l("Uitgesloten gemeenten"), validators=[Optional(), Length(max=20000)])
    time_limit_s = IntegerField(_l("Tijdslimiet (seconden)"), default=DEFAULT_TIME_LIMIT_S,
                                validators=[InputRequired(),
                                            NumberRange(min=1, max=MAX_TIME_LIMIT_S)])


def _pin_field(domain: str) -> str:
    return f"pinned_{domain}"


for _domain in DOMAINS:  # one "pinned lighthouses" text field per domain
    setattr(PlanForm, _pin_field(_domain),
            StringField(_l("Vaste vuurtorens"), validators=[Optional(), Length(max=2000)]))


def _domains() -> dict[str, Domain]:
    return {d.code: d for d in db.session.scalars(select(Domain).order_by(Domain.position))}


def _domain_label(domain: Domain) -> str:
    return domain.name_en if str(get_locale()) == "en" else domain.name_nl


def _form(domains: dict[str, Domain]) -> PlanForm:
    form = PlanForm()
    form.domains.choices = [SelectChoice(code, _domain_label(d)) for code, d in domains.items()]
    form.min_maturity.choices = [SelectChoice(c, MATURITY_LABELS[c]) for c in MATURITY_CLASSES]
    return form


def _codes(text: str | None, field: str, errors: dict[str, list[str]]) -> list[str]:
    """Comma/semicolon/newline separated names or NIS codes -> today's REFNIS codes."""
    graph = current_graph()
    codes = []
    for token in (text or "").replace(";", ",").replace("\n", ",").split(","):
        token = token.strip()
        if not token:
            continue
        try:
            codes.append(resolve_municipality(graph, token, field, allow_name=True).refnis)
        except Problem:
            errors.setdefault(field, []).append(
                _("onbekende gemeente: %(name)s", name=token))
    return codes


def _body(form: PlanForm, errors: dict[str, list[str]]) -> dict[str, Any]:
    """The API request body of the form (names resolved to codes)."""
    body: dict[str, Any] = {"domains": list(form.domains.data or [])}
    if form.name.data:
        body["name"] = form.name.data.strip()
    for field in ("lighthouses", "min_lighthouses", "max_lighthouses", "max_followers",
                  "min_followers", "time_limit_s"):
        value = getattr(form, field).data
        if value is not None:
            body[field] = value
    if form.max_distance_km.data is not None:
        body["max_distance_km"] = float(form.max_distance_km.data)
    if form.min_maturity.data:
        body["min_maturity"] = form.min_maturity.data
    body["one_domain_per_lighthouse"] = bool(form.one_domain_per_lighthouse.data)
    participants = _codes(form.participants.data, "participants", errors)
    if participants:
        body["participants"] = participants
    body["participants_from"] = form.participants_from.data or "declared"
    body["excluded"] = _codes(form.excluded.data, "excluded", errors)
    pins = {}
    for domain in DOMAINS:
        codes = _codes(getattr(form, _pin_field(domain)).data, _pin_field(domain), errors)
        if codes:
            pins[domain] = codes
    body["pinned_lighthouses"] = pins
    return body


def _form_field(form: PlanForm, api_field: str):
    """The form field an API error names (``pinned_lighthouses.mobility`` -> its text field)."""
    head, _, rest = api_field.partition(".")
    if head == "pinned_lighthouses":
        domain = rest.split(".")[0]
        return getattr(form, _pin_field(domain), None) or form.domains
    return getattr(form, head, None) or form.domains


def _attach(form: PlanForm, errors: list[dict[str, Any]]) -> None:
    for error in errors:
        field = _form_field(form, error.get("field") or "")
        field.errors = list(field.errors) + [message(error)]


@bp.route("/planning", methods=["GET", "POST"])
@admin_required
def planning():
    domains = _domains()
    form = _form(domains)
    status = 200
    if request.method == "POST":
        if form.validate():
            errors: dict[str, list[str]] = {}
            body = _body(form, errors)
            problems = [{"field": f, "message": m} for f, ms in errors.items() for m in ms]
            try:
                loaded = ClusterPlanInSchema().load(body)
            except ValidationError as err:
                problems += dutch_messages(flatten_marshmallow(err.messages))
            if not problems:
                try:
                    plan = create_plan(loaded, current_user._get_current_object())
                except Problem as problem:
                    problems = problem.errors or [{"field": "domains", "message": problem.detail}]
                except QueueUnavailable as exc:
                    flash(_("Het plan kon niet in de wachtrij: %(error)s", error=str(exc)), "error")
                    return redirect(url_for("web.planning"))
                else:
                    flash(_("Plan %(id)s gestart.", id=plan.id), "success")
                    return redirect(url_for("web.plan_page", plan_id=plan.id))
            _attach(form, problems)
        status = 400
    return render_template("plans/planning.html", form=form, domains=domains,
                           plans=list_plans(limit=50), status_labels=STATUS_LABELS,
                           result_labels=RESULT_LABELS, pin_field=_pin_field,
                           number=number), status


def _cluster_map(graph, result: dict[str, Any], domain: str) -> dict[str, Any]:
    """One domain's clusters: each cluster's municipalities in its colour, the lighthouse a ringed
    marker, a thin line from each follower to its lighthouse; the cluster tables under the map
    are its text alternative."""
    areas: dict[str, dict[str, str]] = {}
    marks, links = [], []
    clusters = [c for c in result.get("clusters") or [] if c["domain"] == domain]
    for position, cluster in enumerate(clusters):
        css = f"cluster-{position % CLUSTER_COLOURS}"
        head = cluster["lighthouse"]
        lighthouse = graph.municipality(head["refnis"])
        areas[head["refnis"]] = maps.area(css, _("vuurtoren"))
        marks.append(maps.mark(lighthouse, "", f"vt-lighthouse {css}", _("vuurtoren")))
        for follower in cluster["followers"]:
            areas[follower["refnis"]] = maps.area(css, _("volgt %(head)s (%(km)s km)", head=head["name"],
                                                       km=_km(follower["distance_km"])))
            links.append(maps.link(graph.municipality(follower["refnis"]), lighthouse, f"vt-link {css}"))
    legend = [(f"cluster-{i % CLUSTER_COLOURS}", c["lighthouse"]["name"]) for i, c in enumerate(clusters)]
    legend.append(("vt-none", _("in geen cluster")))
    return maps.spec(areas=areas, legend_title=_("Clusters (vuurtoren)"), legend=legend,
                     marks=marks, links=links, focus=list(areas))


def _coverage_map(graph, params: dict[str, Any],
                  domain_cover: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """One domain's coverage: every counted municipality (the Flemish ones and the other
    participants, as :func:`coverage` counts) covered or not, small ones darker (fewer than
    SMALL_MAX_POPULATION inhabitants); the text alternative lists the ones not covered."""
    left_out = {r["refnis"] for row in domain_cover["provinces"] for r in row["left_out"]}
    participants = set(params.get("participants") or [])
    areas = {}
    for m in graph.municipalities:
        if m.region != "flanders" and m.refnis not in participants:
            continue
        small = m.population < SMALL_MAX_POPULATION
        if m.refnis in left_out:
            areas[m.refnis] = maps.area("vt-uncovered-small" if small else "vt-uncovered",
                                        _("niet gedekt, klein") if small else _("niet gedekt"))
        else:
            areas[m.refnis] = maps.area("vt-covered-small" if small else "vt-covered",
                                        _("gedekt, klein") if small else _("gedekt"))
    legend = [("vt-covered", _("gedekt")), ("vt-covered-small", _("gedekt, klein")),
              ("vt-uncovered", _("niet gedekt")), ("vt-uncovered-small", _("niet gedekt, klein")),
              ("vt-none", _("niet meegeteld"))]
    names = {m.refnis: m.name_nl for m in graph.municipalities}
    spec = maps.spec(areas=areas, legend_title=_("Dekking"), legend=legend)
    return spec, maps.text_rows(areas, names, keep=sorted(left_out))


def _km(value: float | None) -> str:
    return number(value, 1)


@bp.get("/planning/<int:plan_id>")
@admin_required
def plan_page(plan_id: int):
    plan = get_plan(plan_id)
    domains = _domains()
    graph = current_graph()
    result = plan.result
    cluster_maps, coverage_maps, cover, comparison, compare_error = {}, {}, None, None, None
    if result:
        cluster_maps = {d: _cluster_map(graph, result, d) for d in plan.params.get("domains", [])}
        cover = coverage(graph, plan.params, result)
        coverage_maps = {d["domain"]: _coverage_map(graph, plan.params, d) for d in cover["domains"]}
    others = [p for p in list_plans(limit=100)
              if p.id != plan.id and p.result and p.result.get("clusters")]
    other_id = request.args.get("compare", type=int)
    if other_id is not None and result:
        other = next((p for p in others if p.id == other_id), None)
        if other is None:
            compare_error = _("Plan %(id)s heeft geen resultaat om mee te vergelijken.",
                              id=other_id)
        else:
            comparison = compare(graph, {"id": plan.id, "params": plan.params, "result": result},
                                 {"id": other.id, "params": other.params, "result": other.result})
    evidence = (result or {}).get("coverage") or coverage_of(plan_params(plan.params, graph),
                                                             graph)
    return render_template(
        "plans/plan.html", plan=plan, result=result, domains=domains, cluster_maps=cluster_maps,
        coverage_maps=coverage_maps, cover=cover, others=others, comparison=comparison,
        evidence=evidence, warnings=plan_warnings(plan.params or {}),
        compare_error=compare_error, status_labels=STATUS_LABELS, result_labels=RESULT_LABELS,
        status_text={k: str(v) for k, v in STATUS_LABELS.items()},
        maturity_labels=MATURITY_LABELS, km=_km, number=number, domain_label=_domain_label,
        reason=reason_text(result),
    )


@bp.post("/planning/<int:plan_id>/annuleren")
@admin_required
def plan_cancel(plan_id: int):
    plan = get_plan(plan_id)
    if plan.is_active:
        cancel_plan(plan)
        flash(_("Plan %(id)s wordt gestopt; het beste plan tot nu toe blijft bewaard.",
                id=plan.id), "success")
    return redirect(url_for("web.plan_page", plan_id=plan.id))
