"""Municipality and project pages; admins add, correct and delete projects here too."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from app.core.extensions import db
from app.core.formatting import parse_euro, province_name
from app.core.problems import Problem
from app.core.web import admin_required, bp
from app.models import PROGRAMMES, PROVINCES, Domain, Municipality, Project
from app.registry import maps
from app.registry.forms import ProjectForm
from app.registry.schemas import MunicipalityListArgs, ProjectInSchema, ProjectListArgs
from app.registry.service import (
    create_project,
    delete_project,
    get_municipality,
    get_project,
    municipality_query,
    paginate,
    project_query,
    projects_of,
    update_project,
)


def _clean_args(schema) -> tuple[dict, dict]:
    """Load query args for a page; bad values are dropped and reported instead of failing."""
    raw = {k: v for k, v in request.args.items() if v != "" and k != "lang"}
    try:
        return schema.load(raw), {}
    except ValidationError as err:
        for field in err.messages:
            raw.pop(field, None)
        return schema.load(raw), err.messages


@bp.get("/gemeenten")
def municipalities():
    args, errors = _clean_args(MunicipalityListArgs())
    items, total = paginate(municipality_query(args), (Municipality.name_search,), args["page"], args["per_page"])
    map_spec, map_rows = _registry_map(args)
    return render_template(
        "municipalities.html", items=items, total=total, args=args, errors=errors,
        provinces=PROVINCES, pages=max(1, -(-total // args["per_page"])),
        map_spec=map_spec, map_rows=map_rows,
    )


def _inhabitants(m: Municipality) -> str:
    if m.population is None:
        return ""
    return _("%(n)s inwoners", n=format_decimal(m.population))


def _registry_map(args: dict) -> tuple[dict, list[tuple[str, str]]]:
    """The registry's map: every current municipality coloured by province; with a filter, the
    municipalities it finds stand out. Tooltips give province and inhabitants."""
    everyone = list(db.session.scalars(select(Municipality).where(Municipality.merged_into_id.is_(None))))
    filtered = any(args.get(k) not in (None, "") for k in ("q", "region", "province", "centrumstad"))
    found = {m.refnis for m in db.session.scalars(municipality_query(args))} if filtered else set()
    areas = {}
    for m in everyone:
        where = province_name(m.province)
        tip = f"{where} · {_inhabitants(m)}"
        if filtered:
            areas[m.refnis] = maps.area("vt-match" if m.refnis in found else "vt-none", tip)
        else:
            areas[m.refnis] = maps.area(f"vt-province-{m.province or 'brussels'}", tip)
    if filtered:
        legend = [("vt-match", _("gevonden met deze filter")), ("vt-none", _("andere gemeenten"))]
    else:
        legend = [(f"vt-province-{p}", province_name(p)) for p in PROVINCES]
        legend.append(("vt-province-brussels", province_name(None)))
    names = {m.refnis: m.name_nl for m in everyone}
    spec = maps.spec(areas=areas, legend=legend, focus=sorted(found))
    return spec, maps.text_rows(areas, names, keep=sorted(found) if filtered else None)


@bp.get("/gemeenten/<refnis>")
def municipality(refnis: str):
    try:
        m = get_municipality(refnis)
    except Problem as exc:
        abort(exc.status if exc.status in (400, 404) else 404)
    current = m.current()
    if current.id != m.id:
        flash(_("%(old)s (%(code)s) is gefusioneerd in %(new)s.", old=m.name_nl, code=m.refnis,
                new=current.name_nl), "info")
        return redirect(url_for("web.municipality", refnis=current.refnis))
    projects = projects_of(m)
    map_spec, map_rows = _municipality_map(m, projects)
    return render_template("municipality.html", m=m, projects=projects, map_spec=map_spec, map_rows=map_rows)


def _municipality_map(m: Municipality, projects: list[Project]) -> tuple[dict, list[tuple[str, str]]]:
    """A municipality on the map with the municipalities it shared projects with."""
    partners: dict[str, tuple[str, int]] = {}
    own = {m.id} | {p.id for p in m.predecessors}
    for project in projects:
        for participation in project.participations:
            other = participation.municipality.current()
            if participation.municipality_id in own or other.id == m.id:
                continue
            name, count = partners.get(other.refnis, (other.name_nl, 0))
            partners[other.refnis] = (name, count + 1)
    areas = {m.refnis: maps.area("vt-here", _inhabitants(m))}
    for code, (_name, count) in partners.items():
        areas[code] = maps.area("vt-partner", _("%(n)s gedeelde projecten", n=count) if count > 1
                                else _("1 gedeeld project"))
    names = {code: name for code, (name, _count) in partners.items()} | {m.refnis: m.name_nl}
    legend = [("vt-here", m.name_nl), ("vt-partner", _("partner in een project"))]
    spec = maps.spec(areas=areas, legend=legend, focus=[m.refnis, *partners])
    return spec, maps.text_rows(areas, names)


@bp.get("/projecten")
def projects():
    args, errors = _clean_args(ProjectListArgs())
    items, total = paginate(project_query(args), (Project.year, Project.id), args["page"], args["per_page"])
    domains = db.session.scalars(select(Domain).order_by(Domain.position)).all()
    return render_template(
        "projects.html", items=items, total=total, args=args, errors=errors, programmes=PROGRAMMES,
        domains=domains, pages=max(1, -(-total // args["per_page"])),
    )


@bp.get("/projecten/<int:project_id>")
def project(project_id: int):
    try:
        p = get_project(project_id)
    except Problem:
        abort(404)
    return render_template("project.html", p=p)


def _form_to_data(form: ProjectForm) -> dict:
    """Translate the web form into the API's project payload; field errors land on the form."""
    data = {
        "title": form.title.data, "title_en": form.title_en.data or None, "summary": form.summary.data or "",
        "programme": form.programme.data, "year": form.year.data, "status": form.status.data,
        "source_ref": form.source_ref.data or None, "curated": form.curated.data,
        "domains": list(form.domains.data or []),
        "deliverables": {
            "playbook": form.playbook.data, "model_specification": form.model_specification.data,
            "open_source": form.open_source.data, "open_data": form.open_data.data, "oslo": [],
            "vloca": form.vloca.data,
        },
    }
    for field, key in ((form.grant_euro, "grant_cents"), (form.total_budget_euro, "total_budget_cents")):
        try:
            data[key] = parse_euro(field.data)
        except ValueError as err:
            field.errors.append(_("mag niet negatief zijn") if "negative" in str(err)
                                else _("'%(text)s' is geen bedrag in euro, bv. 199.720,02", text=field.data))
    participations = []
    if form.lead.data:
        participations.append({"refnis": form.lead.data.strip(), "role": "lead"})
    for code in (form.partners.data or "").replace(";", ",").split(","):
        if code.strip():
            participations.append({"refnis": code.strip(), "role": "partner"})
    data["participations"] = participations
    return data


_FIELD_OF = {"grant_cents": "grant_euro", "total_budget_cents": "total_budget_euro", "participations": "partners"}
#: The API messages a correct-looking form can still meet, in the UI language (the API speaks English).
_MESSAGES = (
    (re.compile(r"must not exceed total_budget_cents"), lambda m: _("mag niet hoger zijn dan het totale budget")),
    (re.compile(r"unknown REFNIS code (\S+)"), lambda m: _("onbekende NIS-code %(code)s", code=m.group(1))),
    (re.compile(r"municipality (\S+) is listed twice"),
     lambda m: _("gemeente %(code)s staat er twee keer in", code=m.group(1))),
)


def _ui_message(message: str) -> str:
    for pattern, text in _MESSAGES:
        found = pattern.fullmatch(message)
        if found:
            return text(found)
    return message


def _attach_errors(form: ProjectForm, errors: list[dict]) -> None:
    for e in errors:
        name = _FIELD_OF.get(e["field"].split(".")[0], e["field"].split(".")[0])
        if e["field"].startswith("participations.0") and form.lead.data:
            name = "lead"
        field = getattr(form, name, None) or form.title
        field.errors = list(field.errors) + [_ui_message(e["message"])]


def _save_project(form: ProjectForm, project: Project | None):
    data = _form_to_data(form)
    if any(f.errors for f in form):
        return None
    try:
        clean = ProjectInSchema().load(data)
    except ValidationError as err:
        from app.core.problems import flatten_marshmallow

        _attach_errors(form, flatten_marshmallow(err.messages))
        return None
    try:
        if project is None:
            project = create_project(clean, current_user)
        else:
            update_project(project, clean, current_user)
    except Problem as exc:
        _attach_errors(form, exc.errors or [{"field": "title", "message": exc.detail}])
        return None
    return project


def _domain_choices(form: ProjectForm) -> None:
    english = str(get_locale()) == "en"
    form.domains.choices = [SelectChoice(d.code, d.name_en if english else d.name_nl)
                            for d in db.session.scalars(select(Domain).order_by(Domain.position))]


@bp.route("/projecten/nieuw", methods=["GET", "POST"])
@admin_required
def project_new():
    form = ProjectForm()
    _domain_choices(form)
    if form.validate_on_submit():
        saved = _save_project(form, None)
        if saved:
            flash(_("Project toegevoegd."), "success")
            return redirect(url_for("web.project", project_id=saved.id))
    return render_template("project_form.html", form=form, p=None), (400 if form.errors or any(f.errors for f in form) else 200)


@bp.route("/projecten/<int:project_id>/bewerken", methods=["GET", "POST"])
@admin_required
def project_edit(project_id: int):
    p = db.session.get(Project, project_id) or abort(404)
    form = ProjectForm(obj=p) if request.method == "GET" else ProjectForm()
    _domain_choices(form)
    if request.method == "GET":
        form.domains.data = [d.code for d in p.domains]
        form.grant_euro.data = f"{p.grant_cents / 100:.2f}" if p.grant_cents is not None else ""
        form.total_budget_euro.data = f"{p.total_budget_cents / 100:.2f}" if p.total_budget_cents is not None else ""
        leads = [x.municipality.refnis for x in p.participations if x.role == "lead"]
        form.lead.data = leads[0] if leads else ""
        form.partners.data = ", ".join(x.municipality.refnis for x in p.participations if x.role != "lead")
    elif form.validate_on_submit():
        saved = _save_project(form, p)
        if saved:
            flash(_("Project bijgewerkt."), "success")
            return redirect(url_for("web.project", project_id=saved.id))
    return render_template("project_form.html", form=form, p=p), (400 if any(f.errors for f in form) else 200)


@bp.post("/projecten/<int:project_id>/verwijderen")
@admin_required
def project_delete(project_id: int):
    from flask_wtf.csrf import validate_csrf  # noqa: F401  (CSRFProtect already checked the token)

    p = db.session.get(Project, project_id) or abort(404)
    delete_project(p, current_user)
    flash(_("Project verwijderd."), "success")
    return redirect(url_for("web.projects"))


@bp.route("/projecten/import", methods=["GET", "POST"])
@admin_required
def projects_import():
    """The secretariat imports projects: upload, see the dry run row by row, then commit."""
    import base64
    import binascii

    from flask_login import current_user

    from app.registry import transfer

    plan, data, filename, error = None, None, None, None
    if request.method == "POST":
        upload = request.files.get("file")
        if request.form.get("action") == "commit":
            filename = request.form.get("filename") or "projects.csv"
            try:
                data = base64.b64decode(request.form.get("data", ""), validate=True)
            except (binascii.Error, ValueError):
                data = b""
        elif upload is not None and upload.filename:
            filename, data = upload.filename, upload.read()
        if not data:
            error = _("Kies een CSV- of XLSX-bestand.")
        else:
            commit = request.form.get("action") == "commit"
            try:
                plan, written = transfer.import_projects(data, filename, None, not commit,
                                                         current_user)
            except transfer.TransferError as exc:
                error = _("Het bestand kan niet gelezen worden: %(reason)s", reason=str(exc))
            else:
                if commit and written:
                    counts = plan.counts()
                    flash(_("Import uitgevoerd: %(c)s nieuw, %(u)s bijgewerkt, %(n)s ongewijzigd.",
                            c=counts["create"], u=counts["update"], n=counts["unchanged"]),
                          "success")
                    return redirect(url_for("web.projects"))
                if commit and plan.ok:
                    flash(_("Niets te importeren: alle rijen zijn ongewijzigd."), "info")
    encoded = base64.b64encode(data).decode() if data and plan is not None and plan.ok else None
    status = 400 if error or (plan is not None and not plan.ok) else 200
    return render_template("projects_import.html", plan=plan, error=error, data=encoded,
                           filename=filename), status
