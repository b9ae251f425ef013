"""Documents of an application: upload (PDF checked by content), list, and reading with the
audit of each juror's first download.

Who may upload: the lead city or the admin, while the application is a draft (the receipt covers
the documents, so they lock with the application). Who may read: whoever may see the
application (``app.calls.service_applications.get_visible_application``): the admin, the lead and
partner cities, and jurors assigned without a conflict; anyone else gets 404.
"""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import select

from app.calls.service_lifecycle import ensure_lead_may_edit, now
from app.core.audit import record_audit
from app.core.extensions import db
from app.core.limits import valid_id
from app.core.problems import Problem, validation_problem
from app.core.storage import MissingDocument, document_store
from app.core.transaction import transactional
from app.models import Application, ApplicationDocument, DocumentRead, Municipality, User
from evaluation.calls import VGC_NAME
from evaluation.documents import (
    InvalidDocument,
    check_kind,
    check_pdf,
    pdf_text,
    read_budget,
    read_letter,
)


@transactional("document.upload")
def upload(row: Application, data: bytes, filename: str, kind: Any, refnis: Any,
           actor: User | None) -> ApplicationDocument:
    """Check, store and record one document; audited. 400 naming ``file``/``kind``/``refnis``."""
    ensure_lead_may_edit(row)
    followers = {f.municipality.refnis for f in row.followers}
    try:
        kind, refnis = check_kind(kind, refnis or None, followers)
        checked = check_pdf(data)
    except InvalidDocument as err:
        raise validation_problem([err.to_dict()]) from None
    sha = document_store().put(data)
    assert sha == checked.sha256
    doc = ApplicationDocument(application=row, kind=kind, refnis=refnis, sha256=sha,
                              size=checked.size, pages=checked.pages,
                              filename=(filename or "document.pdf")[-200:], uploaded_by=actor,
                              uploaded_at=now())
    db.session.add(doc)
    db.session.flush()
    record_audit(actor, "document.upload", {
        "application": row.id, "document": doc.id, "kind": kind, "refnis": refnis,
        "sha256": sha, "size": checked.size, "pages": checked.pages})
    return doc


@functools.lru_cache(maxsize=256)
def _text(sha256: str) -> str | None:
    """The text layer of a stored PDF (content-addressed, so it is read once per content)."""
    try:
        return pdf_text(document_store().get(sha256))
    except MissingDocument:
        return None


def _names(municipality: Municipality | None) -> tuple[str, ...]:
    if municipality is None:
        return ()
    return tuple(n for n in (municipality.name_nl, municipality.name_fr) if n)


def reading(doc: ApplicationDocument) -> dict[str, Any] | None:
    """What the service read in a document, to help the secretariat confirm it (it never
    counts by itself): a letter of intent's text names its follower and the lead or not; a budget
    annex states the declared total budget, own contribution and grant or not. ``readable``
    false: no text layer (a scan), read it yourself. None for a proposal."""
    row = doc.application
    if doc.kind == "letter_of_intent":
        follower = db.session.scalar(select(Municipality).where(Municipality.refnis == doc.refnis))
        lead = ((VGC_NAME, "VGC") if row.lead_is_vgc
                else _names(row.lead_municipality))
        return read_letter(_text(doc.sha256), _names(follower), lead).to_dict()
    if doc.kind == "budget":
        own = row.cofinancing_cents
        if own is None and row.total_budget_cents is not None and row.requested_grant_cents is not None:
            own = row.total_budget_cents - row.requested_grant_cents
        return read_budget(_text(doc.sha256), {
            "total_budget": row.total_budget_cents or 0, "cofinancing": own or 0,
            "requested_grant": row.requested_grant_cents or 0}).to_dict()
    return None


def document_dict(doc: ApplicationDocument) -> dict[str, Any]:
    return {
        "id": doc.id,
        "application": doc.application_id,
        "kind": doc.kind,
        "refnis": doc.refnis,
        "sha256": doc.sha256,
        "size": doc.size,
        "pages": doc.pages,
        "filename": doc.filename,
        "uploaded_at": doc.uploaded_at.isoformat(),
        "url": f"/api/v1/applications/{doc.application_id}/documents/{doc.id}",
        "reading": reading(doc),
    }


def get_document(row: Application, document_id: int) -> ApplicationDocument:
    doc = db.session.get(ApplicationDocument, document_id) if valid_id(document_id) else None
    if doc is None or doc.application_id != row.id:
        from app.core.problems import not_found

        raise not_found("document", document_id, field="id")
    return doc


def read(doc: ApplicationDocument, user: User) -> bytes:
    """The file's bytes; a juror's first download is recorded (:func:`record_first_download`)."""
    try:
        data = document_store().get(doc.sha256)
    except MissingDocument:
        raise Problem(500, "Document missing", "The stored file is missing or damaged; "
                      "the secretariat restores it from the backup.") from None
    if user.role == "juror":
        seen = db.session.scalar(select(DocumentRead.id).where(
            DocumentRead.document_id == doc.id, DocumentRead.user_id == user.id))
        if seen is None:
            record_first_download(doc, user)
    return data


@transactional("document.first_download")
def record_first_download(doc: ApplicationDocument, user: User) -> None:
    """A juror opened the document for the first time: when, in the table and the audit log."""
    db.session.add(DocumentRead(document_id=doc.id, user_id=user.id, first_at=now()))
    record_audit(user, "document.first_download", {
        "application": doc.application_id, "document": doc.id, "sha256": doc.sha256})
