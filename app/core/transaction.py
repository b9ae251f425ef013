"""One write, one transaction: the service function, its audit entry and one commit.

Every function that changes state is a service function decorated with :func:`transactional`.
The decorator runs it, makes sure the change is in the audit log and commits; if anything goes
wrong (a :class:`~app.core.problems.Problem`, a database error, a bug) everything it did is
rolled back, audit entry included. Views, pages and commands call the service and never commit.

    @transactional("call.create", payload=lambda row, **_: {"call": row.id})
    def create_call(payload, actor): ...

The audit entry: a service that records its own entries (``record_audit`` with the details only
it knows) is left alone; one that recorded none gets one entry with ``action`` and
``payload(result, **arguments)`` (name its first parameter apart from the service's own, e.g.
``_result``; ``{}`` without ``payload``; no entry when ``payload`` answers
None: the call changed nothing, e.g. an import whose every row was refused). The actor is the service's
``actor`` (or ``user``) argument, else the logged-in user, else ``system``.

Services call each other: a decorated function called inside another one joins its transaction
(the outermost one commits or rolls back). A conflict the database finds (a unique key, a stale
version) rolls back and becomes a 409 problem; ``conflict(exc, **arguments)`` builds a better one
after the rollback, when the service knows what to say.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.core.audit import entries_recorded, record_audit
from app.core.extensions import db
from app.core.problems import Problem

F = TypeVar("F", bound=Callable[..., Any])
ACTOR_ARGUMENTS = ("actor", "user")
_depth: ContextVar[int] = ContextVar("transaction_depth", default=0)


def in_transaction() -> bool:
    """Whether a :func:`transactional` service is running (a nested one joins it)."""
    return _depth.get() > 0


def _current_user() -> Any:
    from flask import has_request_context
    from flask_login import current_user

    if has_request_context() and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def _database_conflict(exc: Exception) -> Problem:
    detail = getattr(exc, "orig", None) or exc
    return Problem(409, "Conflict", f"The change conflicts with existing data: {detail}")


def transactional(action: str, *, payload: Callable[..., dict[str, Any] | None] | None = None,
                  conflict: Callable[..., Problem] | None = None) -> Callable[[F], F]:
    """Make ``fn`` one audited transaction named ``action`` (``"call.create"``); see the module."""
    if not action:
        raise ValueError("a transactional service names its audit action")

    def decorate(fn: F) -> F:
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            arguments = signature.bind(*args, **kwargs)
            arguments.apply_defaults()
            named = dict(arguments.arguments)
            outermost = not in_transaction()
            token = _depth.set(_depth.get() + 1)
            before = entries_recorded()
            try:
                result = fn(*args, **kwargs)
                if entries_recorded() == before:
                    db.session.flush()  # the payload may name new rows by their id
                    data = payload(result, **named) if payload else {}
                    if data is not None:
                        actor = next((named[a] for a in ACTOR_ARGUMENTS
                                      if named.get(a) is not None), None) or _current_user()
                        record_audit(actor, action, data)
                if outermost:
                    db.session.commit()
                return result
            except (IntegrityError, StaleDataError) as exc:
                if not outermost:
                    raise
                db.session.rollback()
                raise (conflict(exc, **named) if conflict else _database_conflict(exc)) from None
            except BaseException:
                if outermost:
                    db.session.rollback()
                raise
            finally:
                _depth.reset(token)

        run.audit_action = action  # type: ignore[attr-defined]
        return run  # type: ignore[return-value]

    return decorate
