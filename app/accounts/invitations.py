"""Onboarding from the web: the secretariat invites a juror, a city user or another admin; the
invited person follows a one-time link, chooses a password and is logged in.

The link carries a random token of which only the SHA-256 digest is stored (``Invitation``); it
expires after ``INVITATION_DAYS`` days, works once, and a new invitation for the same user replaces
the older ones. With an SMTP server configured (``MAIL_SERVER``) the link is mailed; without one
the page shows it to the secretariat to pass on. Each change is one audited transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from sqlalchemy import select

from app.accounts.service import PasswordRefused, generate_password
from app.core.audit import record_audit
from app.core.extensions import db
from app.core.problems import Problem, validation_problem
from app.core.transaction import transactional
from app.models import Invitation, Municipality, Organisation, User, hash_token
from app.models.registry import utcnow
from app.models.users import password_problems

#: Who the secretariat can invite from the pages.
INVITABLE_ROLES = ("juror", "city", "admin")


class InvitationInvalid(ValueError):
    """The link cannot be used; ``reason`` is ``unknown``, ``used``, ``replaced`` or ``expired``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Invited:
    """The result of an invitation: the user, the link (shown once) and whether it was mailed."""

    user: User
    invitation: Invitation
    link: str


def _field_error(field: str, message: str, message_nl: str, status: int = 400) -> Problem:
    problem = validation_problem([{"field": field, "message": message, "message_nl": message_nl}])
    problem.status = status
    return problem


def _link(plain: str) -> str:
    return url_for("web.accept_invitation", token=plain, _external=True)


def _issue(user: User, actor: User | None) -> tuple[Invitation, str]:
    now = utcnow()
    for old in db.session.scalars(select(Invitation).where(
            Invitation.user_id == user.id, Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None))):
        old.revoked_at = now
    row, plain = Invitation.issue(user, current_app.config["INVITATION_DAYS"], actor)
    db.session.add(row)
    return row, plain


def _audit(result: Invited, **_: object) -> dict:
    return {"user": result.user.id, "role": result.user.role, "invitation": result.invitation.id,
            "expires_at": result.invitation.expires_at.isoformat()}


@transactional("account.invited", payload=_audit)
def invite_user(email: str, role: str, name: str | None, municipality: Municipality | None,
                organisation: Organisation | None, actor: User | None) -> Invited:
    """Create the account (with a random password nobody knows) and its invitation link.

    A city user needs a municipality (what it may see follows from it); a juror may be
    affiliated to a municipality or an organisation (conflicts of interest follow from it).
    """
    email = email.strip().lower()
    if role not in INVITABLE_ROLES:
        raise _field_error("role", f"role must be one of {', '.join(INVITABLE_ROLES)}",
                           "kies een rol: jurylid, gemeente of beheerder")
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise _field_error("email", f"a user {email} already exists",
                           f"er bestaat al een gebruiker {email}; nodig die opnieuw uit in de lijst",
                           409)
    if municipality is not None and organisation is not None:
        raise _field_error("organisation", "give a municipality or an organisation, not both",
                           "kies een gemeente of een organisatie, niet beide")
    if role == "city" and municipality is None:
        raise _field_error("municipality", "a city user needs a municipality",
                           "een gebruiker van een gemeente hoort bij een gemeente: kies ze")
    if role == "admin" and (municipality is not None or organisation is not None):
        raise _field_error("municipality", "an admin has no affiliation",
                           "een beheerder hoort niet bij een gemeente of organisatie")
    user = User(email=email, role=role, name=(name or "").strip() or None,
                municipality=municipality.current() if municipality else None,
                organisation=organisation)
    user.set_password(generate_password())  # unknown to anyone until the link sets one
    db.session.add(user)
    db.session.flush()
    row, plain = _issue(user, actor)
    return Invited(user, row, _link(plain))


@transactional("account.reinvited", payload=_audit)
def reinvite(user: User, actor: User | None) -> Invited:
    """A new link for ``user`` (the older ones stop working), e.g. when the first one expired."""
    row, plain = _issue(user, actor)
    db.session.flush()
    return Invited(user, row, _link(plain))


def find_invitation(plain: str) -> Invitation:
    """The invitation of a link's token; :class:`InvitationInvalid` when it cannot be used."""
    row = db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(plain)))
    if row is None or not row.user.active:
        raise InvitationInvalid("unknown")
    if row.used_at is not None:
        raise InvitationInvalid("used")
    if row.revoked_at is not None:
        raise InvitationInvalid("replaced")
    if row.is_expired:
        raise InvitationInvalid("expired")
    return row


@transactional("account.invitation_accepted")
def accept_invitation(plain: str, password: str) -> User:
    """Set the invited user's password from the link (checked against the policy); the link is
    used up. Raises :class:`InvitationInvalid` or :class:`PasswordRefused`."""
    row = find_invitation(plain)
    problems = password_problems(password)
    if problems:
        raise PasswordRefused(problems)
    row.user.set_password(password)
    row.used_at = utcnow()
    record_audit(row.user, "account.invitation_accepted", {"user": row.user.id,
                                                           "invitation": row.id})
    return row.user


def invitation_state(user: User) -> dict | None:
    """The latest invitation of ``user`` for the users page: ``open`` (with its expiry),
    ``accepted`` or ``expired``; None for an account made without one (the command line)."""
    row = db.session.scalar(select(Invitation).where(Invitation.user_id == user.id)
                            .order_by(Invitation.created_at.desc(), Invitation.id.desc()).limit(1))
    if row is None:
        return None
    if row.used_at is not None:
        return {"state": "accepted", "at": row.used_at}
    if row.is_open:
        return {"state": "open", "at": row.expires_at}
    return {"state": "expired", "at": row.expires_at}
