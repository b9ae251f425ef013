"""City self-service pages: a city keeps its own profile (interest per domain, declared projects
and participations); the secretariat verifies or rejects declarations with a motivation."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select

from app.core.extensions import db
from app.core.problems import Problem
from app.core.web import admin_required, bp
from app.models import INTERESTS, PARTICIPATION_ROLES, Domain, Project
from app.registry import declarations as service
from app.registry.schemas import (
    DeclaredParticipationInSchema,
    DeclaredProjectInSchema,
    InterestsSchema,
    ReviewInSchema,
)
from app.registry.service import get_municipality


def _errors(exc: ValidationError) -> list[str]:
    from app.core.problems import flatten_marshmallow

    return [f"{e['field']}: {e['message']}" for e in flatten_marshmallow(exc.messages)]


@bp.route("/gemeenten/<refnis>/eigen-gegevens", methods=["GET", "POST"])
@login_required
def own_profile(refnis: str):
    try:
        m = get_municipality(refnis)
        service.check_acts_for(current_user, m)
    except Problem as exc:
        abort(exc.status if exc.status in (400, 403, 404) else 404)
    domains = db.session.scalars(select(Domain).order_by(Domain.position)).all()
    errors: list[str] = []
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "interests":
                data = InterestsSchema().load({"interests": {
                    d.code: request.form[f"interest-{d.code}"] for d in domains
                    if request.form.get(f"interest-{d.code}")}})
                service.set_interests(current_user, m, data["interests"])
                flash(_("Interesse per domein bewaard."), "success")
            elif action == "project":
                form = request.form
                data = DeclaredProjectInSchema().load({
                    "title": form.get("title", "").strip(),
                    "year": int(form["year"]) if form.get("year", "").isdigit() else form.get("year"),
                    "domains": form.getlist("domains"), "role": form.get("role") or "lead",
                    "summary": form.get("summary", ""),
                    "source_url": form.get("source_url") or None})
                service.declare_project(current_user, m, data)
                flash(_("Project aangegeven; het secretariaat verifieert het."), "success")
            elif action == "participation":
                pid = request.form.get("project_id", "")
                data = DeclaredParticipationInSchema().load({
                    "project_id": int(pid) if pid.isdigit() else pid,
                    "role": request.form.get("role") or "partner"})
                project = db.session.get(Project, data["project_id"]) or abort(404)
                service.declare_participation(current_user, m, project, data["role"])
                flash(_("Deelname aangegeven; het secretariaat verifieert ze."), "success")
            else:
                abort(400)
            return redirect(url_for("web.own_profile", refnis=m.refnis))
        except ValidationError as exc:
            errors = _errors(exc)
        except Problem as exc:
            errors = [exc.detail]
    mine = {p.project_id for p in service.declarations(None, m)}
    taking_part = {p.project_id for p in _lineage_participations(m)}
    others = db.session.scalars(select(Project).order_by(Project.year.desc(), Project.title)).all()
    return render_template(
        "own_profile.html", m=m, domains=domains, interests=service.interests_of(m),
        interest_codes=INTERESTS, roles=PARTICIPATION_ROLES, errors=errors,
        declarations=service.declarations(None, m),
        projects=[p for p in others if p.id not in taking_part and p.id not in mine],
    ), (400 if errors else 200)


def _lineage_participations(m):
    return [p for x in service._lineage(m) for p in x.participations]


@bp.route("/verificatie", methods=["GET", "POST"])
@admin_required
def declarations_review():
    errors: dict[int, str] = {}
    if request.method == "POST":
        did = request.form.get("declaration_id", "")
        try:
            data = ReviewInSchema().load({"decision": request.form.get("decision"),
                                          "motivation": request.form.get("motivation", "").strip()})
            service.review(current_user, service.get_declaration(int(did) if did.isdigit() else 0),
                           data["decision"], data["motivation"])
            flash(_("Verificatie bewaard."), "success")
            return redirect(url_for("web.declarations_review"))
        except ValidationError as exc:
            errors[int(did) if did.isdigit() else 0] = "; ".join(_errors(exc))
        except Problem as exc:
            errors[int(did) if did.isdigit() else 0] = exc.detail
    return render_template("declarations_review.html", pending=service.declarations("pending"),
                           done=service.declarations("verified")[-10:]
                           + service.declarations("rejected")[-10:], errors=errors), (
        400 if errors else 200)
