"""The jury of a call, between the tables and ``evaluation`` (pure): its settings, its jurors and
who conflicts with whom. Assignments and declared conflicts are ``app.jury.service_assignments``.

The pure modules know a juror by the ``call_juror`` row id and an application by its id; this
module builds their inputs from the rows (:func:`pure_juror`, :func:`consortium_of`) and runs
``evaluation.conflicts``; every change is one :func:`app.core.transaction.transactional` service
that writes its audit entry and commits.

Which applications the jury reviews: the *submitted* applications of the call that are eligible,
after the admin's override if any (:func:`jury_applications`). An ineligible application gets no
jurors and no scores; its evaluation summary says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.audit import record_audit
from app.core.extensions import db
from app.core.formatting import local_government
from app.core.limits import valid_id
from app.core.problems import Problem, not_found, validation_problem
from app.core.transaction import transactional
from app.models import (
    Application,
    Assignment,
    Call,
    CallJuror,
    CallJurySettings,
    DeclaredConflict,
    JurorAffiliation,
    Municipality,
    Organisation,
    Score,
    User,
)
from evaluation.calls import VGC
from evaluation.conflicts import (
    Affiliation,
    Conflict,
    ConflictSet,
    Consortium,
    Juror,
    find_conflicts,
)
from evaluation.conflicts import (
    DeclaredConflict as PureDeclared,
)

# --------------------------------------------------------------------------------------------
# Settings and publication


def get_settings(call: Call) -> CallJurySettings:
    """The call's jury settings row, created with the defaults when missing (written by the
    service that asks for it; a read leaves it unsaved)."""
    row = db.session.get(CallJurySettings, call.id)
    if row is None:
        row = CallJurySettings(call_id=call.id, tie_break=[], reviewers_per_application=3,
                               max_load=8, published=False)
        db.session.add(row)
    return row


@transactional("jury.settings_changed")
def update_settings(call: Call, changes: dict[str, Any], actor: User | None) -> CallJurySettings:
    """Change the jury's settings (validated by ``JurySettingsInSchema``); the tie-break rules
    must name the call's criteria; 409 after publication. Audited with the changes."""
    from app.results.service import check_tie_break

    ensure_not_published(call)
    changes = dict(changes)
    if "tie_break" in changes:
        changes["tie_break"] = check_tie_break(call, changes["tie_break"])
    settings = get_settings(call)
    for key, value in changes.items():
        setattr(settings, key, value)
    record_audit(actor, "jury.settings_changed", {"call": call.id, "changes": changes})
    return settings


def is_published(call_id: int) -> bool:
    """The call's phase is ``published`` (evaluation.phases; set by ``results.publish``)."""
    call = db.session.get(Call, call_id)
    return call is not None and call.phase == "published"


def ensure_not_published(call: Call) -> None:
    """After publication the jury's work is frozen: 409 on every change."""
    if is_published(call.id):
        raise Problem(
            409, "Conflict",
            "The results of this call are published; the jury's work can no longer change.",
            errors=[{"field": "call", "message": "published", "message_nl": "gepubliceerd"}],
        )


# --------------------------------------------------------------------------------------------
# Rows -> pure inputs


def _affiliation(row: Any) -> Affiliation | None:
    """A row with ``is_vgc``, ``municipality`` and ``organisation_id`` (a juror's affiliation, an
    application's partner) as the pure module's affiliation (VGC as refnis ``VGC``)."""
    if row.is_vgc:
        return Affiliation(refnis=VGC)
    if row.municipality is not None:
        return Affiliation(refnis=row.municipality.refnis)
    if row.organisation_id is not None:
        return Affiliation(organisation=row.organisation_id)
    return None


def affiliations_of(row: CallJuror) -> tuple[Affiliation, ...]:
    """The juror's affiliations as the pure module knows them."""
    return tuple(dict.fromkeys(a for a in map(_affiliation, row.affiliations) if a is not None))


def pure_juror(row: CallJuror) -> Juror:
    return Juror(row.id, affiliations_of(row), frozenset(row.expertise or ()))


def consortium_of(app: Application) -> Consortium:
    """Lead, partners and committed followers of an application as affiliations (VGC as refnis
    ``VGC``): a follower commits to implement the result, so it has a stake like a partner."""
    partners = [a for a in map(_affiliation, app.partners) if a is not None]
    followers = tuple(Affiliation(refnis=f.municipality.refnis) for f in app.followers)
    return Consortium(app.id, Affiliation(refnis=app.lead_code), tuple(partners), followers)


def _rivals(call_id: int, applications: Iterable[Application]) -> list[Application]:
    """The given applications plus every other submitted one of the call: whose applicants make
    a juror a competitor (evaluation.conflicts, ``competitor``)."""
    given = {a.id: a for a in applications}
    for a in db.session.scalars(
            select(Application).where(Application.call_id == call_id,
                                      Application.status == "submitted")
            .options(selectinload(Application.partners), selectinload(Application.followers))):
        given.setdefault(a.id, a)
    return [given[i] for i in sorted(given)]


def jurors_of(call: Call) -> list[CallJuror]:
    stmt = (
        select(CallJuror)
        .where(CallJuror.call_id == call.id)
        .options(selectinload(CallJuror.user), selectinload(CallJuror.affiliations))
        .order_by(CallJuror.id)
    )
    return list(db.session.scalars(stmt))


def applications_of(call: Call) -> list[Application]:
    stmt = (
        select(Application)
        .where(Application.call_id == call.id)
        .options(selectinload(Application.partners), selectinload(Application.followers),
                 selectinload(Application.lead_municipality))
        .order_by(Application.id)
    )
    return list(db.session.scalars(stmt))


def jury_applications(call: Call, rows: Sequence[Application] | None = None) -> list[Application]:
    """Submitted applications of the call that are eligible (the admin's override decides first)."""
    from app.calls.service_evaluation import CallEvaluation  # the calls layer; imported late (no cycle)

    rows = [r for r in (rows if rows is not None else applications_of(call))
            if r.status == "submitted"]
    if not rows:
        return []
    evaluation = None
    out = []
    for r in rows:
        if r.override_eligible is not None:
            ok = r.override_eligible
        else:
            evaluation = evaluation or CallEvaluation(call)
            ok = evaluation.eligibility(r).eligible
        if ok:
            out.append(r)
    return out


def declared_of(call: Call) -> list[DeclaredConflict]:
    stmt = (
        select(DeclaredConflict)
        .join(CallJuror, DeclaredConflict.juror_id == CallJuror.id)
        .where(CallJuror.call_id == call.id)
        .order_by(DeclaredConflict.id)
    )
    return list(db.session.scalars(stmt))


def call_conflicts(
    call: Call,
    jurors: Iterable[CallJuror] | None = None,
    applications: Iterable[Application] | None = None,
) -> ConflictSet:
    """Automatic and declared conflicts of every juror with the given applications (default:
    every application of the call); a competitor is judged against all submitted ones."""
    jurors = list(jurors if jurors is not None else jurors_of(call))
    applications = list(applications if applications is not None else applications_of(call))
    wanted = {a.id for a in applications}
    declared = [PureDeclared(d.application_id, d.juror_id, d.reason) for d in declared_of(call)]
    found = find_conflicts(
        [pure_juror(j) for j in jurors], [consortium_of(a) for a in _rivals(call.id, applications)],
        declared, competitors=True)
    return ConflictSet(tuple(c for c in found if c.application_id in wanted))


def pair_conflicts(juror: CallJuror, app: Application) -> tuple[Conflict, ...]:
    """The reasons (automatic and declared) why ``juror`` may not review ``app``; () if none."""
    declared = db.session.scalars(
        select(DeclaredConflict).where(
            DeclaredConflict.juror_id == juror.id, DeclaredConflict.application_id == app.id
        )
    )
    found = find_conflicts(
        [pure_juror(juror)],
        [consortium_of(a) for a in _rivals(app.call_id, [app])],
        [PureDeclared(d.application_id, d.juror_id, d.reason) for d in declared],
        competitors=True,
    )
    return found.reasons(app.id, juror.id)


# --------------------------------------------------------------------------------------------
# Jurors


def juror_of(user: User | None, call_id: int) -> CallJuror | None:
    """The user's juror row on the call's jury, if any."""
    if user is None:
        return None
    return db.session.scalar(
        select(CallJuror).where(CallJuror.call_id == call_id, CallJuror.user_id == user.id)
    )


def get_juror(call: Call, juror_id: Any, field: str = "juror") -> CallJuror:
    row = None
    if isinstance(juror_id, int) and not isinstance(juror_id, bool) and valid_id(juror_id):
        row = db.session.get(CallJuror, juror_id)
    if row is None or row.call_id != call.id:
        raise not_found("juror of this call", juror_id, field=field)
    return row


def get_call_application(call: Call, application_id: Any,
                         field: str = "application") -> Application:
    row = None
    if isinstance(application_id, int) and not isinstance(application_id, bool) \
            and valid_id(application_id):
        row = db.session.get(Application, application_id)
    if row is None or row.call_id != call.id:
        raise not_found("application of this call", application_id, field=field)
    return row


def _resolve_affiliation(affiliation: dict[str, Any], field: str) -> dict[str, Any]:
    """Columns of one affiliation (``{"refnis"}`` or ``{"organisation"}``); ``field`` names it
    in errors (``affiliation`` or ``affiliations.1``)."""
    if "refnis" in affiliation and "organisation" in affiliation:
        raise validation_problem([{
            "field": field, "message": "give exactly one of refnis or organisation",
            "message_nl": "geef ofwel refnis ofwel organisation"}])
    refnis = affiliation.get("refnis")
    if refnis == VGC:
        return {"municipality": None, "organisation": None, "is_vgc": True}
    if refnis is not None:
        m = db.session.scalar(select(Municipality).where(Municipality.refnis == refnis))
        if m is None:
            raise not_found("municipality", refnis, field=f"{field}.refnis")
        return {"municipality": m.current(), "organisation": None, "is_vgc": False}
    org_id = affiliation.get("organisation")
    valid = org_id is not None and valid_id(org_id)
    org = db.session.get(Organisation, org_id) if valid else None
    if org is None:
        raise not_found("organisation", org_id, field=f"{field}.organisation")
    return {"municipality": None, "organisation": org, "is_vgc": False}


def resolve_affiliations(user: User, affiliations: Sequence[dict[str, Any]] | None,
                         field: str = "affiliations") -> list[JurorAffiliation]:
    """The juror's affiliation rows: the ones given (duplicates once), else the user's own
    municipality or organisation (may be none)."""
    if affiliations is None:
        own = ({"municipality": user.municipality, "organisation": None, "is_vgc": False}
               if user.municipality else
               {"municipality": None, "organisation": user.organisation, "is_vgc": False}
               if user.organisation else None)
        return [JurorAffiliation(position=0, **own)] if own else []
    rows, seen = [], set()
    for i, aff in enumerate(affiliations):
        cols = _resolve_affiliation(aff, f"{field}.{i}" if field == "affiliations" else field)
        key = (cols["municipality"].id if cols["municipality"] else None,
               cols["organisation"].id if cols["organisation"] else None, cols["is_vgc"])
        if key not in seen:
            seen.add(key)
            rows.append(JurorAffiliation(position=len(rows), **cols))
    return rows


@transactional("jury.juror_added")
def add_juror(call: Call, email: str, expertise: Sequence[str],
              affiliation: dict[str, Any] | None, actor: User,
              affiliations: Sequence[dict[str, Any]] | None = None) -> CallJuror:
    """Put an existing user with role juror on the call's jury; audited. Affiliations: the list
    given, or the one ``affiliation``, else the user's own."""
    ensure_not_published(call)
    email = email.strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        raise not_found("user", email, field="email")
    if user.role != "juror":
        raise validation_problem([{
            "field": "email",
            "message": f"{email} has role {user.role}; only a user with role juror joins a jury",
            "message_nl": f"{email} heeft de rol {user.role}; enkel een jurylid kan in de jury"}])
    if juror_of(user, call.id) is not None:
        raise Problem(409, "Conflict", f"{email} is already on the jury of this call.",
                      errors=[{"field": "email", "message": "already on this jury",
                               "message_nl": "zit al in deze jury"}])
    if affiliation is not None and affiliations is not None:
        raise validation_problem([{
            "field": "affiliations", "message": "give affiliation or affiliations, not both",
            "message_nl": "geef affiliation of affiliations, niet beide"}])
    given = [affiliation] if affiliation is not None else affiliations
    rows = resolve_affiliations(user, given, "affiliation" if affiliation is not None
                                else "affiliations")
    row = CallJuror(call_id=call.id, user=user, expertise=list(dict.fromkeys(expertise)),
                    affiliations=rows)
    db.session.add(row)
    db.session.flush()
    record_audit(actor, "jury.juror_added", {
        "call": call.id, "juror": row.id, "user": user.id,
        "expertise": row.expertise, "affiliations": affiliations_dict(row)})
    return row


@transactional("jury.juror_removed")
def remove_juror(call: Call, juror: CallJuror, actor: User) -> None:
    """Take a juror off the jury; refused once they scored (their scores stay on record)."""
    ensure_not_published(call)
    if db.session.scalar(select(Score.id).where(Score.juror_id == juror.id).limit(1)):
        raise Problem(409, "Conflict",
                      "This juror has scored applications; declare a conflict instead of removing "
                      "them, so their scores stay on record.",
                      errors=[{"field": "juror", "message": "has scores",
                               "message_nl": "heeft scores"}])
    pairs = [a.application_id for a in db.session.scalars(
        select(Assignment).where(Assignment.juror_id == juror.id))]
    record_audit(actor, "jury.juror_removed", {
        "call": call.id, "juror": juror.id, "user": juror.user_id, "withdrawn": pairs})
    db.session.delete(juror)


def affiliations_dict(row: CallJuror) -> list[dict[str, Any]]:
    out = []
    for a in row.affiliations:
        government = local_government(a.is_vgc, a.municipality)
        if government is not None:
            out.append(government)
        elif a.organisation is not None:
            out.append({"organisation": a.organisation.id, "name": a.organisation.name})
    return out


def juror_dict(row: CallJuror, loads: dict[int, int] | None = None,
               submitted: dict[int, int] | None = None) -> dict[str, Any]:
    d = {
        "id": row.id,
        "email": row.user.email,
        "name": row.user.name,
        "expertise": list(row.expertise or []),
        "affiliation": next(iter(affiliations_dict(row)), None),  # the first (API before v2)
        "affiliations": affiliations_dict(row),
        "declaration_signed_at": row.declaration_signed_at.isoformat()
        if row.declaration_signed_at else None,
    }
    if loads is not None:
        d["load"] = loads.get(row.id, 0)
    if submitted is not None:
        d["submitted"] = submitted.get(row.id, 0)
    return d
