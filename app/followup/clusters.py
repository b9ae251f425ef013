"""Clusters in operation: the secretariat adopts a stored plan's clusters (all or some); each runs
with its lighthouse, followers and optional observers (the concept note's three roles: Munich,
Lyon and Vienna lead, Santiago de Compostela, Sofia and Venice follow, Kyiv and Yokohama observe)
and records its knowledge-sharing sessions. The cluster page shows who adopted what: the
adoptions of the projects its lighthouse led in the cluster's domain.

Every change is one audited transaction (``@transactional``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.core.audit import record_audit
from app.core.extensions import db
from app.core.problems import Problem, not_found, validation_problem
from app.core.transaction import transactional
from app.followup.service import acts_for
from app.models import (
    Adoption,
    ClusterMember,
    ClusterPlan,
    KnowledgeSession,
    Municipality,
    OperatingCluster,
    Participation,
    Project,
    User,
)


def _municipalities(codes: list[str], field: str) -> dict[str, Municipality]:
    found = {m.refnis: m.current() for m in db.session.scalars(
        select(Municipality).where(Municipality.refnis.in_(codes)))}
    missing = [c for c in codes if c not in found]
    if missing:
        raise validation_problem([{"field": field, "message": f"unknown REFNIS code(s) "
                                   f"{', '.join(missing)}", "message_nl": "onbekende NIS-code(s) "
                                   f"{', '.join(missing)}"}])
    return found


@transactional("cluster.adopted")
def adopt_plan(plan: ClusterPlan, indices: list[int] | None, actor: User | None
               ) -> list[OperatingCluster]:
    """Adopt the clusters of a solved plan (``indices`` into its cluster list; None: all).
    A cluster already adopted from this plan is left as it is. Audited; commits."""
    clusters = (plan.result or {}).get("clusters") or []
    if plan.status != "done" or not clusters:
        raise Problem(409, "Conflict", "Only a solved plan with clusters can be adopted.",
                      errors=[{"field": "plan", "message": f"the plan is {plan.status}",
                               "message_nl": "het plan heeft geen clusters"}])
    chosen = list(range(len(clusters))) if indices is None else indices
    bad = [i for i in chosen if not 0 <= i < len(clusters)]
    if bad:
        raise validation_problem([{"field": "clusters", "message": f"no cluster {bad[0]} in "
                                   f"the plan (0 to {len(clusters) - 1})", "message_nl":
                                   f"geen cluster {bad[0]} in het plan"}])
    created = []
    for i in sorted(set(chosen)):
        c = clusters[i]
        exists = db.session.scalar(select(OperatingCluster.id).where(
            OperatingCluster.plan_id == plan.id, OperatingCluster.domain == c["domain"],
            OperatingCluster.lighthouse_refnis == c["lighthouse"]["refnis"]))
        if exists is not None:
            continue
        codes = [c["lighthouse"]["refnis"]] + [f["refnis"] for f in c["followers"]]
        found = _municipalities(codes, f"clusters.{i}")
        row = OperatingCluster(plan_id=plan.id, domain=c["domain"],
                               lighthouse_refnis=c["lighthouse"]["refnis"],
                               adopted_by_id=getattr(actor, "id", None))
        seen: set[int] = set()
        for k, code in enumerate(codes):
            m = found[code]
            if m.id not in seen:
                seen.add(m.id)
                row.members.append(ClusterMember(municipality=m,
                                                 role="lighthouse" if k == 0 else "follower"))
        db.session.add(row)
        db.session.flush()
        record_audit(actor, "cluster.adopted", {
            "cluster": row.id, "plan": plan.id, "index": i, "domain": row.domain,
            "lighthouse": row.lighthouse_refnis, "followers": codes[1:]})
        created.append(row)
    return created


def get_cluster(cluster_id: int) -> OperatingCluster:
    row = db.session.get(OperatingCluster, cluster_id) if 0 < cluster_id < 2**31 else None
    if row is None:
        raise not_found("cluster", cluster_id, field="id")
    return row


def lighthouse_of(cluster: OperatingCluster) -> Municipality | None:
    for m in cluster.members:
        if m.role == "lighthouse":
            return m.municipality
    return None


@transactional("cluster.member")
def add_member(cluster: OperatingCluster, refnis: str, role: str, actor: User | None
               ) -> ClusterMember:
    """Add a follower or an observer (or change a member's role between the two); audited."""
    m = _municipalities([refnis], "refnis")[refnis]
    row = next((x for x in cluster.members if x.municipality_id == m.id), None)
    if row is not None and row.role == "lighthouse":
        raise Problem(409, "Conflict", "The lighthouse stays the lighthouse of its cluster.",
                      errors=[{"field": "refnis", "message": "the lighthouse",
                               "message_nl": "de vuurtoren"}])
    before = row.role if row is not None else None
    if row is None:
        row = ClusterMember(municipality=m, role=role)
        cluster.members.append(row)
    row.role = role
    db.session.flush()
    record_audit(actor, "cluster.member", {"cluster": cluster.id, "refnis": m.refnis,
                                           "from": before, "to": role})
    return row


@transactional("cluster.session")
def record_session(cluster: OperatingCluster, data: dict[str, Any], actor: User | None
                   ) -> KnowledgeSession:
    """Record a knowledge-sharing session (admin or the lighthouse's city user); attendance only
    of the cluster's members; audited."""
    lighthouse = lighthouse_of(cluster)
    if not acts_for(actor, lighthouse):
        raise Problem(403, "Forbidden", "The secretariat or the cluster's lighthouse records its "
                      "sessions.")
    members = {x.municipality.refnis for x in cluster.members}
    attendance = list(dict.fromkeys(data.get("attendance") or []))
    strangers = [r for r in attendance if r not in members]
    if strangers:
        raise validation_problem([{"field": "attendance", "message": "not in the cluster: "
                                   + ", ".join(strangers), "message_nl": "niet in de cluster: "
                                   + ", ".join(strangers)}])
    row = KnowledgeSession(cluster=cluster, held_on=data["held_on"], topic=data["topic"].strip(),
                           attendance=attendance, material_url=data.get("material_url"),
                           recorded_by_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    record_audit(actor, "cluster.session", {
        "cluster": cluster.id, "session": row.id, "held_on": row.held_on.isoformat(),
        "topic": row.topic, "attendance": attendance, "material_url": row.material_url})
    return row


def adoptions_in(cluster: OperatingCluster) -> list[Adoption]:
    """Adoptions by the cluster's members of projects its lighthouse led in the cluster's domain."""
    lighthouse = lighthouse_of(cluster)
    if lighthouse is None:
        return []
    ids = [m.municipality_id for m in cluster.members if m.role != "lighthouse"]
    led = select(Participation.project_id).where(Participation.role == "lead",
                                                  Participation.municipality_id == lighthouse.id)
    rows = db.session.scalars(select(Adoption).join(Project, Project.id == Adoption.project_id)
                              .where(Adoption.project_id.in_(led),
                                     Adoption.municipality_id.in_(ids))
                              .order_by(Adoption.project_id, Adoption.id))
    return [a for a in rows if cluster.domain in {d.code for d in a.project.domains}]


def cluster_dict(c: OperatingCluster, details: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": c.id, "plan": c.plan_id, "domain": c.domain,
        "lighthouse": c.lighthouse_refnis,
        "adopted_at": c.adopted_at.isoformat() if c.adopted_at else None,
        "members": [{"refnis": m.municipality.refnis, "name_nl": m.municipality.name_nl,
                     "role": m.role, "population": m.municipality.population}
                    for m in c.members],
        "sessions": len(c.sessions),
    }
    if details:
        out["sessions"] = [session_dict(s) for s in c.sessions]
        out["adoptions"] = [{"project": a.project_id, "title": a.project.title,
                             "refnis": a.municipality.refnis, "status": a.status}
                            for a in adoptions_in(c)]
    return out


def session_dict(s: KnowledgeSession) -> dict[str, Any]:
    return {"id": s.id, "cluster": s.cluster_id, "held_on": s.held_on.isoformat(),
            "topic": s.topic, "attendance": list(s.attendance or []),
            "material_url": s.material_url}


def clusters(domain: str | None = None) -> list[OperatingCluster]:
    stmt = select(OperatingCluster).order_by(OperatingCluster.domain, OperatingCluster.id)
    if domain:
        stmt = stmt.where(OperatingCluster.domain == domain)
    return list(db.session.scalars(stmt))
