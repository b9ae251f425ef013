"""Assignments of jurors to applications and declared conflicts of interest: computed with
``evaluation.assignment`` (optimal, within the loads), fixed or withdrawn by the admin, and
reassigned when a juror declares a conflict. Each write is one audited transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from app.core.audit import record_audit
from app.core.extensions import db
from app.core.problems import Problem, not_found, validation_problem
from app.core.transaction import transactional
from app.jury.service import (
    applications_of,
    call_conflicts,
    ensure_not_published,
    get_settings,
    jurors_of,
    jury_applications,
    pair_conflicts,
    pure_juror,
)
from app.models import (
    Application,
    Assignment,
    Call,
    CallJuror,
    CallJurySettings,
    DeclaredConflict,
    Score,
    User,
)
from app.models.registry import utcnow
from evaluation.assignment import (
    InfeasibleAssignment,
    InvalidAssignmentInput,
    assign_jurors,
    reassign_after_conflict,
)

Pair = tuple[int, int]  # (application_id, juror_id)


# --------------------------------------------------------------------------------------------
# Assignments


def assignment_rows(call: Call) -> list[Assignment]:
    stmt = (
        select(Assignment)
        .join(CallJuror, Assignment.juror_id == CallJuror.id)
        .where(CallJuror.call_id == call.id)
        .order_by(Assignment.application_id, Assignment.juror_id)
    )
    return list(db.session.scalars(stmt))


def current_pairs(call: Call) -> set[Pair]:
    return {(a.application_id, a.juror_id) for a in assignment_rows(call)}


def scored_pairs(call: Call) -> set[Pair]:
    """Pairs where the juror saved at least one score (draft or submitted)."""
    stmt = (
        select(Score.application_id, Score.juror_id)
        .join(CallJuror, Score.juror_id == CallJuror.id)
        .where(CallJuror.call_id == call.id)
        .distinct()
    )
    return {(a, j) for a, j in db.session.execute(stmt)}


def infeasible_problem(exc: InfeasibleAssignment) -> Problem:
    """409: no assignment satisfies the constraints, with the plain reason in both languages."""
    return Problem(409, "Assignment infeasible", exc.reason,
                   errors=[{"field": "assignments", "message": exc.reason,
                            "message_nl": exc.reason_nl}],
                   reason=exc.reason, reason_nl=exc.reason_nl, details=exc.details)


def invalid_assignment_input(exc: InvalidAssignmentInput) -> Problem:
    return validation_problem([exc.to_dict()])


def _inputs(call: Call) -> tuple[dict[int, list[str]], list[CallJuror], list[Application]]:
    apps = jury_applications(call)
    jurors = jurors_of(call)
    return {a.id: list(a.domains or []) for a in apps}, jurors, apps


@transactional("jury.assignments_computed")
def compute_assignments(call: Call, reviewers: int, max_load: int, actor: Any) -> dict[str, Any]:
    """Assign jurors to every jury application, optimally; store and audit.

    Kept as they are: the pairs the admin fixed and the pairs where the juror already scored.
    Every other current pair may be replaced. Raises a 409 problem when infeasible.
    """
    ensure_not_published(call)
    domains, jurors, apps = _inputs(call)
    conflicts = call_conflicts(call, jurors, applications_of(call))
    rows = assignment_rows(call)
    app_ids = set(domains)
    keep = {(a.application_id, a.juror_id) for a in rows if a.fixed_by_admin}
    keep |= {p for p in scored_pairs(call) if p in {(a.application_id, a.juror_id) for a in rows}}
    keep = {p for p in keep if p[0] in app_ids and p not in conflicts}
    try:
        result = assign_jurors(domains, [pure_juror(j) for j in jurors], conflicts,
                               reviewers_per_application=reviewers, max_load=max_load,
                               fixed=keep)
    except InfeasibleAssignment as exc:
        raise infeasible_problem(exc) from None
    except InvalidAssignmentInput as exc:
        raise invalid_assignment_input(exc) from None
    settings = get_settings(call)
    settings.reviewers_per_application, settings.max_load = reviewers, max_load
    new = set(result.assignments)
    old = {(a.application_id, a.juror_id): a for a in rows}
    withdrawn = sorted(set(old) - new)
    added = sorted(new - set(old))
    for pair in withdrawn:
        db.session.delete(old[pair])
    for a, j in added:
        db.session.add(Assignment(application_id=a, juror_id=j, fixed_by_admin=False))
    db.session.flush()
    record_audit(actor, "jury.assignments_computed", {
        "call": call.id, "reviewers_per_application": reviewers, "max_load": max_load,
        "kept": sorted(map(list, keep)), "added": [list(p) for p in added],
        "withdrawn": [list(p) for p in withdrawn], "objective": result.to_dict()["objective"]})
    out = result.to_dict()
    out["added"] = [{"application": a, "juror": j} for a, j in added]
    out["withdrawn"] = [{"application": a, "juror": j} for a, j in withdrawn]
    fixed_admin = {(a.application_id, a.juror_id) for a in rows if a.fixed_by_admin}
    for item in out["assignments"]:
        item["fixed"] = (item["application"], item["juror"]) in fixed_admin
    return out


def assignments_dict(call: Call, juror: CallJuror | None = None) -> dict[str, Any]:
    """Stored pairs (all, or one juror's) with loads per juror."""
    rows = assignment_rows(call)
    loads: dict[int, int] = {}
    for a in rows:
        loads[a.juror_id] = loads.get(a.juror_id, 0) + 1
    if juror is not None:
        rows = [a for a in rows if a.juror_id == juror.id]
    settings = db.session.get(CallJurySettings, call.id)
    return {
        "assignments": [{"application": a.application_id, "juror": a.juror_id,
                         "fixed": a.fixed_by_admin} for a in rows],
        "loads": [{"juror": j, "load": n} for j, n in sorted(loads.items())
                  if juror is None or j == juror.id],
        "reviewers_per_application": settings.reviewers_per_application if settings else 3,
        "max_load": settings.max_load if settings else 8,
    }


@transactional("jury.assignment_fixed")
def fix_assignment(call: Call, app: Application, juror: CallJuror, actor: Any) -> dict[str, Any]:
    """The admin assigns a juror by hand (kept by later computations); refused on a conflict."""
    ensure_not_published(call)
    reasons = pair_conflicts(juror, app)
    if reasons:
        raise Problem(409, "Conflict of interest",
                      f"Juror {juror.id} has a conflict of interest with application {app.id}: "
                      f"{reasons[0].reason_en}.",
                      errors=[{"field": "juror", "message": reasons[0].reason_en,
                               "message_nl": reasons[0].reason_nl}])
    if app not in jury_applications(call, [app]):
        raise Problem(409, "Conflict",
                      f"Application {app.id} is not submitted or not eligible: the jury does not "
                      "review it.",
                      errors=[{"field": "application", "message": "not reviewed by the jury",
                               "message_nl": "wordt niet door de jury beoordeeld"}])
    row = db.session.scalar(select(Assignment).where(
        Assignment.application_id == app.id, Assignment.juror_id == juror.id))
    created = row is None
    if created:
        row = Assignment(application_id=app.id, juror_id=juror.id, fixed_by_admin=True)
        db.session.add(row)
    else:
        row.fixed_by_admin = True
    db.session.flush()
    settings = get_settings(call)
    load = len([a for a in assignment_rows(call) if a.juror_id == juror.id])
    reviewers = len([a for a in assignment_rows(call) if a.application_id == app.id])
    warnings = []
    if load > settings.max_load:
        warnings.append({"field": "juror", "message": f"juror {juror.id} now reviews {load} "
                         f"applications, above the maximum load of {settings.max_load}",
                         "message_nl": f"jurylid {juror.id} beoordeelt nu {load} aanvragen, "
                         f"boven de maximale last van {settings.max_load}"})
    if reviewers > settings.reviewers_per_application:
        warnings.append({"field": "application", "message": f"application {app.id} now has "
                         f"{reviewers} jurors ({settings.reviewers_per_application} asked)",
                         "message_nl": f"aanvraag {app.id} heeft nu {reviewers} juryleden "
                         f"({settings.reviewers_per_application} gevraagd)"})
    record_audit(actor, "jury.assignment_fixed", {
        "call": call.id, "application": app.id, "juror": juror.id, "created": created})
    return {"application": app.id, "juror": juror.id, "fixed": True, "created": created,
            "warnings": warnings}


@transactional("jury.assignment_removed")
def remove_assignment(call: Call, app: Application, juror: CallJuror, actor: Any) -> None:
    """The admin withdraws a pair; refused once the juror submitted scores for it."""
    ensure_not_published(call)
    row = db.session.scalar(select(Assignment).where(
        Assignment.application_id == app.id, Assignment.juror_id == juror.id))
    if row is None:
        raise not_found("assignment", f"{app.id}/{juror.id}", field="juror")
    submitted = db.session.scalar(select(Score.id).where(
        Score.application_id == app.id, Score.juror_id == juror.id,
        Score.status == "submitted").limit(1))
    if submitted:
        raise Problem(409, "Conflict",
                      "This juror submitted scores for this application; declare a conflict "
                      "instead, so the withdrawal is motivated.",
                      errors=[{"field": "juror", "message": "scores submitted",
                               "message_nl": "scores ingediend"}])
    record_audit(actor, "jury.assignment_removed", {
        "call": call.id, "application": app.id, "juror": juror.id, "was_fixed": row.fixed_by_admin})
    db.session.delete(row)


# --------------------------------------------------------------------------------------------
# Declared conflicts


@transactional("jury.conflict_declared")
def declare_conflict(call: Call, juror: CallJuror, app: Application, reason: str,
                     actor: User) -> dict[str, Any]:
    """Record a declared conflict; withdraw the pair if assigned and fill the gap (audited).

    The declaration always stands. When no other juror can take over, the response says so
    (``reassignment_error``) instead of refusing the declaration.
    """
    ensure_not_published(call)
    reason = reason.strip()
    if not reason:
        raise validation_problem([{"field": "reason", "message": "a reason is required",
                                   "message_nl": "een reden is verplicht"}])
    exists = db.session.scalar(select(DeclaredConflict).where(
        DeclaredConflict.juror_id == juror.id, DeclaredConflict.application_id == app.id))
    if exists is not None:
        raise Problem(409, "Conflict", "This conflict of interest is already declared.",
                      errors=[{"field": "application", "message": "already declared",
                               "message_nl": "al verklaard"}])
    row = DeclaredConflict(juror_id=juror.id, application_id=app.id, reason=reason,
                           declared_by_id=actor.id if actor else None, declared_at=utcnow())
    db.session.add(row)
    db.session.flush()
    record_audit(actor, "jury.conflict_declared", {
        "call": call.id, "application": app.id, "juror": juror.id, "reason": reason})
    out: dict[str, Any] = {
        "conflict": {"id": row.id, "juror": juror.id, "application": app.id, "reason": reason,
                     "declared_at": row.declared_at.isoformat()},
        "withdrawn": [], "added": [], "reassignment_error": None,
    }
    pairs = current_pairs(call)
    if (app.id, juror.id) in pairs:
        out.update(_reassign(call, pairs, actor))
    return out


def _reassign(call: Call, pairs: set[Pair], actor: Any) -> dict[str, Any]:
    """Withdraw the pairs that are now conflicted and fill the gaps (reassign_after_conflict)."""
    domains, jurors, _apps = _inputs(call)
    conflicts = call_conflicts(call, jurors, applications_of(call))
    settings = get_settings(call)
    current = {p for p in pairs if p[0] in domains}
    withdrawn = sorted(p for p in pairs if p in conflicts)
    added: list[Pair] = []
    error = None
    try:
        re = reassign_after_conflict(current, domains, [pure_juror(j) for j in jurors], conflicts,
                                     reviewers_per_application=settings.reviewers_per_application,
                                     max_load=settings.max_load)
        added = list(re.added)
    except InfeasibleAssignment as exc:
        error = {"reason": exc.reason, "reason_nl": exc.reason_nl, "details": exc.details}
    for a, j in withdrawn:
        db.session.execute(delete(Assignment).where(
            Assignment.application_id == a, Assignment.juror_id == j))
    for a, j in added:
        db.session.add(Assignment(application_id=a, juror_id=j, fixed_by_admin=False))
    db.session.flush()
    record_audit(actor, "jury.reassigned_after_conflict", {
        "call": call.id, "withdrawn": [list(p) for p in withdrawn],
        "added": [list(p) for p in added], "error": error["reason"] if error else None})
    return {"withdrawn": [{"application": a, "juror": j} for a, j in withdrawn],
            "added": [{"application": a, "juror": j} for a, j in added],
            "reassignment_error": error}


def conflicts_dict(call: Call, juror: CallJuror | None = None) -> dict[str, Any]:
    """Every conflict of the call (automatic and declared), or one juror's."""
    found = call_conflicts(call)
    items = [c.to_dict() for c in found if juror is None or c.juror_id == juror.id]
    return {"conflicts": items}
