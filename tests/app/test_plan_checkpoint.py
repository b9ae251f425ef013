"""Plan jobs checkpoint their best plan as they go. A crash keeps it; killing the RQ work-horse
mid-plan leaves the plan ``failed`` within seconds with the best plan found so far kept and
readable through the API, and the plan can be retried."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from app.core.extensions import db
from app.planning import jobs
from tests.app.test_jobs import (
    REDIS_TEST_URL,
    _finished,
    _forget_queue,
    _plan,
    _read,
    _redis_or_skip,
    _submit,
    _wait,
)
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parents[2]
BEST = {"status": "feasible", "reason": None, "objective": 40.0, "lower_bound": 10.0, "gap": 0.75,
        "seconds": 1.0, "costs": {},
        "clusters": [{"domain": "mobility", "lighthouse": {"refnis": "24062", "name": "Leuven"},
                      "cost": 40.0, "followers": []}]}


@pytest.fixture(autouse=True)
def fast_heartbeat(monkeypatch):
    monkeypatch.setattr(jobs, "HEARTBEAT_S", 0.1)


def test_the_best_plan_is_checkpointed_while_running_and_kept_after_a_crash(app, monkeypatch):
    go_on = threading.Event()

    def solve(params, on_progress, cancel, on_checkpoint=None):
        on_checkpoint(BEST)
        go_on.wait(20)
        raise MemoryError("out of memory")

    monkeypatch.setattr("app.planning.service.solve_plan", solve)
    plan_id = _plan(app)
    _submit(app, plan_id)
    running = _wait(app, plan_id, lambda p: p.status == "running" and p.result is not None)
    assert running.result["objective"] == 40.0 and running.result["checkpoint"] is True
    go_on.set()
    plan = _wait(app, plan_id, _finished)
    assert plan.status == "failed" and "MemoryError" in plan.error
    assert plan.result["clusters"] == BEST["clusters"] and plan.result["checkpoint"] is True


def test_a_dead_worker_keeps_the_checkpoint_and_says_so(app, client):
    from datetime import timedelta

    from app.models.registry import utcnow

    old = utcnow() - timedelta(seconds=jobs.STALE_AFTER_S + 1)
    assert jobs.STALE_AFTER_S <= 30
    dead = _plan(app, status="running", backend="thread", heartbeat_at=old, started_at=old,
                 result={**BEST, "checkpoint": True})
    body = client.get(f"/api/v1/cluster-plans/{dead}").json
    assert body["status"] == "failed" and body["result"]["objective"] == 40.0
    assert "best plan found before (objective 40) is kept" in body["error"]


def test_only_a_failed_or_cancelled_plan_is_retried(app, client, admin_headers, monkeypatch):
    monkeypatch.setattr("app.planning.service.solve_plan",
                        lambda params, on_progress, cancel, **_: {**BEST, "status": "optimal"})
    done = _plan(app, status="done", backend="thread", result=BEST)
    resp = client.post(f"/api/v1/cluster-plans/{done}/retry", headers=admin_headers)
    assert resp.status_code == 409 and resp.mimetype == "application/problem+json"
    failed = _plan(app, status="failed", backend="thread", result=BEST, name="Mobiliteit")
    assert client.post(f"/api/v1/cluster-plans/{failed}/retry").status_code == 401
    resp = client.post(f"/api/v1/cluster-plans/{failed}/retry", headers=admin_headers)
    assert resp.status_code == 202, resp.json
    again = resp.json["id"]
    assert again != failed and resp.headers["Location"].endswith(f"/cluster-plans/{again}")
    plan = _wait(app, again, _finished)
    assert plan.status == "done" and plan.name == "Mobiliteit"
    assert _read(app, failed).result == BEST  # the old plan keeps its checkpoint


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def test_killing_the_work_horse_fails_the_plan_within_seconds_keeping_the_best_plan(
        db_url, admin_headers_factory):
    connection = _redis_or_skip()
    queue = f"vuurtoren-test-{uuid.uuid4().hex[:8]}"
    app = make_app(db_url, REDIS_URL=REDIS_TEST_URL, RQ_QUEUE=queue)
    headers = admin_headers_factory(app)
    env = {**os.environ, "VUURTOREN_ENV": "testing", "DATABASE_URL": db_url,
           "REDIS_URL": REDIS_TEST_URL, "RQ_QUEUE": queue, "SECRET_KEY": "test-secret-key-0123456789"}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    client = app.test_client()
    try:
        # every Flemish municipality: far too big to finish before we kill it
        resp = client.post("/api/v1/cluster-plans", headers=headers, json={
            "domains": ["mobility", "economy"], "lighthouses": 10, "max_followers": 30,
            "min_maturity": "none", "time_limit_s": 120, "participants_from": "all"})
        assert resp.status_code == 202, resp.json
        plan_id = resp.json["id"]
        plan = _wait(app, plan_id, lambda p: p.status == "running" and p.result is not None
                     or _finished(p), timeout=120)
        assert plan.status == "running" and plan.result["checkpoint"] is True, plan.error
        best = plan.result
        horses = _children(worker.pid)
        assert horses, "no work-horse"
        for pid in horses:
            os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        plan = _wait(app, plan_id, _finished, timeout=30)
        assert time.monotonic() - killed_at < 10
        assert plan.status == "failed" and "worker process died" in plan.error
        body = client.get(f"/api/v1/cluster-plans/{plan_id}").json
        assert body["result"]["clusters"] and body["result"]["objective"] is not None
        assert body["result"]["objective"] <= best["objective"]
        # retried, it is queued again as a new plan for the same request
        resp = client.post(f"/api/v1/cluster-plans/{plan_id}/retry", headers=headers)
        assert resp.status_code == 202 and resp.json["params"] == body["params"]
        again = _wait(app, resp.json["id"], lambda p: p.status == "running", timeout=60)
        assert again.status == "running"
        client.delete(f"/api/v1/cluster-plans/{again.id}", headers=headers)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        _forget_queue(connection, queue)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def admin_headers_factory():
    from tests.conftest import _user_with_token

    def make(app):
        return {"Authorization": f"Bearer {_user_with_token(app, 'admin@example.org', 'admin')}"}

    return make
