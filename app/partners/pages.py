"""The partner finder (/partners) and the experience profile of a municipality (/gemeenten/<refnis>/profiel).

Both call ``app.partners.service`` (the same functions as the API), so the page shows exactly
what the API answers; bad input comes back as an error beside the field instead of a 400 page.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
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
from app.core.maps import Projection, map_points, shape_paths
from app.core.problems import Problem
from app.core.web import bp
from app.models import Domain
from app.partners.service import municipality_profile, partner_suggestions
from app.registry.service import current_graph
from matching.graph import MAX_LIMIT

MATURITY_LABELS = {
    "lighthouse-ready": _l("klaar om vuurtoren te zijn"),
    "experienced": _l("ervaren"),
    "starter": _l("starter"),
    "none": _l("geen ervaring"),
}
ROLE_LABELS = {
    "lead": _l("indiener"),
    "partner": _l("partner"),
    "follower": _l("volger"),
    "adopter": _l("overnemer"),
}
FACTOR_LABELS = {
    "experience_gap": _l("ervaring"),
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
                                   validators=[Optional(), NumberRange(min=0, max=1000)])
    limit = IntegerField(_l("Aantal voorstellen"), default=10,
                         validators=[Optional(), NumberRange(min=1, max=MAX_LIMIT)])


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
    projection = Projection()
    marks, here = [], []
    if result:
        chosen = graph.municipality(result["query"]["municipality"]["refnis"])
        here = map_points([chosen], projection)
        ranked = [graph.municipality(item["municipality"]["refnis"]) for item in result["items"]]
        marks = [dict(point, label=str(rank)) for rank, point
                 in enumerate(map_points(ranked, projection), start=1)]
    return render_template(
        "partners.html", form=form, result=result, domains={d.code: d for d in domains},
        municipalities=sorted(graph.municipalities, key=lambda m: m.name_nl),
        projection=projection, shapes=shape_paths(projection),
        points=map_points(graph.municipalities, projection), here=here, marks=marks,
        factor_labels=FACTOR_LABELS, looking_for_labels=LOOKING_FOR_LABELS,
        mode_labels=MODE_LABELS,
    ), status


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
    return render_template(
        "municipality_profile.html", profile=body, domains={d.code: d for d in _domains()},
        maturity_labels=MATURITY_LABELS, role_labels=ROLE_LABELS,
    )
