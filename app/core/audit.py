"""The append-only, hash-chained audit log of decisions (scores, conflicts, assignments, ...).

``record_audit(actor, action, payload)`` is the one call every audited decision goes through. It
adds an entry to the ``audit_log`` table in the *current* transaction, chained to the previous
entry by ``evaluation.audit`` (sha256 over canonical JSON), and moves the head hash in
``audit_head``: so the entry is committed together with the change it records, or not at all.
Services call it inside their :func:`~app.core.transaction.transactional` run, which commits.

Appends are serialised: the first statement is an UPDATE of the single head row, which takes its
row lock on PostgreSQL (a concurrent append waits until this transaction ends, then reads the new
head) and the write lock on SQLite. No code path updates or deletes an entry: a flush that tries
is refused here, and triggers refuse it in the database (migration 0003_jury).

``verify_audit()`` checks every hash and link and compares the chain's end with the stored head,
so a cut-off tail shows too; ``flask --app app audit-verify`` prints the result.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from app.core.extensions import db
from app.models import AuditEntry, AuditHead, AuditPerson, User
from evaluation.audit import GENESIS_HASH, VerifyResult, append_entry, verify_chain

_recorded: ContextVar[int] = ContextVar("audit_entries_recorded", default=0)


def entries_recorded() -> int:
    """How many entries this context has recorded so far (``app.core.transaction`` compares)."""
    return _recorded.get()


class AppendOnlyViolation(RuntimeError):
    """Code tried to change or delete an audit entry."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyViolation("audit entries are append-only")


#: Prefix of a pseudonymous actor in the chain: ``person:<pseudonym>`` (docs/privacy.md).
PERSON_PREFIX = "person:"


def pseudonym_of(user: User) -> str:
    """The user's audit pseudonym (20 random hex digits), made at their first audited action.

    The chain stores only the pseudonym; ``audit_person`` says who it is, apart from the chain,
    so that link can be erased when the retention period ends without touching a hash.
    """
    if user.id is None:
        db.session.flush()
    row = db.session.scalar(select(AuditPerson).where(AuditPerson.user_id == user.id))
    if row is None:
        row = AuditPerson(pseudonym=secrets.token_hex(10), user_id=user.id, email=user.email,
                          name=user.name, created_at=datetime.now(UTC))
        db.session.add(row)
    return row.pseudonym


def actor_label(actor: Any) -> str:
    """Who did it, as stored: ``person:<pseudonym>`` for a user, else the text or ``system``.

    Entries written before migration 0013 carry ``user:<id> <email>`` (they cannot change
    without breaking the chain; docs/privacy.md)."""
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    if isinstance(actor, User):
        return PERSON_PREFIX + pseudonym_of(actor)
    return "system"


def people_of(actors: Iterable[str]) -> dict[str, dict[str, Any] | None]:
    """Who each pseudonymous actor is (for the secretariat's audit view): ``{"user", "email",
    "name"}``, ``{"erased": true, ...}`` once erased, None for a non-person actor."""
    wanted = {a[len(PERSON_PREFIX):] for a in actors if a.startswith(PERSON_PREFIX)}
    rows = {r.pseudonym: r for r in db.session.scalars(
        select(AuditPerson).where(AuditPerson.pseudonym.in_(wanted)))} if wanted else {}
    out: dict[str, dict[str, Any] | None] = {}
    for a in actors:
        row = rows.get(a[len(PERSON_PREFIX):]) if a.startswith(PERSON_PREFIX) else None
        if row is None:
            out[a] = None
        elif row.erased_at is not None:
            out[a] = {"erased": True, "erased_at": row.erased_at.isoformat()}
        else:
            out[a] = {"user": row.user_id, "email": row.email, "name": row.name}
    return out


def json_native(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as JSON-native values (decimals and dates as text), as it is hashed."""
    return json.loads(json.dumps(payload, default=str, allow_nan=False))


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def record_audit(actor: Any, action: str, payload: dict[str, Any]) -> AuditEntry:
    """Append an entry for ``actor`` (a User, a text or None) to the chain, in the transaction of
    the :func:`~app.core.transaction.transactional` service that calls it."""
    clean = json_native(payload)
    _recorded.set(_recorded.get() + 1)
    moved = db.session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(entries=AuditHead.entries + 1)
    )
    if moved.rowcount == 0:  # a database made without the migration's first row
        db.session.add(AuditHead(id=1, hash=GENESIS_HASH, entries=1))
        db.session.flush()
    head_hash = db.session.execute(select(AuditHead.hash).where(AuditHead.id == 1)).scalar_one()
    entry = append_entry(head_hash, clean, _now_iso(), actor_label(actor), action)
    row = AuditEntry(
        prev_hash=entry.prev_hash,
        hash=entry.hash,
        timestamp=entry.timestamp,
        actor=entry.actor,
        action=entry.action,
        payload=clean,
    )
    db.session.add(row)
    db.session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(hash=entry.hash, updated_at=datetime.now(UTC))
    )
    return row


@dataclass(frozen=True)
class AuditReport:
    """The chain check with the stored head: ``first_bad_id`` is the audit_log id of the break."""

    result: VerifyResult
    entries: int
    head_hash: str
    head_entries: int
    first_bad_id: int | None

    @property
    def ok(self) -> bool:
        return self.result.ok

    def message(self) -> str:
        if self.ok:
            return f"audit chain OK ({self.entries} entries)"
        where = f"entry #{self.first_bad_id}" if self.first_bad_id is not None else "the chain"
        return f"audit chain BROKEN at {where}: {self.result.reason}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head_hash": self.head_hash,
            "head_entries": self.head_entries,
            "first_bad_id": self.first_bad_id,
            "reason": self.result.reason,
            "message": self.message(),
        }


def verify_audit() -> AuditReport:
    """Check the whole chain in id order against the head row."""
    rows = db.session.execute(
        select(
            AuditEntry.id,
            AuditEntry.prev_hash,
            AuditEntry.hash,
            AuditEntry.timestamp,
            AuditEntry.actor,
            AuditEntry.action,
            AuditEntry.payload,
        ).order_by(AuditEntry.id)
    ).all()
    head = db.session.get(AuditHead, 1)
    head_hash = head.hash if head else GENESIS_HASH
    head_entries = head.entries if head else 0
    entries = [
        {
            "prev_hash": r.prev_hash,
            "hash": r.hash,
            "timestamp": r.timestamp,
            "actor": r.actor,
            "action": r.action,
            "payload": r.payload,
        }
        for r in rows
    ]
    result = verify_chain(entries, expected_head=head_hash)
    if result.ok and head_entries != len(rows):
        result = VerifyResult(
            False,
            len(rows) - 1 if rows else None,
            f"the head counts {head_entries} entries but the log holds {len(rows)}",
            len(rows),
        )
    bad = result.first_bad_index
    first_bad_id = rows[bad].id if bad is not None and 0 <= bad < len(rows) else None
    if result.reason:  # positions in the chain -> the ids an operator looks up
        ids = [r.id for r in rows]
        reason = re.sub(r"entry (\d+)", lambda m: f"entry #{ids[int(m.group(1))]}"
                        if int(m.group(1)) < len(ids) else m.group(0), result.reason)
        result = replace(result, reason=reason)
    return AuditReport(result, len(rows), head_hash, head_entries, first_bad_id)


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)) or 0
