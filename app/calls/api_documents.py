"""Documents of an application through the API: multipart upload (PDF only, checked by
content), the list, and the file (docs/api.md, "Documents")."""

from __future__ import annotations

from flask import Response, request

from app.calls import service_applications as apps
from app.calls import service_documents as documents
from app.calls.schemas import DocumentList, DocumentSchema, DocumentUploadSchema
from app.core.api import BINARY, bp, problems
from app.core.auth import api_user, require_role
from app.core.problems import Problem, validation_problem
from app.core.security import accepts_upload
from evaluation.documents import MAX_BYTES

require_user = require_role("admin", "city", "juror")

@bp.post("/applications/<int:application_id>/documents")
@accepts_upload
@require_role("admin", "city")
@bp.arguments(DocumentUploadSchema, location="files")
@bp.alt_response(201, schema=DocumentSchema, success=True)
@problems(404, 409)
def upload_document(application_id: int):
    """Upload the proposal, a follower's letter of intent or the budget annex (PDF, ≤ 20 MB)."""
    user = api_user()
    row = apps.get_visible_application(application_id, user)
    if not apps.can_edit(user, row):
        raise Problem(403, "Forbidden", "Only the admin or the lead municipality uploads documents.")
    if not request.mimetype.startswith("multipart/"):
        raise Problem(415, "Unsupported media type",
                      "Send the document as multipart/form-data with the fields file and kind.")
    upload = request.files.get("file")
    if upload is None:
        raise validation_problem([{"field": "file", "message": "attach the PDF as 'file'",
                                   "message_nl": "voeg de PDF toe als 'file'"}])
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        data = data + upload.read()  # the size check names the real size
    doc = documents.upload(row, data, upload.filename or "", request.form.get("kind"),
                           request.form.get("refnis"), user)
    return documents.document_dict(doc), 201


@bp.get("/applications/<int:application_id>/documents")
@require_user
@bp.alt_response(200, schema=DocumentList, success=True)
@problems(404)
def list_documents(application_id: int):
    """Documents of an application."""
    row = apps.get_visible_application(application_id, api_user())
    return {"items": [documents.document_dict(d) for d in row.documents]}


@bp.get("/applications/<int:application_id>/documents/<int:document_id>")
@require_user
@bp.alt_response(200, schema=BINARY, content_type="application/pdf",
                 success=True)
@problems(404)
def get_document(application_id: int, document_id: int):
    """Download a document."""
    user = api_user()
    row = apps.get_visible_application(application_id, user)
    doc = documents.get_document(row, document_id)
    data = documents.read(doc, user)
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{doc.kind}-{doc.id}.pdf"',
        "X-Content-Type-Options": "nosniff"})
