"""Documents of an application through the API: multipart upload (PDF only, checked by
content), the list, and the file (docs/api.md, "Documents")."""

from __future__ import annotations

from flask import Response, request

from app.calls import service_applications as apps
from app.calls import service_documents as documents
from app.core.api import bp
from app.core.auth import api_user, require_role
from app.core.problems import Problem, validation_problem
from app.core.security import accepts_upload
from evaluation.documents import MAX_BYTES

require_user = require_role("admin", "city", "juror")

#: The request limit of an upload: the largest file plus room for the multipart envelope, so a
#: file just above MAX_BYTES gets the field-level answer ("at most 20 MB") rather than a bare 413.
UPLOAD_REQUEST_LIMIT = MAX_BYTES + 2_000_000


@bp.post("/applications/<int:application_id>/documents")
@accepts_upload
@require_role("admin", "city")
def upload_document(application_id: int):
    """Upload a document (lead city or admin, while the application is a draft).
    ---
    post:
      summary: Upload the proposal, a follower's letter of intent or the budget annex (PDF, ≤ 20 MB)
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: application_id
        required: true
        schema: {type: integer}
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file, kind]
              properties:
                file: {type: string, format: binary}
                kind: {type: string, enum: [proposal, letter_of_intent, budget]}
                refnis: {type: string, description: the follower's REFNIS (letter of intent only)}
      responses:
        201:
          description: '{"id", "sha256", "kind", "size", ...}'
        400: Problem
        403: Problem
        404: Problem
        409: Problem
        413: Problem
    """
    request.max_content_length = UPLOAD_REQUEST_LIMIT
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
def list_documents(application_id: int):
    """The documents of an application (whoever may see it; 404 for a conflicted juror).
    ---
    get:
      summary: Documents of an application
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: application_id
        required: true
        schema: {type: integer}
      responses:
        200:
          description: '{"items": [document, ...]}'
        404: Problem
    """
    row = apps.get_visible_application(application_id, api_user())
    return {"items": [documents.document_dict(d) for d in row.documents]}


@bp.get("/applications/<int:application_id>/documents/<int:document_id>")
@require_user
def get_document(application_id: int, document_id: int):
    """One document's file (PDF); a juror's first download is audited.
    ---
    get:
      summary: Download a document
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: application_id
        required: true
        schema: {type: integer}
      - in: path
        name: document_id
        required: true
        schema: {type: integer}
      responses:
        200:
          description: application/pdf
        404: Problem
    """
    user = api_user()
    row = apps.get_visible_application(application_id, user)
    doc = documents.get_document(row, document_id)
    data = documents.read(doc, user)
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{doc.kind}-{doc.id}.pdf"',
        "X-Content-Type-Options": "nosniff"})
