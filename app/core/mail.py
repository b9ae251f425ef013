"""Sending e-mail through the SMTP server of the configuration (``MAIL_*`` in config.py).

Without ``MAIL_SERVER`` nothing is sent and :func:`send_mail` answers False: the caller shows
what it would have mailed (an invitation link) to the person who asked, who passes it on.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app

#: Seconds to wait for the SMTP server before giving up.
SMTP_TIMEOUT_S = 20


class MailFailed(RuntimeError):
    """The SMTP server was configured but refused or could not be reached."""


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send a plain-text message to ``to``; False when no SMTP server is configured.

    Raises :class:`MailFailed` when the configured server cannot take it.
    """
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return False
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    host, port, security = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_SECURITY"]
    try:
        if security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT_S,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_S)
        with smtp:
            if security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailFailed(str(exc)) from exc
    return True
