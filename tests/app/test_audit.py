"""The audit log in the app: entries commit with their change, the chain verifies, and changing,
removing or cutting off entries in the database makes ``audit-verify`` fail at that entry."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.app.jury_setup import MOTIVATION, add_jurors, assign, demo_call, email_of, jurors_of

API = "/api/v1"


@pytest.fixture
def logged(app, client, admin_headers):
    """A call with jurors, an assignment, two saved scores and a consensus in the log."""
    j = demo_call(app)
    add_jurors(app, client, admin_headers, j, 5)
    result = assign(client, admin_headers, j)
    a = j.applications[0]
    email = email_of(j, jurors_of(result, a)[0])
    for code in ("leverage", "scalability"):
        resp = client.put(f"{API}/applications/{a}/scores/{code}",
                          json={"score": 6, "motivation": MOTIVATION, "version": 0},
                          headers=j.h(email))
        assert resp.status_code == 200
    client.post(f"{API}/calls/{j.call_id}/consensus/{a}/leverage",
                json={"score": 7, "motivation": "Na overleg in de jury: zeven."}, headers=admin_headers)
    return j


def _entries(app) -> list[tuple]:
    """(id, action, actor) with a pseudonymous actor resolved to the e-mail it stands for."""
    from app.core.audit import people_of
    from app.core.extensions import db

    with app.app_context():
        rows = db.session.execute(text("SELECT id, action, actor FROM audit_log ORDER BY id")).all()
        people = people_of([r.actor for r in rows])
        db.session.remove()
    return [(r.id, r.action, (people[r.actor] or {}).get("email") or r.actor) for r in rows]


def _raw(app, *statements: str) -> None:
    """Run SQL as the database owner, past the append-only triggers (as an attacker with
    database access would)."""
    from app.core.extensions import db

    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
        with db.engine.begin() as conn:
            if sqlite:
                conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
                conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
            else:
                conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update"))
            for sql in statements:
                conn.execute(text(sql))
        db.engine.dispose()


def test_every_change_is_logged_with_its_actor_and_verifies(app, client, admin_headers, logged):
    actions = [(action, actor.split(" ")[-1]) for _id, action, actor in _entries(app)]
    seeded = [a for a in actions if a == ("application.submit", "system")]
    assert len(seeded) == 11  # the demo seed submits its applications (one stays a draft)
    assert actions[0] == ("call.create", "system")
    assert sorted(actions[1:13]) == sorted([*seeded, ("application.create", "system")])
    assert actions[13] == ("call.evaluation_frozen", "system")  # the demo call sits with the jury
    assert actions[14:24] == [x for i in range(1, 6) for x in (
        ("jury.juror_added", "admin@example.org"),
        ("jury.declaration_signed", f"juror{i}@example.org"))]  # each signs before any file
    assert ("jury.assignments_computed", "admin@example.org") in actions
    savers = {actor for action, actor in actions if action == "score.saved"}
    assert len([a for a, _ in actions if a == "score.saved"]) == 2
    assert len(savers) == 1 and savers <= {f"juror{i}@example.org" for i in range(1, 6)}
    assert actions[-1] == ("consensus.recorded", "admin@example.org")
    out = app.test_cli_runner().invoke(args=["audit-verify"])
    assert out.exit_code == 0, out.output
    assert f"audit chain OK ({len(actions)} entries)" in out.output
    report = client.get(f"{API}/audit/verify", headers=admin_headers).json
    assert report["ok"] and report["entries"] == report["head_entries"] == len(actions)


def test_a_refused_change_leaves_no_entry(app, client, admin_headers, logged):
    before = _entries(app)
    a = logged.applications[0]
    resp = client.post(f"{API}/calls/{logged.call_id}/consensus/{a}/leverage",
                       json={"score": 7, "motivation": "kort"}, headers=admin_headers)
    assert resp.status_code == 400
    resp = client.post(f"{API}/calls/{logged.call_id}/assignments",
                       json={"reviewers_per_application": 9}, headers=admin_headers)
    assert resp.status_code == 409
    assert _entries(app) == before


def test_a_changed_payload_breaks_the_chain_at_that_entry(app, client, admin_headers, logged):
    victim = next(i for i, action, _ in _entries(app) if action == "score.saved")
    _raw(app, f"UPDATE audit_log SET payload = '{{\"score\": \"10\"}}' WHERE id = {victim}")
    out = app.test_cli_runner().invoke(args=["audit-verify"])
    assert out.exit_code != 0
    assert f"audit chain BROKEN at entry #{victim}" in out.output and "modified" in out.output
    report = client.get(f"{API}/audit/verify", headers=admin_headers).json
    assert report["ok"] is False and report["first_bad_id"] == victim
    from tests.app.jury_setup import PASSWORD

    web = app.test_client()
    web.post("/login", data={"email": "admin@example.org", "password": PASSWORD})
    page = web.get("/audit").get_data(as_text=True)
    assert 'data-ok="no"' in page and f"#{victim}" in page


def test_a_removed_entry_and_a_cut_off_tail_are_found(app, client, admin_headers, logged):
    ids = [i for i, _a, _actor in _entries(app)]
    middle = ids[len(ids) // 2]
    _raw(app, f"DELETE FROM audit_log WHERE id = {middle}")
    out = app.test_cli_runner().invoke(args=["audit-verify"])
    assert out.exit_code != 0 and f"entry #{ids[len(ids) // 2 + 1]}" in out.output
    assert "removed, inserted or reordered" in out.output


def test_cutting_off_the_last_entries_shows_against_the_head(app, logged):
    ids = [i for i, _a, _actor in _entries(app)]
    _raw(app, f"DELETE FROM audit_log WHERE id >= {ids[-2]}")
    out = app.test_cli_runner().invoke(args=["audit-verify"])
    assert out.exit_code != 0 and "cut off" in out.output


def test_the_database_and_the_code_refuse_to_change_an_entry(app, logged):
    from sqlalchemy.exc import DatabaseError

    from app.core.audit import AppendOnlyViolation
    from app.core.extensions import db
    from app.models import AuditEntry

    with app.app_context():
        for sql in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
            with pytest.raises(DatabaseError, match="append-only"):
                with db.engine.begin() as conn:
                    conn.execute(text(sql))
        entry = db.session.scalars(db.select(AuditEntry).limit(1)).one()
        entry.actor = "someone else"
        with pytest.raises(AppendOnlyViolation):
            db.session.flush()
        db.session.rollback()
        entry = db.session.scalars(db.select(AuditEntry).limit(1)).one()
        db.session.delete(entry)
        with pytest.raises(AppendOnlyViolation):
            db.session.flush()
        db.session.rollback()
        db.session.remove()
    assert app.test_cli_runner().invoke(args=["audit-verify"]).exit_code == 0
