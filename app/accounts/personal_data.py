"""Personal data: how long the audit chain's pseudonyms stay linked to a person, their erasure,
and the export of everything the service holds about one user (docs/privacy.md).

**Retention.** A pseudonym's link to the person (``audit_person``) is kept
``PERSONAL_DATA_RETENTION_YEARS`` (default 7) after the last call it concerns has closed: the
calls named in the person's audit entries (``call`` or ``call_id`` in the payload) and the juries
they sat on. While one of those calls is not closed the link is kept; an entry that names no call
(a token, a registry edit) counts from its own date. :func:`purge` erases every link whose period
has ended; :func:`erase` erases one at once (the secretariat, on the person's request).

**Erasure** empties the row but for its pseudonym and is audited itself; the chain is not touched,
so ``flask audit-verify`` still passes. With ``account=True`` the user account is anonymised too
(address ``erased-<id>@invalid``, no name, no password, tokens removed, deactivated); the
decisions it took (scores and motivations of a juror) stay with the call as the record of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import Table, or_, select

from app.core.audit import PERSON_PREFIX, json_native, record_audit
from app.core.extensions import db
from app.core.problems import Problem, not_found
from app.core.transaction import transactional
from app.models import AuditEntry, AuditPerson, Call, CallJuror, LoginFailure, User

#: Columns never exported (secrets, even hashed).
SECRET_COLUMNS = {"password_hash", "token_hash"}
ERASE_REASONS = ("retention", "request")


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _years_after(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def _call_of(payload: Any) -> int | None:
    if not isinstance(payload, dict):
        return None
    for key in ("call", "call_id"):
        value = payload.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def retention_end(person: AuditPerson) -> datetime | None:
    """When the link may be erased; None while a call it concerns is still open (or never closed)."""
    years = int(current_app.config["PERSONAL_DATA_RETENTION_YEARS"])
    latest = _aware(person.created_at)
    rows = db.session.execute(select(AuditEntry.timestamp, AuditEntry.payload).where(
        AuditEntry.actor == PERSON_PREFIX + person.pseudonym)).all()
    call_ids = {c for c in (_call_of(p) for _t, p in rows) if c is not None}
    if person.user_id is not None:
        call_ids |= set(db.session.scalars(
            select(CallJuror.call_id).where(CallJuror.user_id == person.user_id)))
    for stamp, payload in rows:
        if _call_of(payload) is None:
            latest = max(latest, _aware(datetime.fromisoformat(stamp)))
    for call in db.session.scalars(select(Call).where(Call.id.in_(call_ids))) if call_ids else ():
        if call.closed_at is None:
            return None
        latest = max(latest, _aware(call.closed_at))
    return _years_after(latest, years)


def person_dict(person: AuditPerson) -> dict[str, Any]:
    end = retention_end(person) if person.erased_at is None else None
    return {
        "pseudonym": person.pseudonym,
        "user": person.user_id,
        "email": person.email,
        "name": person.name,
        "created_at": person.created_at.isoformat(),
        "retained_until": end.date().isoformat() if end else None,
        "expired": end is not None and end <= _now(),
        "erased_at": person.erased_at.isoformat() if person.erased_at else None,
        "erased_reason": person.erased_reason,
    }


def people() -> list[AuditPerson]:
    return list(db.session.scalars(select(AuditPerson).order_by(AuditPerson.created_at)))


def get_person(pseudonym: str) -> AuditPerson:
    row = db.session.get(AuditPerson, pseudonym) if isinstance(pseudonym, str) else None
    if row is None:
        raise not_found("pseudonym", pseudonym, field="pseudonym")
    return row


def person_of_user(user: User) -> AuditPerson | None:
    return db.session.scalar(select(AuditPerson).where(AuditPerson.user_id == user.id))


def _anonymise_account(user: User) -> None:
    user.email = f"erased-{user.id}@invalid"
    user.name = None
    user.password_hash = "!"  # no password hash: no password matches
    user.active = False
    user.end_sessions()
    for token in list(user.tokens):
        db.session.delete(token)


@transactional("personal_data.erased")
def erase(person: AuditPerson, actor: User | str | None, reason: str = "request", *,
          account: bool = False) -> AuditPerson:
    """Erase who the pseudonym is (audited). ``account``: anonymise the user too."""
    if reason not in ERASE_REASONS:
        raise Problem(400, "Invalid input", f"reason must be one of {', '.join(ERASE_REASONS)}",
                      errors=[{"field": "reason", "message": "retention or request",
                               "message_nl": "retention of request"}])
    if person.erased_at is not None:
        raise Problem(409, "Conflict", "This pseudonym is already erased.",
                      errors=[{"field": "pseudonym", "message": "already erased",
                               "message_nl": "al gewist"}])
    user = db.session.get(User, person.user_id) if person.user_id is not None else None
    failures = db.session.scalars(select(LoginFailure).where(
        LoginFailure.email == person.email)).all() if person.email else []
    for f in failures:
        db.session.delete(f)
    person.email = person.name = None
    person.user_id = None
    person.erased_at, person.erased_reason = _now(), reason
    if account and user is not None:
        _anonymise_account(user)
    db.session.flush()
    record_audit(actor if actor is not user else "system", "personal_data.erased", {
        "pseudonym": person.pseudonym, "reason": reason, "account": bool(account and user)})
    return person


@transactional("personal_data.purged", payload=lambda _r, **_: None)
def purge(actor: User | str | None = "system", *, dry_run: bool = False) -> list[str]:
    """Erase every link whose retention period has ended, in one transaction (an entry per
    erasure); the pseudonyms erased (or due)."""
    now = _now()
    due = [p for p in people() if p.erased_at is None and (end := retention_end(p)) and end <= now]
    if not dry_run:
        for p in due:
            erase(p, actor, "retention")
    return [p.pseudonym for p in due]


# --------------------------------------------------------------------------------------------
# Export


def _row_dict(table: Table, row: Any) -> dict[str, Any]:
    return {c.name: getattr(row, c.name) for c in table.columns if c.name not in SECRET_COLUMNS}


def _user_columns() -> Iterable[tuple[Table, Any]]:
    """Every (table, column) that points at a user account, found in the schema itself (so a
    new table with a user column is exported without a change here)."""
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "user_account" for fk in column.foreign_keys):
                yield table, column


def export_user(user: User) -> dict[str, Any]:
    """Everything the service holds about ``user``, as JSON-native data."""
    user_table = User.__table__
    tables: dict[str, list[dict[str, Any]]] = {}
    for table, column in _user_columns():
        if table.name == "audit_person":
            continue
        rows = db.session.execute(select(table).where(column == user.id)).all()
        if rows:
            key = f"{table.name}.{column.name}"
            tables[key] = [_row_dict(table, r) for r in rows]
    person = person_of_user(user)
    actors = [f"user:{user.id} {user.email}"]
    if person is not None:
        actors.append(PERSON_PREFIX + person.pseudonym)
    entries = db.session.scalars(select(AuditEntry).where(or_(
        AuditEntry.actor.in_(actors), AuditEntry.actor.like(f"user:{user.id} %")))
        .order_by(AuditEntry.id)).all()
    failures = db.session.scalars(select(LoginFailure).where(LoginFailure.email == user.email)).all()
    return json_native({
        "generated_at": _now().isoformat(),
        "about": "Everything Vuurtoren holds about this user (docs/privacy.md).",
        "user": _row_dict(user_table, user),
        "audit_identity": person_dict(person) if person else None,
        "audit_entries": [{"id": e.id, "timestamp": e.timestamp, "action": e.action,
                           "payload": e.payload} for e in entries],
        "login_failures": [{"at": f.at, "ip": f.ip} for f in failures],
        "records": tables,
    })

