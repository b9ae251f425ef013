"""Account changes: passwords, sessions and API tokens. The only code that changes them; each
change is one audited transaction (``app.core.transaction``)."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from app.core.audit import record_audit
from app.core.extensions import db
from app.core.transaction import transactional
from app.models import ApiToken, User
from app.models.users import TOKEN_DAYS, password_problems


class PasswordRefused(ValueError):
    """The new password breaks the policy; ``problems`` says how."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def generate_password() -> str:
    """A random password (16 characters, about 96 bits) that satisfies the policy."""
    while True:
        password = secrets.token_urlsafe(12)
        if not password_problems(password):
            return password


@transactional("account.created", payload=lambda _r, user, **_: {
    "user": user.id, "role": user.role})
def create_user(user: User, password: str, actor: User | str | None) -> User:
    """Store a new account with its (policy-checked by the caller) password; audited."""
    user.set_password(password)
    db.session.add(user)
    return user


@transactional("account.password_changed", payload=lambda _r, user, **_: {"user": user.id})
def set_password(user: User, password: str, actor: User | str | None) -> None:
    """Check the policy, set the password (ending the user's other sessions); audited."""
    problems = password_problems(password)
    if problems:
        raise PasswordRefused(problems)
    user.set_password(password)


@transactional("account.logout", payload=lambda _r, user, **_: {"user": user.id})
def end_sessions(user: User) -> None:
    """Log the user out everywhere (logout ends every session of the account); audited."""
    user.end_sessions()


@transactional("token.created")
def issue_token(user: User, name: str | None, days: int = TOKEN_DAYS,
                actor: User | str | None = None) -> tuple[ApiToken, str]:
    """A new API token (audited); returns it with its plain text, shown once."""
    token, plain = ApiToken.issue(user, name, days)
    db.session.add(token)
    db.session.flush()
    record_audit(actor if actor is not None else user, "token.created", {
        "user": user.id, "token": token.id, "name": name,
        "expires_at": token.expires_at.isoformat()})
    return token, plain


@transactional("token.revoked", payload=lambda *_, **__: None)  # one entry per token
def revoke_tokens(tokens: list[ApiToken], actor: User | str | None) -> int:
    """Delete the tokens (they stop working at once); one audit entry each; returns how many."""
    for token in tokens:
        record_audit(actor, "token.revoked", {"user": token.user_id, "token": token.id,
                                              "name": token.name})
        db.session.delete(token)
    return len(tokens)


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))
