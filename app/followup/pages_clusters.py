"""Pages of the clusters in operation and the programme dashboard (Dutch first)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from app.core.extensions import db
from app.core.problems import Problem, flatten_marshmallow
from app.core.web import admin_required, bp
from app.followup import clusters as service
from app.followup import programme
from app.followup.schemas import ClusterMemberInSchema, SessionInSchema
from app.followup.service import acts_for
from app.models import ClusterPlan


def _messages(exc: ValidationError) -> list[str]:
    return [f"{e['field']}: {e['message']}" for e in flatten_marshmallow(exc.messages)]


@bp.route("/clusters", methods=["GET", "POST"])
def clusters_page():
    errors: list[str] = []
    if request.method == "POST":
        if not (current_user.is_authenticated and current_user.is_admin):
            abort(403)
        pid = request.form.get("plan_id", "")
        try:
            plan = db.session.get(ClusterPlan, int(pid)) if pid.isdigit() else None
            if plan is None:
                abort(404)
            created = service.adopt_plan(plan, None, current_user)
            flash(_("%(n)s cluster(s) in werking gezet.", n=len(created)), "success")
            return redirect(url_for("web.clusters_page"))
        except ValidationError as exc:
            errors = _messages(exc)
        except Problem as exc:
            errors = [exc.detail]
    plans = []
    if current_user.is_authenticated and current_user.is_admin:
        plans = [p for p in db.session.scalars(select(ClusterPlan).where(
            ClusterPlan.status == "done").order_by(ClusterPlan.id.desc())) if (p.result or {}).get("clusters")]
    return render_template("followup/clusters.html", clusters=service.clusters(), plans=plans,
                           errors=errors), (400 if errors else 200)


@bp.route("/clusters/<int:cluster_id>", methods=["GET", "POST"])
def cluster_page(cluster_id: int):
    try:
        cluster = service.get_cluster(cluster_id)
    except Problem:
        abort(404)
    errors: list[str] = []
    if request.method == "POST":
        if not current_user.is_authenticated:
            abort(403)
        action = request.form.get("action")
        try:
            if action == "member":
                if not current_user.is_admin:
                    abort(403)
                data = ClusterMemberInSchema().load({"refnis": request.form.get("refnis", "").strip(),
                                                     "role": request.form.get("role")})
                service.add_member(cluster, data["refnis"], data["role"], current_user)
                flash(_("Deelnemer bewaard."), "success")
            elif action == "session":
                data = SessionInSchema().load({
                    "held_on": request.form.get("held_on", ""),
                    "topic": request.form.get("topic", "").strip(),
                    "attendance": request.form.getlist("attendance"),
                    "material_url": request.form.get("material_url") or None})
                service.record_session(cluster, data, current_user)
                flash(_("Sessie bewaard."), "success")
            else:
                abort(400)
            return redirect(url_for("web.cluster_page", cluster_id=cluster.id))
        except ValidationError as exc:
            errors = _messages(exc)
        except Problem as exc:
            errors = [exc.detail]
    lighthouse = service.lighthouse_of(cluster)
    may_record = current_user.is_authenticated and acts_for(current_user, lighthouse)
    return render_template("followup/cluster.html", cluster=cluster, lighthouse=lighthouse,
                           adoptions=service.adoptions_in(cluster), may_record=may_record,
                           errors=errors), (400 if errors else 200)


@bp.get("/programma")
@admin_required
def programme_page():
    if request.args.get("export") in ("csv", "json"):
        data = programme.open_data()
        if request.args["export"] == "csv":
            return Response(programme.open_data_csv(data), mimetype="text/csv", headers={
                "Content-Disposition": "attachment; filename=vuurtoren-funded-projects.csv"})
        return data
    return render_template("followup/programme.html", board=programme.dashboard(),
                           licence=programme.OPEN_DATA_LICENCE)
