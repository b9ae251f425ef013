"""Failed logins, for the login rate limit (app/login_limit.py).

Kept in the database rather than in process memory so the limit holds across several web
workers and restarts. Rows older than the window are deleted as new failures come in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.extensions import db
from app.models.registry import utcnow


class LoginFailure(db.Model):
    """One failed login for an e-mail address (as typed, lower-cased) from one IP address."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_email_ip_at", "email", "ip", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
