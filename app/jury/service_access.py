"""Who may see and do what with an application: the object-level rules, in one place.

Used by the API and the web pages alike (and by ``app.calls.service_applications.can_see``):

* the **admin** (secretariat, jury chair) sees and does everything;
* a **juror** sees an application only once they signed the call's declaration of absence of
  conflicts, while it is assigned to them and they have no conflict of interest with it
  (automatic or declared); only then may they score it;
* a **city** user sees the applications their municipality leads or is a partner of (or that
  they created), and the evaluation summary of those once the call's results are published.

Everything else is refused. The pages answer 404 for an application a user may not see, so its
existence does not leak; the scoring endpoints answer 403 to a juror on an application not
assigned to them, as the issue asks.
"""

from __future__ import annotations

from sqlalchemy import select

from app.core.extensions import db
from app.core.problems import Problem, not_found
from app.jury.service import is_published, juror_of, pair_conflicts
from app.models import Application, Assignment, CallJuror, Score, User


def is_own_application(user: User | None, app: Application) -> bool:
    """A city user's own application: their municipality leads it or is a partner (or they
    created it); an organisation user's when their organisation is a partner."""
    if user is None or user.role != "city":
        return False
    if app.created_by_id is not None and app.created_by_id == user.id:
        return True
    mid, oid = user.municipality_id, user.organisation_id
    if mid is not None:
        if app.lead_municipality_id == mid or any(p.municipality_id == mid for p in app.partners):
            return True
    return oid is not None and any(p.organisation_id == oid for p in app.partners)


def reviewing_juror(user: User | None, app: Application) -> CallJuror | None:
    """The user's juror row when they signed the call's declaration and the application is
    assigned to them without a conflict."""
    if user is None or user.role != "juror":
        return None
    juror = juror_of(user, app.call_id)
    if juror is None or juror.declaration_signed_at is None:
        return None
    assigned = db.session.scalar(select(Assignment.id).where(
        Assignment.application_id == app.id, Assignment.juror_id == juror.id))
    if assigned is None or pair_conflicts(juror, app):
        return None
    return juror


def can_view_application(user: User | None, app: Application) -> bool:
    if user is None:
        return False
    if user.role == "admin":
        return True
    if user.role == "juror":
        return reviewing_juror(user, app) is not None
    return is_own_application(user, app)


def indicators_folded_for(user: User | None, app: Application) -> bool:
    """Against anchoring (issue 12): in a call that folds the indicators (the default), a
    juror sees an application's advisory indicators only once they saved a first draft score on
    it, on the scoring page and in the API alike. The admin (secretariat and chair, who sees
    them on the consensus page) and the applicants are not jurors scoring it."""
    if user is None or user.role != "juror" or not app.call.indicators_folded:
        return False
    juror = juror_of(user, app.call_id)
    if juror is None:
        return True
    return db.session.scalar(select(Score.id).where(
        Score.application_id == app.id, Score.juror_id == juror.id).limit(1)) is None


def can_view_summary(user: User | None, app: Application) -> bool:
    """The evaluation summary: the admin always (a preview before publication); the city its own
    application's once published."""
    if user is None:
        return False
    if user.role == "admin":
        return True
    return is_own_application(user, app) and is_published(app.call_id)


def visible_application_ids(user: User, call_id: int | None = None) -> set[int]:
    """Ids of the applications a juror may see (assigned, no conflict), optionally of one call."""
    stmt = (
        select(Application)
        .join(Assignment, Assignment.application_id == Application.id)
        .join(CallJuror, Assignment.juror_id == CallJuror.id)
        .where(CallJuror.user_id == user.id)
    )
    if call_id is not None:
        stmt = stmt.where(Application.call_id == call_id)
    return {a.id for a in db.session.scalars(stmt) if reviewing_juror(user, a) is not None}


# --------------------------------------------------------------------------------------------
# Guards that raise the right problem


def require_view(user: User | None, app: Application) -> None:
    """404 for a user who may not see the application (no hint that it exists)."""
    if not can_view_application(user, app):
        raise not_found("application", app.id, field="id")


def require_scoring_juror(user: User | None, app: Application) -> CallJuror:
    """The juror who may score this application, else 403 saying why."""
    if user is None or user.role != "juror":
        raise Problem(403, "Forbidden", "Only a juror scores applications; the chair records a "
                      "consensus instead.")
    juror = juror_of(user, app.call_id)
    if juror is None:
        raise Problem(403, "Forbidden", "You are not on the jury of this call.")
    if juror.declaration_signed_at is None:
        raise Problem(403, "Forbidden", "Sign the declaration of absence of conflicts of this call "
                      "first (POST /api/v1/calls/<id>/declaration).",
                      errors=[{"field": "declaration", "message": "not signed yet",
                               "message_nl": "nog niet ondertekend"}])
    assigned = db.session.scalar(select(Assignment.id).where(
        Assignment.application_id == app.id, Assignment.juror_id == juror.id))
    if assigned is None:
        raise Problem(403, "Forbidden", f"Application {app.id} is not assigned to you.",
                      errors=[{"field": "application", "message": "not assigned to you",
                               "message_nl": "niet aan u toegewezen"}])
    reasons = pair_conflicts(juror, app)
    if reasons:
        raise Problem(403, "Forbidden", f"You have a conflict of interest with application "
                      f"{app.id}: {reasons[0].reason_en}.",
                      errors=[{"field": "application", "message": reasons[0].reason_en,
                               "message_nl": reasons[0].reason_nl}])
    return juror


def require_summary(user: User | None, app: Application) -> None:
    """404 when the user may not see the application at all; 403 before publication."""
    if can_view_summary(user, app):
        return
    if is_own_application(user, app):
        raise Problem(403, "Forbidden", "The evaluation summary is available once the results "
                      "of the call are published.")
    raise not_found("application", app.id, field="id")
