"""The partner finder (/partners) and the experience profile of a municipality (/gemeenten/<refnis>/profiel).

Both call ``app.partners.service`` (the same functions as the API), so the page shows exactly
what the API answers; bad input comes back as an error beside the field instead of a 400 page.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.core.extensions import db
from app.core.problems import Problem
from app.core.web import bp
from app.models import Domain
from app.partners.service import municipality_profile, partner_suggestions
from app.registry import maps
from app.registry.service import current_graph
from matching.experience import MATURITY_CLASSES, maturity_class
from matching.graph import MAX_LIMIT, RegistryGraph
from matching.registry import DOMAINS

MATURITY_LABELS = {
    "lighthouse-ready": _l("klaar om vuurtoren te zijn"),
    "experienced": _l("ervaren"),
    "starter": _l("starter"),
    "none": _l("geen ervaring"),
}
#: Choropleth class of each maturity class, light to dark (static/css/maps.css).
MATURITY_CSS = {"none": "vt-level-0", "starter": "vt-level-1", "experienced": "vt-level-2",
                "lighthouse-ready": "vt-level-4"}
ROLE_LABELS = {
    "lead": _l("indiener"),
    "partner": _l("partner"),
    "follower": _l("volger"),
    "adopter": _l("overnemer"),
}
FACTOR_LABELS = {
    # The difference between two experience scores, not the candidate's own score (that is the
    # "Ervaring" column, the same figure as on the profile page).
    "experience_gap": _l("ervaringsverschil"),
    "distance_km": _l("nabijheid"),
    "similarity": _l("gelijkenis"),
    "ties": _l("samenwerking"),
    "lighthouse_load": _l("belasting"),
}
LOOKING_FOR_LABELS = {
    "lighthouse": _l("een vuurtoren om te volgen"),
    "followers": _l("volgers om te begeleiden"),
    "peers": _l("gelijkaardige besturen"),
}
MODE_LABELS = {
    "geographic": _l("buren eerst (geografisch)"),
    "similar": _l("zelfde type en grootte eerst"),
}


class PartnerSearchForm(FlaskForm):
    """The partner finder's GET form (a search: no CSRF token, like the registry filters).

    A FlaskForm so WTForms' own messages come in the UI language (Flask-WTF i18n).
    """

    class Meta:
        csrf = False

    municipality = StringField(_l("Uw gemeente"),
                               validators=[InputRequired(), Length(max=120)])
    domain = SelectField(_l("Focusdomein"), choices=[])
    looking_for = RadioField(_l("U zoekt"), default="lighthouse",
                             choices=[SelectChoice(k, v) for k, v in LOOKING_FOR_LABELS.items()])
    mode = RadioField(_l("Zoekwijze"), default="geographic",
                      choices=[SelectChoice(k, v) for k, v in MODE_LABELS.items()])
    max_distance_km = DecimalField(_l("Maximale afstand (km, optioneel)"),
                                   validators=[Optional(), NumberRange(
                                       min=0, max=1000,
                                       message=_l("geef een afstand van %(min)s tot %(max)s km"))])
    limit = IntegerField(_l("Aantal voorstellen"), default=10,
                         validators=[Optional(), NumberRange(
                             min=1, max=MAX_LIMIT,
                             message=_l("geef een geheel getal van %(min)s tot %(max)s"))])


def _domains() -> list[Domain]:
    return list(db.session.scalars(select(Domain).order_by(Domain.position)))


@bp.get("/partners")
def partners():
    domains = _domains()
    form = PartnerSearchForm(formdata=request.args)
    english = str(get_locale()) == "en"
    form.domain.choices = [SelectChoice(d.code, d.name_en if english else d.name_nl)
                           for d in domains]
    result, status = None, 200
    if "domain" in request.args:  # submitted (a link with only ?municipality= just fills it in)
        if form.validate():
            distance = form.max_distance_km.data
            try:
                result = partner_suggestions(
                    form.municipality.data, form.domain.data, form.looking_for.data,
                    form.mode.data, form.limit.data or 10,
                    float(distance) if distance is not None else None, allow_name=True,
                )
            except Problem as problem:
                _attach(form, problem)
        if result is None:
            status = 400
        else:
            form.municipality.data = result["query"]["municipality"]["name_nl"]
    graph = current_graph()
    map_spec = None
    experience: dict[str, float] = {}
    max_score = None
    if result:
        # The highest score a candidate can reach in this query: the sum of the positive weights
        # (the experience weight is 0 for peers); docs/matching.md "The score".
        mw = graph.weights.mode(result["query"]["mode"])
        max_score = (0.0 if result["query"]["looking_for"] == "peers" else mw.experience) \
            + mw.proximity + mw.similarity + mw.ties
        # Each candidate's own experience score: graph.experience, the figure the profile shows.
        k = DOMAINS.index(result["query"]["domain"])
        experience = {item["municipality"]["refnis"]: float(
            graph.experience[k, graph.position(item["municipality"]["refnis"])])
            for item in result["items"]}
        chosen = result["query"]["municipality"]["refnis"]
        ranked = [item["municipality"]["refnis"] for item in result["items"]]
        areas = experience_areas(graph, result["query"]["domain"])
        marks = [maps.mark(graph.municipality(chosen), "★", "vt-here-mark", _("uw gemeente"))]
        marks += [maps.mark(graph.municipality(code), str(rank), "", _("voorstel %(n)s", n=rank))
                  for rank, code in enumerate(ranked, start=1)]
        map_spec = maps.spec(
            areas=areas, legend_title=_("Rijpheid in %(domain)s", domain=_domain_name(domains, result["query"]["domain"])),
            legend=[(MATURITY_CSS[c], MATURITY_LABELS[c]) for c in MATURITY_CLASSES],
            marks=marks, focus=[chosen, *ranked],
        )
    return render_template(
        "partners.html", form=form, result=result, domains={d.code: d for d in domains},
        municipalities=sorted(graph.municipalities, key=lambda m: m.name_nl), map_spec=map_spec,
        factor_labels=FACTOR_LABELS, looking_for_labels=LOOKING_FOR_LABELS,
        mode_labels=MODE_LABELS, experience=experience, max_score=max_score,
    ), status


def _domain_name(domains: list[Domain], code: str) -> str:
    english = str(get_locale()) == "en"
    for d in domains:
        if d.code == code:
            return d.name_en if english else d.name_nl
    return code


def experience_areas(graph: RegistryGraph, domain: str) -> dict[str, dict[str, str]]:
    """Every municipality coloured by its maturity class in ``domain`` (the one formula of
    :mod:`matching.experience`); the tooltip names the class and the experience score."""
    d = DOMAINS.index(domain)
    out = {}
    for i, m in enumerate(graph.municipalities):
        score = float(graph.experience[d, i])
        cls = maturity_class(score, int(graph.lead_count[d, i]), graph.weights)
        tip = str(MATURITY_LABELS[cls])
        if score > 0:
            tip += " · " + _("ervaring %(score)s", score=format_decimal(round(score, 2)))
        out[m.refnis] = maps.area(MATURITY_CSS[cls], tip)
    return out


def _attach(form: PartnerSearchForm, problem: Problem) -> None:
    """Put the problem's errors beside the fields they name (unknown municipality in Dutch)."""
    for error in problem.errors or [{"field": "municipality", "message": problem.detail}]:
        field = getattr(form, error.get("field") or "", None) or form.municipality
        message = error["message"]
        if problem.status == 404:
            message = _("Geen gemeente gevonden voor '%(value)s': kies een naam uit de lijst "
                        "of geef een NIS-code.", value=form.municipality.data)
        field.errors = list(field.errors) + [message]


@bp.get("/gemeenten/<refnis>/profiel")
def municipality_profile_page(refnis: str):
    try:
        body = municipality_profile(refnis)
    except Problem as problem:
        abort(problem.status if problem.status in (400, 404) else 404)
    if body.get("resolved_from"):
        old = body["resolved_from"]
        flash(_("%(old)s (%(code)s) is gefusioneerd in %(new)s.", old=old["name_nl"],
                code=old["refnis"], new=body["municipality"]["name_nl"]), "info")
        return redirect(url_for("web.municipality_profile_page",
                                refnis=body["municipality"]["refnis"]))
    domains = _domains()
    refnis = body["municipality"]["refnis"]
    shown = request.args.get("kaart")
    if shown not in DOMAINS:  # default: the domain this municipality is strongest in
        shown = max(body["domains"], key=lambda d: d["score"])["domain"]
    graph = current_graph()
    areas = experience_areas(graph, shown)
    map_spec = maps.spec(
        areas=areas, legend_title=_("Rijpheid in %(domain)s", domain=_domain_name(domains, shown)),
        legend=[(MATURITY_CSS[c], MATURITY_LABELS[c]) for c in MATURITY_CLASSES],
        marks=[maps.mark(graph.municipality(refnis), "★", "vt-here-mark", body["municipality"]["name_nl"])],
    )
    names = {m.refnis: m.name_nl for m in graph.municipalities}
    experienced = [code for code, a in areas.items() if a["c"] != MATURITY_CSS["none"]]
    return render_template(
        "municipality_profile.html", profile=body, domains={d.code: d for d in domains},
        maturity_labels=MATURITY_LABELS, role_labels=ROLE_LABELS, map_spec=map_spec,
        map_domain=shown, map_rows=maps.text_rows(areas, names, keep=experienced),
    )
