"""Scores of jurors (draft, submit, blind reading), the aggregation and the chair's consensus."""

from __future__ import annotations

from app.calls.service import get_call
from app.calls.service_applications import get_application
from app.core.api import bp, checked_first, problems
from app.core.auth import api_user, require_admin, require_role
from app.jury import service as jury
from app.jury import service_access as access
from app.jury import service_scores as scores
from app.jury.schemas import (
    AggregationSchema,
    ConsensusInSchema,
    ConsensusSchema,
    ScoreInSchema,
    ScoreList,
    ScoreSchema,
)
from app.results import service as results

require_jury_user = require_role("admin", "juror")


@bp.put("/applications/<int:application_id>/scores/<string:criterion>")
@require_role("juror")
@checked_first(lambda application_id, criterion: access.require_scoring_juror(
    api_user(), get_application(application_id)))
@bp.arguments(ScoreInSchema)
@bp.alt_response(200, schema=ScoreSchema, success=True)
@problems(404, 409)
def save_score(data: dict, application_id: int, criterion: str):
    """Save your draft score and motivation on one criterion (juror, assigned, no conflict).

    Send the version you read (0 for a new score); a stale version answers 409 with what the
    score holds now (current, changed).
    """
    user = api_user()
    app = get_application(application_id)
    juror = access.require_scoring_juror(user, app)
    crit = scores.get_criterion(app, criterion)
    row = scores.save_score(app, juror, crit, data["score"], data["motivation"], data["version"],
                            user)
    return scores.score_dict(row)


@bp.post("/applications/<int:application_id>/scores/submit")
@require_role("juror")
@bp.alt_response(200, schema=ScoreList, success=True)
@problems(404, 409)
def submit_scores(application_id: int):
    """Submit your scores on every criterion at once (each needs a valid score and a motivation).

    Then they change only through the consensus.
    """
    user = api_user()
    app = get_application(application_id)
    juror = access.require_scoring_juror(user, app)
    scores.submit_scores(app, juror, user)
    return scores.scores_view(user, app, juror)


@bp.get("/applications/<int:application_id>/scores")
@require_jury_user
@bp.alt_response(200, schema=ScoreList, success=True)
@problems(404)
def list_scores(application_id: int):
    """Scores of an application.

    A juror sees only their own until they submitted, then also the other jurors' submitted
    scores; the admin sees all.
    """
    user = api_user()
    app = get_application(application_id)
    juror = None if user.role == "admin" else access.require_scoring_juror(user, app)
    return scores.scores_view(user, app, juror)


@bp.get("/calls/<int:call_id>/aggregation")
@require_admin
@bp.alt_response(200, schema=AggregationSchema, success=True)
@problems(404)
def aggregation(call_id: int):
    """Per application and criterion mean, median, spread, disagreement flag and calibrated mean.

    Juror calibration (z-scores); Krippendorff's alpha per criterion; the consensus recorded so
    far (admin).
    """
    call = get_call(call_id)
    agg = results.build_aggregation(call)
    out = agg.to_dict()
    out["disagreements"] = [s.to_dict() for s in agg.disagreements()]
    out["consensus"] = [scores.consensus_dict(c) for c in results.consensus_rows(call)]
    return out


@bp.post("/calls/<int:call_id>/consensus/<int:application_id>/<string:criterion>")
@require_admin
@bp.arguments(ConsensusInSchema)
@bp.alt_response(200, schema=ConsensusSchema, success=True)
@problems(404, 409)
def record_consensus(data: dict, call_id: int, application_id: int, criterion: str):
    """
    The chair records the consensus score and its motivation (required) on one criterion of an
    application; the consensus is what counts in the ranking (admin).
    """
    call = get_call(call_id)
    app = jury.get_call_application(call, application_id, field="application")
    crit = scores.get_criterion(app, criterion)
    row = scores.record_consensus(app, crit, data["score"], data["motivation"], api_user())
    return scores.consensus_dict(row)
