"""Ideas of a call's pre-registration phase: who may file, change and see them (docs/ideas.md).

The one writer of :class:`app.models.Idea`: every change is one ``@transactional`` service with
its audit entry (``idea.create``, ``idea.update``, ``idea.delete``).

Visibility, one rule (:func:`may_see`): the secretariat sees every idea; a city user sees its
own municipality's ideas and the ideas of others that are ``visible_to_others``. An idea the
caller may not see answers 404, the same as one that does not exist, so a hidden idea does not
even show that it exists. Jurors have no part in pre-registration.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from app.core.extensions import db
from app.core.problems import Problem, not_found, validation_problem
from app.core.transaction import transactional
from app.models import Call, Idea, Municipality, User

#: Fields a city sets on an idea (the input schema validates them).
IDEA_FIELDS = ("title", "problem", "solution", "domains", "brings", "seeks", "preferred_region",
               "budget_min_cents", "budget_max_cents", "visible_to_others")


def _phase_conflict(call: Call) -> Problem:
    return Problem(409, "Conflict", f"The call is {call.phase}; ideas are filed and changed in "
                   "its pre-registration phase.",
                   errors=[{"field": "phase", "message": f"the call is {call.phase}, not "
                            "pre-registration", "message_nl": "de oproep is niet in de "
                            "vooraanmelding"}])


def ensure_pre_registration(call: Call) -> None:
    """409 unless the call takes ideas now."""
    if call.phase != "pre-registration":
        raise _phase_conflict(call)


def own_municipality(user: User | None) -> Municipality | None:
    """The (current) municipality a city user acts for; None for others."""
    if user is None or user.role != "city" or user.municipality is None:
        return None
    return user.municipality.current()


def may_see(user: User | None, idea: Idea) -> bool:
    """The visibility rule of the module doc."""
    if user is None:
        return False
    if user.is_admin:
        return True
    own = own_municipality(user)
    if own is None:
        return False
    return idea.visible_to_others or idea.municipality.current().id == own.id


def may_change(user: User | None, idea: Idea) -> bool:
    """The secretariat, or a city user of the idea's municipality."""
    if user is None:
        return False
    if user.is_admin:
        return True
    own = own_municipality(user)
    return own is not None and idea.municipality.current().id == own.id


def visible_ideas(call: Call, user: User | None) -> list[Idea]:
    """The ideas of ``call`` that ``user`` may see, oldest first."""
    stmt = select(Idea).where(Idea.call_id == call.id).order_by(Idea.id)
    if user is None or not user.is_admin:
        own = own_municipality(user)
        if own is None:
            return []
        # Ideas are stored under the current municipality (merges resolved when filed).
        stmt = stmt.where(or_(Idea.visible_to_others.is_(True), Idea.municipality_id == own.id))
    return [i for i in db.session.scalars(stmt) if may_see(user, i)]


def get_idea(idea_id: int, user: User | None) -> Idea:
    """The idea ``idea_id`` when ``user`` may see it; 404 otherwise (also when hidden)."""
    row = db.session.get(Idea, idea_id) if 0 < idea_id < 2**31 else None
    if row is None or not may_see(user, row):
        raise not_found("idea", idea_id, field="id")
    return row


def _municipality_for(user: User, refnis: str | None) -> Municipality:
    """Whose idea it is: a city user's own municipality; the admin names one with ``refnis``."""
    own = own_municipality(user)
    if own is not None:
        if refnis and refnis != own.refnis:
            raise Problem(403, "Forbidden", "A city user files ideas for its own municipality.",
                          errors=[{"field": "refnis", "message": "not your municipality",
                                   "message_nl": "niet uw gemeente"}])
        return own
    if not user.is_admin:
        raise Problem(403, "Forbidden", "Ideas are filed by a city user or the secretariat.")
    if not refnis:
        raise validation_problem([{"field": "refnis", "message": "the secretariat names the "
                                   "municipality of the idea", "message_nl": "geef de gemeente "
                                   "van het idee"}])
    row = db.session.scalar(select(Municipality).where(Municipality.refnis == refnis))
    if row is None:
        raise validation_problem([{"field": "refnis", "message": f"unknown REFNIS code {refnis}",
                                   "message_nl": f"onbekende NIS-code {refnis}"}])
    return row.current()


def _check_budget(lo: int | None, hi: int | None) -> None:
    if lo is not None and hi is not None and hi < lo:
        raise validation_problem([{"field": "budget_max_cents", "message": "must be at least "
                                   "budget_min_cents", "message_nl": "moet minstens het "
                                   "minimumbudget zijn"}])


@transactional("idea.create", payload=lambda row, **_: {
    "idea": row.id, "call": row.call_id, "refnis": row.municipality.refnis, "title": row.title,
    "visible_to_others": row.visible_to_others})
def create_idea(call: Call, data: dict[str, Any], actor: User) -> Idea:
    """File an idea (city user for its municipality, or admin with ``refnis``); audited."""
    municipality = _municipality_for(actor, data.get("refnis"))
    ensure_pre_registration(call)
    values = {k: data[k] for k in IDEA_FIELDS if k in data}
    _check_budget(values.get("budget_min_cents"), values.get("budget_max_cents"))
    row = Idea(call=call, municipality=municipality, created_by=actor, **values)
    db.session.add(row)
    return row


@transactional("idea.update", payload=lambda changed, row, **_: {
    "idea": row.id, "call": row.call_id, "fields": changed})
def update_idea(row: Idea, data: dict[str, Any], actor: User) -> list[str]:
    """Change an idea (its municipality's city user or admin) while the call takes ideas."""
    if not may_change(actor, row):
        raise not_found("idea", row.id, field="id") if not may_see(actor, row) else Problem(
            403, "Forbidden", "Only the idea's municipality or the secretariat changes it.")
    ensure_pre_registration(row.call)
    changed = {k: data[k] for k in IDEA_FIELDS if k in data and getattr(row, k) != data[k]}
    lo = changed.get("budget_min_cents", row.budget_min_cents)
    hi = changed.get("budget_max_cents", row.budget_max_cents)
    _check_budget(lo, hi)
    for k, v in changed.items():
        setattr(row, k, v)
    return sorted(changed)


@transactional("idea.delete", payload=lambda _result, row, **_: _result)
def delete_idea(row: Idea, actor: User) -> dict[str, Any]:
    """Withdraw an idea (its municipality's city user or admin) during pre-registration."""
    if not may_change(actor, row):
        raise not_found("idea", row.id, field="id") if not may_see(actor, row) else Problem(
            403, "Forbidden", "Only the idea's municipality or the secretariat withdraws it.")
    ensure_pre_registration(row.call)
    gone = {"idea": row.id, "call": row.call_id, "refnis": row.municipality.refnis,
            "title": row.title}
    db.session.delete(row)
    return gone


def idea_dict(row: Idea) -> dict[str, Any]:
    m = row.municipality
    return {
        "id": row.id,
        "call": row.call_id,
        "refnis": m.refnis,
        "name_nl": m.name_nl,
        "title": row.title,
        "problem": row.problem,
        "solution": row.solution,
        "domains": list(row.domains or []),
        "brings": row.brings,
        "seeks": list(row.seeks or []),
        "preferred_region": row.preferred_region,
        "budget_min_cents": row.budget_min_cents,
        "budget_max_cents": row.budget_max_cents,
        "visible_to_others": row.visible_to_others,
        "application": row.application_id,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
    }
