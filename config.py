"""Settings from the environment, in one place.

``VUURTOREN_ENV`` selects the mode: ``development`` (``make run``), ``testing`` (the suite) or
``production`` (the default: anything else refuses to start without a real ``SECRET_KEY``).
"""

from __future__ import annotations

import importlib.util
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

#: Values that are never accepted as a production SECRET_KEY.
WEAK_SECRET_KEYS = {"", "dev", "changeme", "change-me", "secret", "development", "test"}


class ConfigError(RuntimeError):
    """Raised at start-up when a setting is missing or unsafe."""


def normalise_database_url(url: str) -> str:
    """Let a plain ``postgresql://user@host:port/db`` URL work with whichever driver is installed.

    SQLAlchemy maps ``postgresql://`` to psycopg2; we ship psycopg 3, so rewrite the scheme to the
    driver that is importable (psycopg 3 first, then psycopg2).
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            rest = url[len(prefix):]
            if importlib.util.find_spec("psycopg") is not None:
                return "postgresql+psycopg://" + rest
            if importlib.util.find_spec("psycopg2") is not None:
                return "postgresql+psycopg2://" + rest
            return "postgresql://" + rest
    return url


def default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'vuurtoren.sqlite'}"


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask config mapping from the environment plus explicit overrides."""
    overrides = dict(overrides or {})
    env = overrides.pop("ENV", None) or os.environ.get("VUURTOREN_ENV", "production")
    if overrides.get("TESTING"):
        env = "testing"
    secret = overrides.get("SECRET_KEY", os.environ.get("SECRET_KEY", ""))
    if env not in ("development", "testing"):
        if secret in WEAK_SECRET_KEYS or len(secret) < 16:
            raise ConfigError(
                "SECRET_KEY is not set (or too weak): set SECRET_KEY to a random string of at "
                "least 16 characters, e.g. `export SECRET_KEY=$(python3 -c 'import secrets; "
                "print(secrets.token_hex(32))')`, or set VUURTOREN_ENV=development for local use."
            )
    elif not secret:
        secret = "dev-only-not-secret"
    url = overrides.pop("DATABASE_URL", None) or os.environ.get("DATABASE_URL") or default_database_url()
    config = {
        "VUURTOREN_ENV": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "RQ_QUEUE": os.environ.get("RQ_QUEUE") or None,
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 1024 * 1024)),
        # Views marked @accepts_upload (documents, reports, imports): the largest PDF (20 MB,
        # evaluation.documents.MAX_BYTES) plus room for the multipart envelope and the form's text,
        # so a file just above 20 MB gets the field's answer ("at most 20 MB"), not a bare 413.
        "UPLOAD_MAX_CONTENT_LENGTH": int(os.environ.get("UPLOAD_MAX_CONTENT_LENGTH", 22_000_000)),
        # Uploaded documents, stored by their SHA-256 (app/core/storage.py, docs/operations.md).
        "DOCUMENTS_DIR": Path(os.environ.get("DOCUMENTS_DIR") or INSTANCE_DIR / "documents"),
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_SUPPORTED_LOCALES": ["nl", "en"],
        "BABEL_TRANSLATION_DIRECTORIES": str(BASE_DIR / "app" / "translations"),
        "WTF_CSRF_TIME_LIMIT": None,
        # Cookies: never readable by scripts, not sent on cross-site posts, https-only in
        # production (docs/operations.md, "Security").
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env == "production",
        # A session ends after this much inactivity, and after this long whatever happens.
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", 30))),
        "SESSION_ABSOLUTE_TIMEOUT": timedelta(hours=int(os.environ.get("SESSION_ABSOLUTE_HOURS", 12))),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted
        # (0: none, the peer's address is the client's).
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", 0)),
        # Other origins allowed to post (besides the app's own), space-separated.
        "TRUSTED_ORIGINS": os.environ.get("TRUSTED_ORIGINS", "").split(),
        # Personal data (docs/privacy.md): who an audit pseudonym is stays known this many years
        # after the last call it concerns has closed, then `flask personal-data purge` erases it.
        "PERSONAL_DATA_RETENTION_YEARS": int(os.environ.get("PERSONAL_DATA_RETENTION_YEARS", 7)),
        # Who answers questions about personal data (shown on the privacy notice, /privacy).
        "PRIVACY_CONTACT": os.environ.get("PRIVACY_CONTACT", "privacy@vuurtoren.local"),
        # Invitations (app/accounts/invitations.py): how long a link lives, and the SMTP server that
        # mails it. Without MAIL_SERVER nothing is sent: the link is shown to the secretariat,
        # who passes it on. MAIL_SECURITY: "starttls" (default), "ssl" or "none".
        "INVITATION_DAYS": int(os.environ.get("INVITATION_DAYS", 7)),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 587)),
        "MAIL_SECURITY": os.environ.get("MAIL_SECURITY", "starttls").lower(),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM", "vuurtoren@vuurtoren.local"),
        "TESTING": env == "testing",
        "JSON_SORT_KEYS": False,
    }
    config.update(overrides)
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        INSTANCE_DIR.mkdir(exist_ok=True)
    return config
