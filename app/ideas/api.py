"""The ideas API: ideas of a call's pre-registration phase (docs/ideas.md)."""

from __future__ import annotations

from flask import Response

from app.calls.service import get_call
from app.core.api import BINARY, bp, checked_first, problems
from app.core.auth import api_user, require_admin, require_role
from app.ideas import jobs, proposals
from app.ideas import service as ideas
from app.ideas.related import related_ideas
from app.ideas.schemas import (
    IdeaInSchema,
    IdeaList,
    IdeaPatchSchema,
    IdeaSchema,
    ProposalArgs,
    RelatedArgs,
    RelatedList,
    ResponseAnswer,
    ResponseInSchema,
    RunCreated,
    RunSchema,
    SeedSessionArgs,
    SeedSessionSchema,
)
from app.ideas.seed_session import seed_session, seed_session_pdf

require_user = require_role("admin", "city")


def _call_exists(call_id: int) -> None:
    get_call(call_id)


def _idea_visible(idea_id: int) -> None:
    ideas.get_idea(idea_id, api_user())


@bp.post("/calls/<int:call_id>/ideas")
@require_user
@checked_first(_call_exists)
@bp.arguments(IdeaInSchema)
@bp.response(201, IdeaSchema)
@problems(404, 409)
def create_idea(data: dict, call_id: int):
    """File an idea in the call's pre-registration phase (a city user for its municipality, the
    secretariat with ``refnis``)."""
    return ideas.idea_dict(ideas.create_idea(get_call(call_id), data, api_user()))


@bp.get("/calls/<int:call_id>/ideas")
@require_user
@bp.response(200, IdeaList)
@problems(404)
def list_ideas(call_id: int):
    """The call's ideas the caller may see: its own and the visible ones of others (the
    secretariat sees all)."""
    call = get_call(call_id)
    return {"items": [ideas.idea_dict(i) for i in ideas.visible_ideas(call, api_user())]}


@bp.get("/ideas/<int:idea_id>")
@require_user
@bp.response(200, IdeaSchema)
@problems(404)
def show_idea(idea_id: int):
    """One idea (404 when the caller may not see it)."""
    return ideas.idea_dict(ideas.get_idea(idea_id, api_user()))


@bp.patch("/ideas/<int:idea_id>")
@require_user
@checked_first(_idea_visible)
@bp.arguments(IdeaPatchSchema)
@bp.response(200, IdeaSchema)
@problems(403, 404, 409)
def update_idea(data: dict, idea_id: int):
    """Change an idea (its municipality or the secretariat) during pre-registration."""
    user = api_user()
    row = ideas.get_idea(idea_id, user)
    ideas.update_idea(row, data, user)
    return ideas.idea_dict(row)


@bp.delete("/ideas/<int:idea_id>")
@require_user
@bp.response(204, description="withdrawn")
@problems(403, 404, 409)
def delete_idea(idea_id: int):
    """Withdraw an idea (its municipality or the secretariat) during pre-registration."""
    user = api_user()
    ideas.delete_idea(ideas.get_idea(idea_id, user), user)
    return "", 204


@bp.get("/ideas/<int:idea_id>/related")
@require_user
@checked_first(_idea_visible)
@bp.arguments(RelatedArgs, location="query")
@bp.response(200, RelatedList)
@problems(404)
def list_related_ideas(args: dict, idea_id: int):
    """The ideas most worth talking to, among those the caller may see: text similarity, shared
    domains, complementary roles and distance, each factor's contribution adding up to the score,
    with the experience behind the claim in the reasons."""
    user = api_user()
    return related_ideas(ideas.get_idea(idea_id, user), user, args["limit"])


@bp.post("/calls/<int:call_id>/consortium-proposals")
@require_admin
@checked_first(_call_exists)
@bp.arguments(ProposalArgs, location="optional_json")
@bp.response(202, RunCreated)
@problems(404, 409)
def start_consortium_proposals(data: dict, call_id: int):
    """Propose consortia for the call's visible ideas (admin): a background job; follow it at
    ``GET /api/v1/consortium-proposals/<id>``."""
    run = proposals.start_run(get_call(call_id), data, api_user())
    jobs.submit(run.id)
    return {"id": run.id, "status": run.status}


@bp.get("/consortium-proposals/<int:run_id>")
@require_user
@bp.response(200, RunSchema)
@problems(404)
def show_consortium_proposals(run_id: int):
    """Status, progress, gap and the proposals with their reasons (a city user: those with one of
    its ideas)."""
    return proposals.run_dict(proposals.get_run(run_id), api_user())


@bp.post("/consortium-proposals/<int:run_id>/proposals/<int:index>/responses")
@require_user
@bp.arguments(ResponseInSchema)
@bp.response(200, ResponseAnswer)
@problems(403, 404, 409)
def respond_to_proposal(data: dict, run_id: int, index: int):
    """A member accepts or declines the proposal for its idea; when the lead and at least one
    partner accepted, the lead gets a draft application prefilled from the ideas."""
    user = api_user()
    run = proposals.get_run(run_id)
    idea = ideas.get_idea(data["idea"], user)
    application = proposals.respond(run, index, idea, data["response"], user)
    return {"run": run.id, "proposal": index, "idea": idea.id, "response": data["response"],
            "application": application}


@bp.get("/calls/<int:call_id>/seed-session")
@require_admin
@checked_first(_call_exists)
@bp.arguments(SeedSessionArgs, location="query")
@bp.response(200, SeedSessionSchema)
@problems(404)
def show_seed_session(args: dict, call_id: int):
    """The seed-session table plan (admin): per domain and round, tables of at most
    ``table_size`` visible ideas, each with its most related ideas, new pairs in later rounds."""
    return seed_session(get_call(call_id), args["rounds"], args["table_size"])


@bp.get("/calls/<int:call_id>/seed-session.pdf")
@require_admin
@checked_first(_call_exists)
@bp.arguments(SeedSessionArgs, location="query")
@bp.alt_response(200, schema=BINARY, content_type="application/pdf", success=True)
@problems(404)
def seed_session_pdf_download(args: dict, call_id: int):
    """The same table plan as a PDF to print for the day."""
    call = get_call(call_id)
    pdf = seed_session_pdf(call, seed_session(call, args["rounds"], args["table_size"]))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="seed-sessie-{call.id}.pdf"'})
