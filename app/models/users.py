"""Users, their roles and affiliations, and API tokens.

Passwords follow ASVS 2.1 (:func:`password_problems`): at least 12 characters, at most 128, no
composition rules, refused when zxcvbn finds them in its list of common passwords or built from
it (repeats, sequences, keyboard walks, dictionary words with digits): fewer than 10^8 guesses.
``session_version`` goes up at logout, a password change and deactivation, which ends every
session cookie issued before. API tokens are stored as SHA-256 digests and expire.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from functools import cache

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.core.extensions import db
from app.models.registry import Municipality, Organisation, _in, utcnow

USER_ROLES = ("admin", "juror", "city")

#: Password length bounds (characters). ASVS 2.1.1/2.1.2: at least 12, at least 64 allowed.
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
#: Fewest guesses zxcvbn must estimate for a password (10^8: its "safely unguessable" band,
#: score 3); below that the password is on, or built from, its common-password list.
MIN_PASSWORD_GUESSES_LOG10 = 8
#: Default and longest lifetime of an API token, in days.
TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 366


def password_problems(password: str) -> list[str]:
    """What is wrong with ``password`` under the policy (empty when it is acceptable)."""
    from zxcvbn import zxcvbn

    if len(password) < MIN_PASSWORD_LENGTH:
        return [f"the password must have at least {MIN_PASSWORD_LENGTH} characters"]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [f"the password may have at most {MAX_PASSWORD_LENGTH} characters"]
    if password.lower() in _common_passwords():
        return ["the password is on the list of common passwords"]
    if zxcvbn(password[:72])["guesses_log10"] < MIN_PASSWORD_GUESSES_LOG10:
        return ["the password is too easy to guess (a common password, a repeat or a sequence)"]
    return []


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


@cache
def _dummy_hash() -> str:
    """A hash of a random password, made like real ones: checked when the address is unknown so
    that the answer takes as long as for a known one (no account enumeration by timing)."""
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(user: User | None, password: str) -> bool:
    """True when ``user`` exists, is active and has ``password``; always one hash check."""
    if user is None or not user.active:
        check_password_hash(_dummy_hash(), password)
        return False
    return user.check_password(password)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(_in("role", USER_ROLES), name="role"),
        CheckConstraint(
            "municipality_id IS NULL OR organisation_id IS NULL", name="one_affiliation"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    municipality: Mapped[Municipality | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan")

    def set_password(self, password: str) -> None:
        """Set a new password and end every session issued before (the caller checked the
        policy with :func:`password_problems`)."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Invalidate every session cookie of this user (logout, password change, deactivation)."""
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def hash_token(token: str) -> str:
    """Tokens are stored as SHA-256 digests; the plain token is shown once."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(back_populates="tokens")

    @classmethod
    def issue(cls, user: User, name: str | None = None, days: int = TOKEN_DAYS) -> tuple[ApiToken, str]:
        """A new token valid for ``days`` days (1 … MAX_TOKEN_DAYS); returns it with the plain
        text, which is shown once and never stored."""
        if not 1 <= days <= MAX_TOKEN_DAYS:
            raise ValueError(f"a token lives 1 to {MAX_TOKEN_DAYS} days")
        plain = "vt_" + secrets.token_urlsafe(32)
        now = utcnow()
        token = cls(user=user, token_hash=hash_token(plain), name=name, created_at=now,
                    expires_at=now + timedelta(days=days))
        return token, plain

    @property
    def is_expired(self) -> bool:
        expires = self.expires_at
        if expires.tzinfo is None:  # SQLite hands back naive datetimes; they are UTC
            expires = expires.replace(tzinfo=UTC)
        return expires <= utcnow()


#: Days an invitation link stays valid (config ``INVITATION_DAYS`` may shorten or lengthen it).
INVITATION_DAYS = 7


class Invitation(db.Model):
    """A one-time link that lets an invited user choose their password (app/accounts/invitations.py).

    Only the SHA-256 digest of the link's token is stored (like API tokens); the plain token is
    mailed or shown to the secretariat once. A link ends at ``expires_at``, when it is used
    (``used_at``) and when a newer invitation for the same user replaces it (``revoked_at``).
    """

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @classmethod
    def issue(cls, user: User, days: int = INVITATION_DAYS,
              by: User | None = None) -> tuple[Invitation, str]:
        """A new invitation valid for ``days`` days; returns it with the plain token (shown once)."""
        plain = secrets.token_urlsafe(32)
        now = utcnow()
        row = cls(user=user, token_hash=hash_token(plain), created_at=now,
                  expires_at=now + timedelta(days=days), created_by_id=by.id if by else None)
        return row, plain

    @property
    def is_expired(self) -> bool:
        expires = self.expires_at
        if expires.tzinfo is None:  # SQLite hands back naive datetimes; they are UTC
            expires = expires.replace(tzinfo=UTC)
        return expires <= utcnow()

    @property
    def is_open(self) -> bool:
        """Still usable: not used, not replaced, not expired."""
        return self.used_at is None and self.revoked_at is None and not self.is_expired


class AuditPerson(db.Model):
    """Who a pseudonymous actor of the audit chain is, kept apart from the chain (docs/privacy.md).

    The chain stores ``person:<pseudonym>``; this row says which user (and e-mail, name at the
    time) it stands for. Erasing it (``app/accounts/personal_data.py``) empties every column but
    the pseudonym and sets ``erased_at``: the chain keeps verifying, its entries no longer name
    anyone. A user whose row was erased gets a new pseudonym at their next audited action.
    """

    __tablename__ = "audit_person"

    pseudonym: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), unique=True)
    email: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Why it was erased: ``retention`` (purge) or ``request`` (the secretariat, on request).
    erased_reason: Mapped[str | None] = mapped_column(String(20))

    user: Mapped[User | None] = relationship()
