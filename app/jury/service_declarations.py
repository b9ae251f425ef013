"""Conflicts v2 around the juror: their several affiliations and the per-call declaration of
absence of conflicts (*verklaring op eer*) they sign before the first application opens
(docs/jury.md §1). Both audited; an affiliation change withdraws the assignments it makes
conflicted and fills the gaps, as a declared conflict does."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from app.core.audit import record_audit
from app.core.extensions import db
from app.core.problems import Problem
from app.core.transaction import transactional
from app.jury.service import (
    affiliations_dict,
    ensure_not_published,
    resolve_affiliations,
)
from app.jury.service_assignments import _reassign, current_pairs
from app.models import Call, CallJuror, User
from app.models.registry import utcnow
from evaluation.conflicts import declaration_text


@transactional("jury.affiliations_changed")
def set_affiliations(call: Call, juror: CallJuror, affiliations: Sequence[dict[str, Any]],
                     actor: User) -> dict[str, Any]:
    """Replace the juror's affiliations (admin); assignments now conflicted are withdrawn and
    replaced. Audited with the old and new affiliations."""
    ensure_not_published(call)
    before = affiliations_dict(juror)
    rows = resolve_affiliations(juror.user, list(affiliations))
    juror.affiliations.clear()
    db.session.flush()
    juror.affiliations.extend(rows)
    db.session.flush()
    record_audit(actor, "jury.affiliations_changed", {
        "call": call.id, "juror": juror.id, "before": before, "after": affiliations_dict(juror)})
    out: dict[str, Any] = {"affiliations": affiliations_dict(juror), "withdrawn": [], "added": [],
                           "reassignment_error": None}
    pairs = current_pairs(call)
    if any(j == juror.id for _a, j in pairs):
        out.update(_reassign(call, pairs, actor))
    return out


def declaration_dict(call: Call, juror: CallJuror | None) -> dict[str, Any]:
    text = declaration_text(call.name)
    return {
        "call": call.id,
        "juror": juror.id if juror else None,
        "text_nl": text["nl"],
        "text_en": text["en"],
        "version": int(text["version"]),
        "signed": bool(juror and juror.declaration_signed_at),
        "signed_at": juror.declaration_signed_at.isoformat()
        if juror and juror.declaration_signed_at else None,
    }


@transactional("jury.declaration_signed")
def sign_declaration(call: Call, juror: CallJuror, actor: User) -> CallJuror:
    """The juror signs the call's declaration (once; 409 after); audited with its text's hash."""
    if juror.declaration_signed_at is not None:
        raise Problem(409, "Conflict", "You have already signed the declaration for this call.",
                      errors=[{"field": "declaration", "message": "already signed",
                               "message_nl": "al ondertekend"}])
    text = declaration_text(call.name)
    juror.declaration_text = f"{text['nl']}\n\n{text['en']}"
    juror.declaration_signed_at = utcnow()
    record_audit(actor, "jury.declaration_signed", {
        "call": call.id, "juror": juror.id, "version": int(text["version"]),
        "sha256": hashlib.sha256(juror.declaration_text.encode()).hexdigest()})
    return juror
