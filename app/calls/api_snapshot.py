"""The frozen evaluation of a call through the API: what is stored and what a recomputation would
change, and the secretariat's recomputation (docs/api.md, "Frozen evaluation")."""

from __future__ import annotations

from app.calls import service_snapshot as snapshots
from app.calls.schemas import RecomputeInSchema, SnapshotAnswer
from app.calls.service import get_call
from app.core.api import bp, problems
from app.core.auth import api_user, require_admin


@bp.get("/calls/<int:call_id>/snapshot")
@require_admin
@bp.response(200, SnapshotAnswer)
@problems(404)
def call_snapshot(call_id: int):
    """The call's frozen evaluation and the differences a recomputation now would make (admin);
    nothing is stored. Before the deadline: ``frozen`` false."""
    return snapshots.preview(get_call(call_id))


@bp.post("/calls/<int:call_id>/snapshot/recompute")
@require_admin
@bp.arguments(RecomputeInSchema)
@bp.response(200, SnapshotAnswer)
@problems(404, 409)
def recompute_snapshot(data: dict, call_id: int):
    """Recompute the frozen evaluation from today's registry (admin, with a motivation); audited
    with every difference. 409 before the deadline and after publication."""
    return snapshots.recompute(get_call(call_id), data["motivation"], api_user())
