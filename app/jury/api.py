"""The jury of a call: jurors, conflicts of interest, assignments and the jury's settings.

The admin (secretariat, jury chair) manages everything; a juror declares their own conflicts and
reads their own assignments and conflicts. Scores and consensus are in ``jury_scores``, results
(ranking, selection, publication, reports, audit) in ``jury_results``.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import func, select

from app.calls.service import get_call
from app.core.api import bp, checked_first, problems
from app.core.auth import api_user, require_admin, require_role
from app.core.extensions import db
from app.core.problems import Problem
from app.jury import service as jury
from app.jury import service_assignments as assignments
from app.jury.schemas import (
    AssignmentFixed,
    AssignmentInSchema,
    AssignmentList,
    AssignmentResultSchema,
    ConflictDeclared,
    ConflictInSchema,
    ConflictList,
    JurorInSchema,
    JurorList,
    JurorSchema,
    JurySettingsInSchema,
    JurySettingsSchema,
)
from app.models import Call, CallJuror, Score, User
from app.results.service import spread_limits

require_jury_user = require_role("admin", "juror")


def own_juror(call: Call, user: User) -> jury.CallJuror | None:
    """None for the admin; the user's juror row for a juror (403 when not on this jury)."""
    if user.role == "admin":
        return None
    row = jury.juror_of(user, call.id)
    if row is None:
        raise Problem(403, "Forbidden", "You are not on the jury of this call.")
    return row


# --------------------------------------------------------------------------------------------
# Jurors


@bp.get("/calls/<int:call_id>/jurors")
@require_admin
@bp.alt_response(200, schema=JurorList, success=True)
@problems(404)
def list_jurors(call_id: int):
    """Jurors of a call with their expertise, affiliation, load and progress (admin)."""
    call = get_call(call_id)
    loads: dict[int, int] = {}
    for a in assignments.assignment_rows(call):
        loads[a.juror_id] = loads.get(a.juror_id, 0) + 1
    submitted = dict(db.session.execute(
        select(Score.juror_id, func.count(func.distinct(Score.application_id)))
        .join(CallJuror, Score.juror_id == CallJuror.id)
        .where(CallJuror.call_id == call.id, Score.status == "submitted")
        .group_by(Score.juror_id)).all())
    return {"items": [jury.juror_dict(j, loads, submitted) for j in jury.jurors_of(call)]}


@bp.post("/calls/<int:call_id>/jurors")
@require_admin
@bp.arguments(JurorInSchema)
@bp.alt_response(201, schema=JurorSchema, success=True)
@problems(404, 409)
def add_juror(data: dict, call_id: int):
    """Add a juror (an existing user with role juror) with expertise and affiliation (admin)."""
    call = get_call(call_id)
    row = jury.add_juror(call, data["email"], data["expertise"], data["affiliation"], api_user(),
                         affiliations=data["affiliations"])
    return jury.juror_dict(row), 201, {"Location": url_for("api.list_jurors", call_id=call.id)}


@bp.delete("/calls/<int:call_id>/jurors/<int:juror_id>")
@require_admin
@bp.alt_response(204, description="removed", success=True)
@problems(404, 409)
def remove_juror(call_id: int, juror_id: int):
    """Remove a juror who has not scored yet; their assignments are withdrawn (admin)."""
    call = get_call(call_id)
    jury.remove_juror(call, jury.get_juror(call, juror_id), api_user())
    return "", 204


# --------------------------------------------------------------------------------------------
# Conflicts


@bp.get("/calls/<int:call_id>/conflicts")
@require_jury_user
@bp.alt_response(200, schema=ConflictList, success=True)
@problems(404)
def list_conflicts(call_id: int):
    """Automatic and declared conflicts (admin all; a juror their own)."""
    call = get_call(call_id)
    return assignments.conflicts_dict(call, own_juror(call, api_user()))


@bp.post("/calls/<int:call_id>/conflicts")
@require_jury_user
@checked_first(lambda call_id: own_juror(get_call(call_id), api_user()))
@bp.arguments(ConflictInSchema)
@bp.alt_response(201, schema=ConflictDeclared, success=True)
@problems(404, 409)
def declare_conflict(data: dict, call_id: int):
    """Declare a conflict on an application (a juror their own, the admin any juror's).

    An assignment it hits is withdrawn and the application re-assigned.
    """
    call = get_call(call_id)
    user = api_user()
    mine = own_juror(call, user)
    if mine is not None:
        if data["juror"] not in (None, mine.id):
            raise Problem(403, "Forbidden", "A juror declares only their own conflicts.",
                          errors=[{"field": "juror", "message": "not you", "message_nl": "niet u"}])
        juror = mine
    else:
        if data["juror"] is None:
            raise Problem(400, "Invalid input", "juror: name the juror (call juror id)",
                          errors=[{"field": "juror", "message": "required for the admin",
                                   "message_nl": "verplicht voor de beheerder"}])
        juror = jury.get_juror(call, data["juror"])
    app = jury.get_call_application(call, data["application"])
    out = assignments.declare_conflict(call, juror, app, data["reason"], user)
    return out, 201


# --------------------------------------------------------------------------------------------
# Assignments


@bp.get("/calls/<int:call_id>/assignments")
@require_jury_user
@bp.alt_response(200, schema=AssignmentList, success=True)
@problems(404)
def list_assignments(call_id: int):
    """Stored assignments with loads (admin all; a juror their own)."""
    call = get_call(call_id)
    return assignments.assignments_dict(call, own_juror(call, api_user()))


@bp.post("/calls/<int:call_id>/assignments")
@require_admin
@bp.arguments(AssignmentInSchema, location="optional_json")
@bp.alt_response(200, schema=AssignmentResultSchema, success=True)
@problems(404, 409)
def compute_assignments(data: dict, call_id: int):
    """Compute and store the assignment (admin).

    R jurors per application, at most L per juror, balanced loads, expertise matched; fixed and
    already-scored pairs kept. The body may be left out (the jury settings' R and L).
    """
    call = get_call(call_id)
    settings = jury.get_settings(call)
    out = assignments.compute_assignments(
        call, data.get("reviewers_per_application", settings.reviewers_per_application),
        data.get("max_load", settings.max_load), api_user())
    return out


def _pair(call_id: int, application_id: int, juror_id: int):
    call = get_call(call_id)
    return (call, jury.get_call_application(call, application_id),
            jury.get_juror(call, juror_id))


@bp.put("/calls/<int:call_id>/assignments/<int:application_id>/<int:juror_id>")
@require_admin
@bp.alt_response(200, schema=AssignmentFixed, success=True)
@problems(404, 409)
def fix_assignment(call_id: int, application_id: int, juror_id: int):
    """Assign a juror to an application by hand; later computations keep it (admin)."""
    call, app, juror = _pair(call_id, application_id, juror_id)
    out = assignments.fix_assignment(call, app, juror, api_user())
    return out


@bp.delete("/calls/<int:call_id>/assignments/<int:application_id>/<int:juror_id>")
@require_admin
@bp.alt_response(204, description="withdrawn", success=True)
@problems(404, 409)
def remove_assignment(call_id: int, application_id: int, juror_id: int):
    """Withdraw an assignment (refused once the juror submitted scores for it) (admin)."""
    call, app, juror = _pair(call_id, application_id, juror_id)
    assignments.remove_assignment(call, app, juror, api_user())
    return "", 204


# --------------------------------------------------------------------------------------------
# Settings


def settings_dict(call: Call) -> dict:
    s = db.session.get(jury.CallJurySettings, call.id) or jury.get_settings(call)
    return {
        "disagreement_spread": s.disagreement_spread,
        "disagreement_spread_per_criterion": spread_limits(call, s),
        "total_threshold": s.total_threshold,
        "tie_break": list(s.tie_break or []),
        "reviewers_per_application": s.reviewers_per_application,
        "max_load": s.max_load,
        "scoring_deadline": s.scoring_deadline.isoformat() if s.scoring_deadline else None,
        "published": bool(s.published),
        "published_at": s.published_at.isoformat() if s.published_at else None,
    }


@bp.get("/calls/<int:call_id>/jury-settings")
@require_jury_user
@bp.alt_response(200, schema=JurySettingsSchema, success=True)
@problems(404)
def show_jury_settings(call_id: int):
    """Disagreement threshold, total threshold, tie-break rules, R, L, deadline, publication."""
    call = get_call(call_id)
    own_juror(call, api_user())
    out = settings_dict(call)
    db.session.rollback()  # a GET never creates the settings row
    return out


@bp.put("/calls/<int:call_id>/jury-settings")
@require_admin
@bp.arguments(JurySettingsInSchema)
@bp.alt_response(200, schema=JurySettingsSchema, success=True)
@problems(404, 409)
def update_jury_settings(data: dict, call_id: int):
    """Change the jury's settings (admin; not after publication)."""
    call = get_call(call_id)
    jury.update_settings(call, data, api_user())
    return settings_dict(call)

