"""Login rate limit: at most ``MAX_FAILURES`` failed logins per e-mail address and IP address
within ``WINDOW``; then the login form answers 429 until the oldest failure leaves the window.

Our own choice (not from the sources), the usual order of magnitude: 5 failures per 5 minutes
stops password guessing (at most 1,440 guesses a day per address and IP) and barely bothers a
user who mistypes. Counted per e-mail *and* IP, so one attacker cannot lock a user out from
everywhere. Failures live in the ``login_failure`` table, so the limit holds across web workers.
Behind a reverse proxy, ``request.remote_addr`` must be the client's address (ProxyFix).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from app.core.extensions import db
from app.models import LoginFailure

MAX_FAILURES = 5
WINDOW = timedelta(minutes=5)


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def retry_after(email: str, ip: str) -> int | None:
    """Seconds until another attempt is allowed, or None when not limited."""
    since = _now() - WINDOW
    stmt = select(func.count(), func.min(LoginFailure.at)).where(
        LoginFailure.email == email, LoginFailure.ip == ip, LoginFailure.at > since
    )
    count, oldest = db.session.execute(stmt).one()
    if count < MAX_FAILURES:
        return None
    wait = (_aware(oldest) + WINDOW - _now()).total_seconds()
    return max(1, int(wait) + 1)


def record_failure(email: str, ip: str) -> None:
    """Count a failed login and forget failures older than the window; commits."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.at <= _now() - WINDOW))
    db.session.add(LoginFailure(email=email[:255], ip=ip[:64], at=_now()))
    db.session.commit()


def clear_failures(email: str, ip: str) -> None:
    """A successful login forgets this address's failures from this IP; commits."""
    db.session.execute(
        delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.ip == ip)
    )
    db.session.commit()
