"""The frozen evaluation of a call through the API: what is stored and what a recomputation would
change, and the secretariat's recomputation (docs/api.md, "Frozen evaluation")."""

from __future__ import annotations

from app.calls import service_snapshot as snapshots
from app.calls.schemas import RecomputeInSchema
from app.calls.service import get_call
from app.core.api import bp, json_body
from app.core.auth import api_user, require_admin


@bp.get("/calls/<int:call_id>/snapshot")
@require_admin
def call_snapshot(call_id: int):
    """The call's frozen evaluation and the differences a recomputation would make (admin).
    ---
    get:
      summary: Frozen evaluation of a call, with the differences to a fresh computation
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: call_id
        required: true
        schema: {type: integer}
      responses:
        200:
          description: '{"frozen", "frozen_at", "reason", "registry_version", "weights",
            "applications", "sha256", "differences": [{"path", "old", "new"}]}'
        403: Problem
        404: Problem
    """
    return snapshots.preview(get_call(call_id))


@bp.post("/calls/<int:call_id>/snapshot/recompute")
@require_admin
def recompute_snapshot(call_id: int):
    """Recompute the frozen evaluation from today's registry (admin, audited with the differences).
    ---
    post:
      summary: Recompute the frozen evaluation; the answer lists every difference
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: call_id
        required: true
        schema: {type: integer}
      requestBody:
        required: true
        content:
          application/json:
            schema: RecomputeInSchema
      responses:
        200:
          description: the new snapshot's facts and the differences to the old one
        400: Problem
        403: Problem
        404: Problem
        409: Problem
    """
    row = get_call(call_id)
    data = json_body(RecomputeInSchema())
    return snapshots.recompute(row, data["motivation"], api_user())
