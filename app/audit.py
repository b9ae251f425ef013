"""Audit records of decisions (placeholder until the jury's hash-chained audit log exists).

``record_audit(actor, action, payload)`` is the one call every audited decision goes through
(the admin's eligibility override today; scores later). This placeholder only writes the record
to the application log; the jury work replaces the body with an append-only, hash-chained table
(``evaluation/audit.py``) without changing the callers.
"""

from __future__ import annotations

import json
from typing import Any

from flask import current_app


def record_audit(actor: Any, action: str, payload: dict[str, Any]) -> None:
    """Record that ``actor`` (a User or None) did ``action`` with ``payload`` (JSON-able)."""
    who = getattr(actor, "email", None) or "system"
    current_app.logger.info(
        "audit %s by %s: %s", action, who, json.dumps(payload, sort_keys=True, default=str)
    )
