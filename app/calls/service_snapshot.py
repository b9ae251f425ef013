"""The frozen evaluation of a call: stored at the deadline, read from then on, recomputed only by
the secretariat (issue 11 item 4; the layout and the differences are pure: evaluation/snapshot.py).

**When it is stored.** When the call steps to ``closed`` (:func:`app.calls.service_lifecycle.
transition`), or at the first evaluation read after the deadline when the secretariat has not
closed the call yet (:func:`ensure_frozen`, called by ``CallEvaluation``). From then on jurors,
ranking, summaries and the application pages read the stored eligibility and indicators: a
registry change, a new prior project or another application leaves every stored figure as it was.

**What it holds.** Per submitted application: its content as evaluated (the receipt's shape),
the eligibility with every rule's reason, the indicators with their components and evidence, and
the scores on each linked criterion's scale; for the call: the criteria weights, the indicator
tuning weights and the registry version (counts and last changes of the registry tables).

**Recomputing** is an explicit secretariat action with a motivation: :func:`recompute` replaces
the stored snapshot by a fresh computation and audits every difference; :func:`preview` shows the
same differences before. An application submitted after the freeze (none should be: submission
closes at the deadline) is evaluated live until the next recomputation.
"""

from __future__ import annotations

import hashlib
from typing import Any

from app.core.audit import json_native, record_audit
from app.core.extensions import db
from app.core.limits import MIN_DECISION_MOTIVATION
from app.core.problems import Problem, validation_problem
from app.core.transaction import transactional
from app.models import Call, EvaluationSnapshot, User
from app.registry.service import registry_version
from evaluation import phases as ev_phases
from evaluation.audit import canonical_json
from evaluation.indicators.weights import DEFAULT_WEIGHTS
from evaluation.snapshot import application_entry, build_snapshot, differences

#: At most this many differences are written into one audit entry (the count is always there).
AUDIT_DIFFERENCES = 1000


def _now():
    from app.calls.service_lifecycle import now

    return now()


def freeze_due(call: Call) -> bool:
    """The call is closed (or later), or its deadline has passed."""
    return ev_phases.reached(call.phase, "closed") or ev_phases.deadline_passed(call.deadline, _now())


def stored(call: Call) -> EvaluationSnapshot | None:
    return db.session.get(EvaluationSnapshot, call.id)


def compute(call: Call) -> dict[str, Any]:
    """A fresh snapshot of the call's submitted applications from today's registry (JSON-native)."""
    from app.calls.service_applications import application_content
    from app.calls.service_evaluation import CallEvaluation

    evaluation = CallEvaluation(call, live=True)
    entries = {}
    for row in evaluation.rows:
        if row.status != "submitted":
            continue
        eligibility = evaluation.eligibility(row)
        indicators = evaluation.indicators(row)
        entries[row.id] = application_entry(
            application_content(row), eligibility.to_dict(), indicators.to_dict(evaluation.criteria),
            {"leverage": indicators.leverage.score, "scalability": indicators.scalability.score})
    return json_native(build_snapshot(
        entries,
        criteria_weights={c.code: c.weight for c in evaluation.criteria},
        indicator_weights=DEFAULT_WEIGHTS.to_dict(),
        registry_version=[str(v) for v in registry_version()[1:]],  # without the database URL
    ))


def snapshot_sha256(data: dict[str, Any]) -> str:
    """SHA-256 over the snapshot's canonical JSON (the audit records it)."""
    return hashlib.sha256(canonical_json(data)).hexdigest()


def ensure_frozen(call: Call, *, reason: str = "deadline",
                  actor: User | None = None) -> EvaluationSnapshot | None:
    """The call's snapshot, stored now when it is due and missing (audited); None before that.

    Inside a write (the step to ``closed``) the snapshot joins that transaction; on its own (the
    first read after the deadline) it is its own transaction, and when another request stored it
    first, theirs is read.
    """
    row = stored(call)
    if row is not None or not freeze_due(call):
        return row
    try:
        return _freeze(call, reason, actor)
    except _FrozenElsewhere:
        return stored(call)


class _FrozenElsewhere(Problem):
    def __init__(self, *_args: Any, **_kwargs: Any) -> None:
        super().__init__(409, "Conflict", "The evaluation was frozen by another request.")


@transactional("call.evaluation_frozen", conflict=_FrozenElsewhere)
def _freeze(call: Call, reason: str, actor: User | None) -> EvaluationSnapshot:
    data = compute(call)
    row = EvaluationSnapshot(call_id=call.id, data=data, reason=reason, frozen_at=_now(),
                             by_id=actor.id if isinstance(actor, User) else None)
    db.session.add(row)
    record_audit(actor, "call.evaluation_frozen", {
        "call": call.id, "reason": reason, "applications": sorted(int(k) for k in data["applications"]),
        "registry_version": data["registry_version"], "sha256": snapshot_sha256(data)})
    db.session.flush()
    return row


def frozen_data(call: Call) -> dict[str, Any] | None:
    """What ``CallEvaluation`` reads: the stored snapshot (stored now if due), else None."""
    row = ensure_frozen(call)
    return row.data if row is not None else None


def _not_frozen() -> Problem:
    return Problem(409, "Conflict",
                   "The evaluation is frozen at the deadline; before it, figures are live and "
                   "there is nothing to recompute.",
                   errors=[{"field": "call", "message": "the deadline has not passed",
                            "message_nl": "de deadline is nog niet verstreken"}])


def preview(call: Call) -> dict[str, Any]:
    """The stored snapshot's facts and what a recomputation would change (nothing stored)."""
    row = ensure_frozen(call)
    if row is None:
        return {"call": call.id, "frozen": False, "differences": []}
    fresh = compute(call)
    found = differences(row.data, fresh)
    return {**snapshot_dict(row), "differences": [d.to_dict() for d in found]}


def snapshot_dict(row: EvaluationSnapshot) -> dict[str, Any]:
    data = row.data
    return {
        "call": row.call_id,
        "frozen": True,
        "frozen_at": row.frozen_at.isoformat() if row.frozen_at else None,
        "reason": row.reason,
        "by": row.by_id,
        "registry_version": data.get("registry_version"),
        "weights": data.get("weights"),
        "applications": sorted(int(k) for k in data.get("applications", {})),
        "sha256": snapshot_sha256(data),
    }


@transactional("call.evaluation_recomputed")
def recompute(call: Call, motivation: Any, actor: User) -> dict[str, Any]:
    """Replace the stored snapshot by a fresh computation (admin); audited with the differences.

    409 before the deadline (nothing is frozen yet) and after publication (the published
    decision stands); 400 without a motivation of at least ``MIN_DECISION_MOTIVATION`` characters.
    """
    from app.calls.service_lifecycle import ensure_not_published

    ensure_not_published(call, "the frozen evaluation", "de bevroren beoordeling")
    text = motivation.strip() if isinstance(motivation, str) else ""
    if len(text) < MIN_DECISION_MOTIVATION:
        raise validation_problem([{"field": "motivation",
                                   "message": f"at least {MIN_DECISION_MOTIVATION} characters",
                                   "message_nl": f"minstens {MIN_DECISION_MOTIVATION} tekens"}])
    row = ensure_frozen(call)
    if row is None:
        raise _not_frozen()
    fresh = compute(call)
    found = differences(row.data, fresh)
    before = snapshot_sha256(row.data)
    row.data, row.reason, row.frozen_at, row.by_id = fresh, "recomputed", _now(), actor.id
    record_audit(actor, "call.evaluation_recomputed", {
        "call": call.id, "motivation": text, "before_sha256": before,
        "sha256": snapshot_sha256(fresh), "count": len(found),
        "differences": [d.to_dict() for d in found[:AUDIT_DIFFERENCES]]})
    return {**snapshot_dict(row), "differences": [d.to_dict() for d in found]}
