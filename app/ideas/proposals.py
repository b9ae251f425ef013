"""Consortium proposals: the secretariat's run over a call's visible ideas, its result with
reasons, and who may read which proposal (docs/ideas.md).

The solve is :func:`matching.ideas.consortium.solve`; it runs as a background job
(:mod:`app.ideas.jobs`) that writes progress to the :class:`ConsortiumRun` row. Only ideas
``visible_to_others`` take part: a proposal shows its members to each other. A city user reads
the proposals that hold one of its own ideas, nothing else of the run.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.core.audit import record_audit
from app.core.extensions import db
from app.core.problems import Problem, not_found
from app.core.transaction import transactional
from app.ideas.related import idea_input
from app.ideas.service import own_municipality
from app.models import Call, ConsortiumResponse, ConsortiumRun, Idea, User
from app.models.registry import utcnow
from app.partners.service import matching_errors
from app.registry.service import current_graph
from matching.ideas.consortium import ConsortiumModel, ConsortiumParams, ConsortiumResult, solve
from matching.ideas.relatedness import RelatednessModel

#: How often (seconds) a running job writes its progress.
PROGRESS_EVERY_S = 1.0
#: A running job whose progress has not moved for this long lost its process (a restart).
STALE_RUNNING_S = 30.0
#: A queued job waits at most its time limit plus this long behind the runs before it.
STALE_QUEUED_S = 900.0


def proposal_ideas(call: Call) -> list[Idea]:
    """The ideas a run partitions: the call's ideas visible to other local governments."""
    return list(db.session.scalars(select(Idea).where(
        Idea.call_id == call.id, Idea.visible_to_others.is_(True)).order_by(Idea.id)))


def _params(data: dict[str, Any]) -> ConsortiumParams:
    return ConsortiumParams(
        min_size=data["min_size"], max_size=data["max_size"], time_limit_s=data["time_limit_s"],
        fixed_pairs=tuple(tuple(p) for p in data.get("fixed_pairs", [])),
        forbidden_pairs=tuple(tuple(p) for p in data.get("forbidden_pairs", [])))


@transactional("consortium.start", payload=lambda run, **_: {
    "run": run.id, "call": run.call_id, "params": run.params})
def start_run(call: Call, data: dict[str, Any], actor: User) -> ConsortiumRun:
    """Queue a run (admin); 400 naming a bad parameter, 409 outside pre-registration and open.
    The caller submits the job after this commits (:func:`app.ideas.jobs.submit`)."""
    if call.phase not in ("pre-registration", "open"):
        raise Problem(409, "Conflict", f"The call is {call.phase}; consortia are proposed during "
                      "pre-registration or while the call is open.",
                      errors=[{"field": "phase", "message": "not pre-registration or open",
                               "message_nl": "niet in de vooraanmelding of open"}])
    ids = {i.id for i in proposal_ideas(call)}
    with matching_errors():
        _params(data).check(ids)
    run = ConsortiumRun(call=call, status="queued", params=dict(data), created_by_id=actor.id)
    db.session.add(run)
    return run


def get_run(run_id: int) -> ConsortiumRun:
    row = db.session.get(ConsortiumRun, run_id) if 0 < run_id < 2**31 else None
    if row is None:
        raise not_found("consortium proposal run", run_id, field="id")
    return _fail_if_stale(row)


def latest_run(call: Call) -> ConsortiumRun | None:
    row = db.session.scalar(select(ConsortiumRun).where(ConsortiumRun.call_id == call.id)
                            .order_by(ConsortiumRun.id.desc()).limit(1))
    return _fail_if_stale(row) if row is not None else None


def _aware(at):
    return at if at is None or at.tzinfo is not None else at.replace(tzinfo=UTC)


def _fail_if_stale(run: ConsortiumRun) -> ConsortiumRun:
    """A run whose job stopped without a word (the server restarted) is marked ``failed`` when
    it is next read, so nobody waits for it; the secretariat starts a new one."""
    now = datetime.now(UTC)
    if run.status == "running":
        at = (run.progress or {}).get("at")
        last = datetime.fromisoformat(at) if at else _aware(run.created_at)
        stale = (now - last).total_seconds() > STALE_RUNNING_S
    elif run.status == "queued":
        limit = float((run.params or {}).get("time_limit_s") or 0)
        stale = (now - _aware(run.created_at)).total_seconds() > STALE_QUEUED_S + limit
    else:
        return run
    if stale:
        run.status, run.finished_at = "failed", utcnow()
        run.error = "the job stopped without finishing (the server restarted?); start a new run"
        db.session.commit()
    return run


# --------------------------------------------------------------------------------------------
# The job


def execute(run_id: int) -> None:
    """Solve a queued run, writing progress every second and the result at the end. Runs in an
    app context (the job's); commits its own writes (a job has no request)."""
    run = db.session.get(ConsortiumRun, run_id)
    if run is None or run.status != "queued":
        return
    run.status, run.progress = "running", {"elapsed_s": 0.0, "at": datetime.now(UTC).isoformat()}
    db.session.commit()
    try:
        rows = proposal_ideas(run.call)
        with matching_errors():
            relatedness = RelatednessModel.build([idea_input(r) for r in rows], current_graph())
            model = ConsortiumModel(relatedness)
            params = _params(run.params)
        latest: dict[str, Any] = {}
        holder: dict[str, Any] = {}

        def report(elapsed: float, objective: float | None, bound: float | None,
                   gap: float | None) -> None:
            latest.update(objective=objective, bound=bound, gap=gap)

        def work() -> None:
            try:
                holder["result"] = solve(model, params, report)
            except BaseException as exc:  # noqa: BLE001 - handed to the job thread
                holder["error"] = exc

        started = time.perf_counter()
        solver = threading.Thread(target=work, name=f"consortium-{run_id}", daemon=True)
        solver.start()
        while solver.is_alive():
            solver.join(PROGRESS_EVERY_S)
            run.progress = {"elapsed_s": round(time.perf_counter() - started, 2), **latest,
                            "at": datetime.now(UTC).isoformat()}
            db.session.commit()
        if "error" in holder:
            raise holder["error"]
        result: ConsortiumResult = holder["result"]
        run.result = result_dict(result, relatedness, {r.id: r for r in rows})
        run.progress = {"elapsed_s": round(result.elapsed_s, 2), "objective": result.objective,
                        "bound": result.bound, "gap": result.gap}
        run.status = "done"
    except Problem as exc:
        db.session.rollback()
        run.status, run.error = "failed", exc.detail
    except Exception as exc:  # a job reports what went wrong instead of dying silently
        db.session.rollback()
        run.status, run.error = "failed", f"{type(exc).__name__}: {exc}"
    run.finished_at = utcnow()
    db.session.commit()


def result_dict(result: ConsortiumResult, rel: RelatednessModel, rows: dict[int, Idea]) -> dict:
    """The stored result: proposals with members and reasons, the ideas left alone."""
    proposals = []
    for c in result.consortia:
        lead = rel.position[c.lead]
        members = [_member(rows[c.lead], "lead", None, None)]
        for m in c.members:
            b = rel.position[m]
            factors = rel.contributions(b, lead)
            members.append(_member(rows[m], "partner", sum(f.contribution for f in factors),
                                   rel.reasons(b, lead)))
        proposals.append({
            "lead": c.lead, "lead_refnis": rows[c.lead].municipality.refnis,
            "members": members, "score": c.value,
            "reasons": {
                "nl": f"{rows[c.lead].municipality.name_nl} trekt {len(c.members) + 1} ideeën; "
                      + " | ".join(f"{rows[m].municipality.name_nl}: {rel.reasons(rel.position[m], lead).nl}"
                                   for m in c.members),
                "en": f"{rows[c.lead].municipality.name_nl} leads {len(c.members) + 1} ideas; "
                      + " | ".join(f"{rows[m].municipality.name_nl}: {rel.reasons(rel.position[m], lead).en}"
                                   for m in c.members)},
        })
    return {"status": result.status, "objective": result.objective, "bound": result.bound,
            "gap": result.gap, "elapsed_s": round(result.elapsed_s, 2),
            "variables": result.variables, "proposals": proposals, "alone": list(result.alone)}


def _member(row: Idea, role: str, relatedness: float | None, reasons) -> dict[str, Any]:
    return {"idea": row.id, "refnis": row.municipality.refnis, "name_nl": row.municipality.name_nl,
            "title": row.title, "role": role, "relatedness": relatedness,
            "reasons": {"nl": reasons.nl, "en": reasons.en} if reasons else None}


# --------------------------------------------------------------------------------------------
# Reading a run


def responses_of(run: ConsortiumRun) -> dict[int, str]:
    """idea id -> ``accepted`` / ``declined`` of this run."""
    return {r.idea_id: r.response for r in db.session.scalars(
        select(ConsortiumResponse).where(ConsortiumResponse.run_id == run.id))}


def run_dict(run: ConsortiumRun, user: User | None) -> dict[str, Any]:
    """The run as the caller may see it: the secretariat everything, a city user the proposals
    that hold one of its ideas (and which of its ideas were left alone)."""
    result = run.result or {}
    proposals = list(enumerate(result.get("proposals", [])))
    alone = list(result.get("alone", []))
    if user is None or not user.is_admin:
        own = own_municipality(user)
        refnis = own.refnis if own else None
        proposals = [(k, p) for k, p in proposals
                     if any(m["refnis"] == refnis for m in p["members"])]
        mine = {i.id for i in db.session.scalars(select(Idea).where(
            Idea.call_id == run.call_id, Idea.municipality_id == (own.id if own else -1)))}
        alone = [i for i in alone if i in mine]
    answers = responses_of(run)
    drafts = proposal_applications(run)
    progress = run.progress or {}
    return {
        "id": run.id, "call": run.call_id, "status": run.status, "params": run.params,
        "progress": progress, "gap": (run.result or {}).get("gap", progress.get("gap")),
        "error": run.error,
        "proposals": [{**p, "index": k, "application": drafts.get(k),
                       "members": [{**m, "response": answers.get(m["idea"])}
                                   for m in p["members"]]}
                      for k, p in proposals],
        "alone": alone,
        "created_at": run.created_at.isoformat() if run.created_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


# --------------------------------------------------------------------------------------------
# Accept or decline; the draft application


def _proposal(run: ConsortiumRun, index: int) -> dict[str, Any]:
    items = (run.result or {}).get("proposals", [])
    if run.status != "done" or not 0 <= index < len(items):
        raise not_found("consortium proposal", index, field="proposal")
    return items[index]


@transactional("consortium.respond")
def respond(run: ConsortiumRun, index: int, idea: Idea, response: str, actor: User,
            origin: str = "api") -> int | None:
    """A member accepts or declines a proposal for its idea (its municipality or the admin), once.
    When the lead and at least one partner have accepted, the lead gets a draft application
    prefilled from the accepted ideas; answers its id (None until then)."""
    from app.ideas.service import may_change

    proposal = _proposal(run, index)
    if idea.id not in [m["idea"] for m in proposal["members"]]:
        raise not_found("idea of this proposal", idea.id, field="idea")
    if not may_change(actor, idea):
        raise Problem(403, "Forbidden", "Only the idea's municipality or the secretariat answers "
                      "for it.", errors=[{"field": "idea", "message": "not your idea",
                                          "message_nl": "niet uw idee"}])
    if response not in ("accepted", "declined"):
        raise Problem(400, "Invalid input", "response is accepted or declined",
                      errors=[{"field": "response", "message": "accepted or declined"}])
    answers = responses_of(run)
    if idea.id in answers:
        raise Problem(409, "Conflict", f"This idea already {answers[idea.id]} the proposal.",
                      errors=[{"field": "idea", "message": f"already {answers[idea.id]}",
                               "message_nl": "al beantwoord"}])
    db.session.add(ConsortiumResponse(run=run, proposal=index, idea=idea, response=response,
                                      by_id=actor.id))
    answers[idea.id] = response
    application = _draft_when_ready(run, proposal, answers, actor, origin)
    # recorded here, not by the decorator: the draft's own application.create may precede it
    record_audit(actor, "consortium.respond", {"run": run.id, "proposal": index, "idea": idea.id,
                                               "response": response, "application": application})
    return application


def _draft_when_ready(run: ConsortiumRun, proposal: dict[str, Any], answers: dict[int, str],
                      actor: User, origin: str) -> int | None:
    lead_id = proposal["lead"]
    lead = db.session.get(Idea, lead_id)
    if lead.application_id is not None:
        return lead.application_id
    accepted = [db.session.get(Idea, m["idea"]) for m in proposal["members"]
                if answers.get(m["idea"]) == "accepted"]
    if answers.get(lead_id) != "accepted" or len(accepted) < 2:
        return None
    from app.calls.service_applications import create_application

    row = create_application(run.call, draft_payload(run.call, lead, accepted), actor,
                             origin=origin)
    db.session.flush()
    for i in accepted:
        i.application_id = row.id
    return row.id


def draft_payload(call: Call, lead: Idea, accepted: list[Idea]) -> dict[str, Any]:
    """The draft application of an accepted proposal: the lead's idea's title, the members as
    partners (a member that seeks a lighthouse as a committed follower), the domains of the ideas
    the call allows, a summary merged from the ideas, and a budget from the ideas' ranges (the
    upper end, else the lower) with the call's highest grant percentage and cap."""
    others = [i for i in accepted if i.id != lead.id]
    followers = [i.municipality.refnis for i in others if "lighthouse" in (i.seeks or [])]
    partners = [{"refnis": i.municipality.refnis} for i in others
                if i.municipality.refnis not in followers]
    domains: list[str] = []
    for i in accepted:
        domains += [d for d in i.domains or [] if d not in domains]
    if call.allowed_domains:
        domains = [d for d in domains if d in call.allowed_domains] or domains
    summary = "\n\n".join(
        f"{i.municipality.name_nl} — {i.title}: " + " ".join(t for t in (i.problem, i.solution) if t)
        for i in accepted)
    total = sum((i.budget_max_cents if i.budget_max_cents is not None else i.budget_min_cents) or 0
                for i in accepted)
    grant = total
    if call.max_subsidy_pct is not None:
        grant = int(total * float(call.max_subsidy_pct) / 100)
    if call.max_grant_cents is not None:
        grant = min(grant, call.max_grant_cents)
    return {"status": "draft", "lead": lead.municipality.refnis, "partners": partners,
            "committed_followers": followers, "domains": domains, "title": lead.title,
            "summary": summary[:20_000], "requested_grant_cents": grant,
            "total_budget_cents": total, "prior_projects": []}


def proposal_applications(run: ConsortiumRun) -> dict[int, int]:
    """proposal index -> the draft application made of it."""
    out = {}
    for k, p in enumerate((run.result or {}).get("proposals", [])):
        lead = db.session.get(Idea, p["lead"])
        if lead is not None and lead.application_id is not None:
            out[k] = lead.application_id
    return out
