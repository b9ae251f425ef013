"""Applications: tables <-> ``evaluation`` (pure), access rules, and their writes.

Writes go through ``evaluation.applications.application_from_dict`` (every shape rule, every
error at once) before anything touches the session, so a failed write leaves nothing behind.
The evaluation of a call's applications (eligibility, indicators, advice) is
``app.calls.service_evaluation``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.calls.service import invalid_input
from app.core.audit import record_audit
from app.core.extensions import db
from app.core.limits import MAX_CENTS, MIN_DECISION_MOTIVATION, valid_id
from app.core.problems import Problem, not_found, validation_problem
from app.core.transaction import transactional
from app.models import (
    Application,
    ApplicationFollower,
    ApplicationPartner,
    ApplicationPriorProject,
    Call,
    Municipality,
    Organisation,
    Project,
    User,
)
from app.models.registry import utcnow
from evaluation import applications as ev_apps
from evaluation.calls import VGC, FieldError, InvalidInput
from evaluation.importing import ImportFormatError, ImportReport, RowResult, parse_import

#: How many similar funded projects the double-funding check looks at.
SIMILAR_LIMIT = 5


# --------------------------------------------------------------------------------------------
# Access


def can_see(user: User | None, row: Application) -> bool:
    """The object-level rule of ``app.jury.service_access`` (admin all; a juror assigned applications without
    a conflict; a city user those led by or partnered with their municipality)."""
    from app.jury.service_access import (
        can_view_application,  # app.jury.service_access imports the jury service
    )

    return can_view_application(user, row)


def can_edit(user: User | None, row: Application) -> bool:
    """Admin, or the city user whose municipality leads the application."""
    if user is None:
        return False
    if user.role == "admin":
        return True
    return user.role == "city" and user.municipality_id is not None and (
        row.lead_municipality_id == user.municipality_id
    )


def visible_query(user: User, call_id: int | None = None):
    """Applications ``user`` may see (admin: all), optionally of one call, with their members."""
    stmt = select(Application).options(
        selectinload(Application.partners), selectinload(Application.followers),
        selectinload(Application.prior_projects), selectinload(Application.lead_municipality),
    )
    if call_id is not None:
        stmt = stmt.where(Application.call_id == call_id)
    if user.role == "juror":
        from app.jury.service_access import visible_application_ids

        return stmt.where(Application.id.in_(visible_application_ids(user, call_id))).order_by(
            Application.id)
    if user.role != "admin":
        mid = user.municipality_id if user.role == "city" else None
        if mid is None:
            return stmt.where(Application.id.is_(None))
        stmt = stmt.where(or_(
            Application.lead_municipality_id == mid,
            Application.partners.any(ApplicationPartner.municipality_id == mid),
        ))
    return stmt.order_by(Application.id)


def get_application(application_id: int) -> Application:
    row = db.session.get(Application, application_id) if valid_id(application_id) else None
    if row is None:
        raise not_found("application", application_id, field="id")
    return row


def get_visible_application(application_id: int, user: User | None) -> Application:
    """The application, or 404 for a user who may not see it (no hint that it exists)."""
    row = get_application(application_id)
    if not can_see(user, row):
        raise not_found("application", application_id, field="id")
    return row


def ensure_may_apply(user: User, lead: Any) -> None:
    """A city user applies with their own municipality as lead; only the admin for others."""
    if user.role == "admin":
        return
    own = user.municipality.refnis if user.role == "city" and user.municipality else None
    if own is None:
        raise Problem(403, "Forbidden", "Only the admin or a city user with a municipality applies.")
    if lead != own:
        raise Problem(
            403, "Forbidden", f"A city user applies with their own municipality ({own}) as lead.",
            errors=[{"field": "lead", "message": f"must be your municipality {own}",
                     "message_nl": f"moet uw gemeente {own} zijn"}],
        )


# --------------------------------------------------------------------------------------------
# Rows <-> pure applications


def letter_documents(row: Application) -> dict[str, Any]:
    """The latest uploaded letter of intent per follower (REFNIS -> ApplicationDocument)."""
    out: dict[str, Any] = {}
    for doc in sorted(getattr(row, "documents", None) or [], key=lambda d: d.id):
        if doc.kind == "letter_of_intent" and doc.refnis:
            out[doc.refnis] = doc
    return out


def follower_letters(row: Application) -> dict[str, ev_apps.Evidence]:
    """What backs each follower the secretariat confirmed: its uploaded letter of intent
    (``document``, with the id) when there is one, else the secretariat's word alone. Only the
    secretariat's confirmation makes a follower count; an uploaded letter is read for it
    (:func:`app.calls.service_documents.reading`) but does not count by itself."""
    documents = letter_documents(row)
    out = {}
    for f in row.followers:
        if f.letter:
            doc = documents.get(f.municipality.refnis)
            out[f.municipality.refnis] = (ev_apps.Evidence("document", doc.id) if doc is not None
                                          else ev_apps.Evidence("secretariat"))
    return out


def application_from_row(row: Application) -> ev_apps.Application:
    partners = []
    for p in row.partners:
        if p.is_vgc:
            partners.append(ev_apps.Partner(refnis=VGC))
        elif p.municipality_id is not None:
            partners.append(ev_apps.Partner(refnis=p.municipality.refnis))
        else:
            partners.append(ev_apps.Partner(
                organisation_id=p.organisation_id, organisation_type=p.organisation_type,
                name=p.organisation.name if p.organisation else None,
                represents=tuple(p.represents or ()),
            ))
    d = row.deliverables()
    return ev_apps.Application(
        id=row.id, lead=row.lead_code, title=row.title, summary=row.summary or "",
        requested_grant_cents=row.requested_grant_cents, total_budget_cents=row.total_budget_cents,
        cofinancing_cents=row.cofinancing_cents, domains=tuple(row.domains or ()),
        partners=tuple(partners),
        deliverables=ev_apps.Deliverables(
            playbook=d["playbook"], model_specification=d["model_specification"],
            open_source=d["open_source"], open_data=d["open_data"], oslo=tuple(d["oslo"]),
            vloca=d["vloca"], links=d["links"],
        ),
        prior_projects=tuple(pp.project_id for pp in row.prior_projects),
        committed_followers=tuple(f.municipality.refnis for f in row.followers),
        follower_letters=follower_letters(row),
        cofinancing_backed_cents=row.cofinancing_backed_cents or 0,
        knowledge_sharing=tuple(row.knowledge_sharing or ()),
        prior_project_references=tuple(row.prior_project_references or ()),
    )


def payload_of(row: Application) -> dict[str, Any]:
    """The row in the API's input shape (for PATCH: merge changes onto it, validate it whole)."""
    app = application_from_row(row)
    d = app.to_dict()
    d.pop("id")
    d.pop("follower_letters")
    d["committed_followers"] = [{"refnis": r, "letter": True} if app.has_letter(r) else r
                                for r in app.committed_followers]
    d["status"] = row.status
    return d


def application_content(row: Application) -> dict[str, Any]:
    """What a receipt and an amendment cover: the application in the API's input shape, without
    its status (evaluation.submission)."""
    d = payload_of(row)
    d.pop("status")
    return d


#: What only the secretariat (admin) confirms: letters of intent and backed co-financing.
SECRETARIAT_FIELDS = ("committed_followers", "cofinancing_backed_cents")


def ensure_evidence_by_secretariat(
    user: User | None, app: ev_apps.Application, before: ev_apps.Application | None
) -> None:
    """403 when someone other than the admin confirms a letter of intent or raises backed
    co-financing: the evidence the indicators count is the secretariat's to record (dropping a
    follower, or lowering a budget below what was backed, stays anyone's right)."""
    if user is None or user.role == "admin":
        return
    letters = {r for r in app.committed_followers if app.has_letter(r)}
    old_letters = {r for r in before.committed_followers if before.has_letter(r)} if before else set()
    old_backed = before.cofinancing_backed_cents if before else 0
    errors = []
    if letters - old_letters:
        errors.append({"field": "committed_followers",
                       "message": "only the secretariat confirms a letter of intent",
                       "message_nl": "alleen het secretariaat bevestigt een intentieverklaring"})
    if app.cofinancing_backed_cents > old_backed:
        errors.append({"field": "cofinancing_backed_cents",
                       "message": "only the secretariat confirms backed co-financing",
                       "message_nl": "alleen het secretariaat bevestigt gestaafde cofinanciering"})
    if errors:
        raise Problem(403, "Forbidden", "Only the secretariat records evidence.", errors=errors)


def _known() -> dict[str, set]:
    return {
        "known_refnis": set(db.session.scalars(
            select(Municipality.refnis).where(Municipality.merged_into_id.is_(None)))),
        "known_organisations": set(db.session.scalars(select(Organisation.id))),
        "known_projects": set(db.session.scalars(select(Project.id))),
    }


#: Lengths the tables hold; the API schema says the same, the web form relies on this check.
TEXT_LIMITS = {"title": 300, "summary": 10_000}
ITEM_LIMITS = {"knowledge_sharing": 2000}


def app_errors(payload: dict[str, Any], app: ev_apps.Application | None) -> list[FieldError]:
    """What the tables cannot hold although ``evaluation`` accepts it: over-long texts, amounts
    beyond €100 billion, and the VGC as committed follower (followers are municipalities)."""
    errors = []
    for name, limit in TEXT_LIMITS.items():
        if isinstance(payload.get(name), str) and len(payload[name]) > limit:
            errors.append(FieldError(name, f"at most {limit} characters", f"hoogstens {limit} tekens"))
    for name, limit in ITEM_LIMITS.items():
        items = payload.get(name)
        for i, text in enumerate(items if isinstance(items, (list, tuple)) else []):
            if isinstance(text, str) and len(text) > limit:
                errors.append(FieldError(f"{name}[{i}]", f"at most {limit} characters",
                                         f"hoogstens {limit} tekens"))
    oslo = (payload.get("deliverables") or {}).get("oslo") if isinstance(
        payload.get("deliverables"), dict) else None
    for i, text in enumerate(oslo if isinstance(oslo, (list, tuple)) else []):
        if isinstance(text, str) and len(text) > 100:
            errors.append(FieldError(f"deliverables.oslo[{i}]", "at most 100 characters",
                                     "hoogstens 100 tekens"))
    for name in ("requested_grant_cents", "total_budget_cents", "cofinancing_cents"):
        value = payload.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value > MAX_CENTS:
            errors.append(FieldError(name, "amount is too large", "bedrag is te groot"))
    if app is not None:
        for i, code in enumerate(app.committed_followers):
            if code == VGC:
                errors.append(FieldError(
                    f"committed_followers[{i}]", "a committed follower is a municipality, not the VGC",
                    "een volgstad is een gemeente, niet de VGC"))
    return errors


def parse_application(payload: dict[str, Any]) -> ev_apps.Application:
    """Every shape rule of ``evaluation.applications`` against today's registry; 400 on error."""
    data = {k: v for k, v in payload.items() if k != "status"}
    errors = app_errors(data, None)
    try:
        app = ev_apps.application_from_dict(data, **_known())
    except InvalidInput as exc:
        raise invalid_input(InvalidInput(list(exc.errors) + errors)) from None
    errors += app_errors({}, app)
    if errors:
        raise invalid_input(InvalidInput(errors))
    return app


def write_application(
    row: Application, app: ev_apps.Application, *, status: str, user: User | None, origin: str
) -> Application:
    """Write a validated pure application onto ``row`` (new or existing); caller adds and commits."""
    codes = set(app.local_governments) | set(app.committed_followers) | {
        r for p in app.partners for r in p.represents}
    by_refnis = {m.refnis: m for m in db.session.scalars(
        select(Municipality).where(Municipality.refnis.in_(codes - {VGC})))}
    orgs = {o.id: o for o in db.session.scalars(select(Organisation).where(
        Organisation.id.in_([p.organisation_id for p in app.partners if p.organisation_id])))}
    with db.session.no_autoflush:
        row.lead_is_vgc = app.lead == VGC
        row.lead_municipality = None if row.lead_is_vgc else by_refnis[app.lead]
        row.title = app.title
        row.summary = app.summary
        row.domains = list(app.domains)
        row.requested_grant_cents = app.requested_grant_cents
        row.total_budget_cents = app.total_budget_cents
        row.cofinancing_cents = app.own_financing_cents
        d = app.deliverables
        row.playbook, row.model_specification = d.playbook, d.model_specification
        row.open_source, row.open_data, row.vloca = d.open_source, d.open_data, d.vloca
        row.oslo_standards = list(d.oslo)
        row.deliverable_links = dict(d.links)
        row.knowledge_sharing = list(app.knowledge_sharing)
        row.prior_project_references = list(app.prior_project_references)
        row.cofinancing_backed_cents = app.cofinancing_backed_cents
        if row.status != "submitted" and status == "submitted":
            row.submitted_at = utcnow()
        row.status = status
        if row.id is None:
            row.origin = origin
            row.created_by = user
        for rel in (row.partners, row.followers, row.prior_projects):
            rel.clear()
        if row.id is not None:
            db.session.flush()
        for i, p in enumerate(app.partners):
            if p.refnis == VGC:
                row.partners.append(ApplicationPartner(is_vgc=True, position=i))
            elif p.refnis is not None:
                row.partners.append(ApplicationPartner(municipality=by_refnis[p.refnis], position=i))
            else:
                org = orgs[p.organisation_id]
                row.partners.append(ApplicationPartner(
                    organisation=org, organisation_type=p.organisation_type or org.type, position=i,
                    represents=list(p.represents) or None))
        for i, code in enumerate(app.committed_followers):
            row.followers.append(ApplicationFollower(municipality=by_refnis[code], position=i,
                                                     letter=app.has_letter(code)))
        for i, pid in enumerate(app.prior_projects):
            row.prior_projects.append(ApplicationPriorProject(project_id=pid, position=i))
    return row


@transactional("application.create", payload=lambda row, **_: {
    "application": row.id, "call": row.call_id, "title": row.title})
def create_application(
    call: Call, payload: dict[str, Any], user: User | None, *, origin: str = "api"
) -> Application:
    """A new application, written as a draft and submitted at once when ``status`` is
    ``submitted`` (the default): the call must take applications (409 otherwise)."""
    from app.calls.service_lifecycle import ensure_may_create, submit

    ensure_may_create(call)
    app = parse_application(payload)
    ensure_evidence_by_secretariat(user, app, None)
    row = Application(call_id=call.id)
    write_application(row, app, status="draft", user=user, origin=origin)
    db.session.add(row)
    if (payload.get("status") or "submitted") == "submitted":
        db.session.flush()
        submit(row, user)
    return row


@transactional("application.update", payload=lambda _result, row, changes, **_: {
    "application": row.id, "fields": sorted(changes)})
def update_application(row: Application, changes: dict[str, Any], user: User | None, *,
                       amendment: bool = False) -> Application:
    """Change a draft (its lead or the admin; 409 once submitted, withdrawn or past the deadline);
    ``status: submitted`` submits it. ``amendment=True`` is the secretariat's amendment
    (``service_lifecycle.amend`` checks its own rules and keeps the status)."""
    from app.calls.service_lifecycle import ensure_lead_may_edit, submit

    if not amendment:
        ensure_lead_may_edit(row)
    merged = {**payload_of(row), **changes}
    app = parse_application(merged)
    ensure_evidence_by_secretariat(user, app, application_from_row(row))
    write_application(row, app, status=row.status, user=user, origin=row.origin)
    if not amendment and changes.get("status") == "submitted":
        db.session.flush()
        submit(row, user)
    return row


@transactional("application.delete")
def delete_application(row: Application, user: User | None) -> None:
    """Delete an application that the jury has not started on.

    Once jurors are assigned or scores exist, deleting would throw away their work and the
    audit trail's subject: answer 409 instead (the secretariat can mark it ineligible with a
    motivated override).
    """
    from app.models import Assignment, Score

    started = db.session.scalar(
        select(func.count()).select_from(Assignment).where(Assignment.application_id == row.id)
    ) or db.session.scalar(select(func.count()).select_from(Score).where(Score.application_id == row.id))
    if started:
        raise Problem(
            409, "Conflict",
            "This application is already with the jury (assigned or scored); it can no longer be "
            "deleted. The secretariat can set it aside with a motivated eligibility decision.",
            errors=[{"field": "application", "message": "already assigned to jurors or scored",
                     "message_nl": "al toegewezen aan juryleden of gescoord"}],
        )
    from app.calls.service_lifecycle import ensure_lead_may_edit

    ensure_lead_may_edit(row)  # a submitted application is withdrawn, never deleted
    record_audit(user, "application.delete", {"application_id": row.id, "title": row.title})
    db.session.delete(row)


@transactional("application.eligibility_override")
def override_eligibility(row: Application, eligible: bool | None, motivation: str, user: User) -> None:
    """Store the admin's eligibility decision with its written motivation (at least
    ``MIN_DECISION_MOTIVATION`` characters); audited.

    ``eligible=None`` clears the override (the motivation says why, in the audit record).
    """
    from app.calls.service_lifecycle import ensure_not_published

    motivation = motivation.strip()
    if len(motivation) < MIN_DECISION_MOTIVATION:
        raise validation_problem([{
            "field": "motivation", "message": f"write at least {MIN_DECISION_MOTIVATION} characters",
            "message_nl": f"schrijf minstens {MIN_DECISION_MOTIVATION} tekens"}])
    ensure_not_published(row.call, "the eligibility", "de ontvankelijkheid")
    from app.calls.service_evaluation import CallEvaluation

    automatic = CallEvaluation(row.call).eligibility(row).eligible
    row.override_eligible = eligible
    row.override_motivation = motivation if eligible is not None else None
    row.override_by = user if eligible is not None else None
    row.override_at = utcnow() if eligible is not None else None
    record_audit(user, "application.eligibility_override", {
        "application_id": row.id, "call_id": row.call_id, "automatic_eligible": automatic,
        "override_eligible": eligible, "motivation": motivation,
    })


def _with_app_errors(report: ImportReport) -> ImportReport:
    """The report with :func:`app_errors` added to the rows they concern (imports recomputed)."""
    rows = []
    for r in report.rows:
        extra = app_errors(r.application.to_dict(), r.application) if r.application else []
        rows.append(RowResult(r.row, None, tuple(extra)) if extra else r)
    if len(rows) == len(report.rows) and all(a is b for a, b in zip(rows, report.rows, strict=True)):
        return report
    valid = tuple(r.application for r in rows if r.ok and r.application is not None)
    any_error = any(not r.ok for r in rows)
    imported = valid if (report.import_valid_rows or not any_error) else ()
    return ImportReport(rows=tuple(rows), imported=imported, import_valid_rows=report.import_valid_rows)


@transactional("applications.import", payload=lambda *_, **__: None)  # audited when rows came in
def import_rows(
    call_row: Call, data: bytes | str, fmt: str, import_valid_rows: bool, user: User | None
) -> tuple[ImportReport, list[int]]:
    """Validate every row of a CSV/JSON file and write the importable ones in one transaction.

    Nothing is written when a row has an error, unless ``import_valid_rows``. Audited when
    something was imported. A file that cannot be read is a 400 problem on ``file``.
    """
    try:
        report = parse_import(data, fmt, import_valid_rows=import_valid_rows, **_known())
    except ImportFormatError as exc:
        raise validation_problem([{"field": "file", "message": exc.message,
                                   "message_nl": exc.message_nl}]) from None
    if not report.rows:
        raise validation_problem([{"field": "file", "message": "the file has no rows",
                                   "message_nl": "het bestand bevat geen rijen"}])
    from app.calls.service_lifecycle import ensure_may_create, submit

    ensure_may_create(call_row)
    report = _with_app_errors(report)
    rows = []
    for app in report.imported:
        row = Application(call_id=call_row.id)
        write_application(row, app, status="draft", user=user, origin="import")
        db.session.add(row)
        db.session.flush()
        submit(row, user)
        rows.append(row)
    if rows:
        record_audit(user, "applications.import", {
            "call_id": call_row.id, "rows": len(report.rows), "imported": [r.id for r in rows]})
    return report, [r.id for r in rows]
