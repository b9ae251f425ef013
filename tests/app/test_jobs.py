"""Background jobs of cluster plans: the thread backend, RQ on Redis, cancellation, crashes and
plans whose worker died.

The solve is replaced by small stubs (monkeypatched ``app.planning.service.solve_plan``): these tests
are about the job machinery, not the optimizer (tests/app/test_api_plans.py runs the real one).
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import timedelta

import pytest

from app.core.extensions import db
from app.models import ClusterPlan
from app.models.registry import utcnow
from app.planning import jobs
from tests.conftest import make_app, require_service

#: The Redis the RQ tests use (database 15 of the local server unless REDIS_TEST_URL says otherwise).
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
RESULT = {"status": "optimal", "reason": None, "objective": 12.5, "lower_bound": 12.5, "gap": 0.0,
          "seconds": 0.1, "clusters": [], "costs": {}}


@pytest.fixture(autouse=True)
def fast_heartbeat(monkeypatch):
    monkeypatch.setattr(jobs, "HEARTBEAT_S", 0.1)


def _plan(app, **values) -> int:
    with app.app_context():
        plan = ClusterPlan(params={"domains": ["mobility"], "time_limit_s": 5}, **values)
        db.session.add(plan)
        db.session.commit()
        return plan.id


def _submit(app, plan_id: int) -> None:
    with app.app_context():
        jobs.submit_plan(db.session.get(ClusterPlan, plan_id))


def _read(app, plan_id: int) -> ClusterPlan:
    with app.app_context():
        plan = db.session.get(ClusterPlan, plan_id)
        db.session.expunge(plan)
        return plan


def _wait(app, plan_id: int, predicate, timeout: float = 20.0) -> ClusterPlan:
    deadline = time.monotonic() + timeout
    while True:
        plan = _read(app, plan_id)
        if predicate(plan):
            return plan
        if time.monotonic() > deadline:
            raise AssertionError(f"plan {plan_id} stayed {plan.status}: {plan.progress}")
        time.sleep(0.05)


def _finished(plan: ClusterPlan) -> bool:
    return plan.status in ("done", "failed", "cancelled")


def test_thread_backend_runs_the_plan_and_stores_progress_and_result(app, monkeypatch):
    seen = {}

    def solve(params, on_progress, cancel, **_):
        seen["params"] = params
        on_progress(0.5, 20.0, 10.0, 0.5)
        on_progress(1.0, 12.5, 12.5, 0.0)
        return RESULT

    monkeypatch.setattr("app.planning.service.solve_plan", solve)
    plan_id = _plan(app)
    _submit(app, plan_id)
    plan = _wait(app, plan_id, _finished)
    assert plan.status == "done" and plan.error is None
    assert plan.backend == "thread" and plan.rq_job_id == jobs.PROCESS_ID
    assert plan.result == RESULT
    assert seen["params"] == {"domains": ["mobility"], "time_limit_s": 5}
    assert plan.progress["best_objective"] == 12.5 and plan.progress["gap"] == 0.0
    assert plan.started_at is not None and plan.finished_at >= plan.started_at


def test_live_progress_is_visible_while_the_plan_runs(app, monkeypatch):
    release = threading.Event()

    def solve(params, on_progress, cancel, **_):
        on_progress(0.7, 30.0, 20.0, 1 / 3)
        release.wait(20)
        return RESULT

    monkeypatch.setattr("app.planning.service.solve_plan", solve)
    plan_id = _plan(app)
    _submit(app, plan_id)
    try:
        plan = _wait(app, plan_id, lambda p: (p.progress or {}).get("best_objective") == 30.0)
        assert plan.status == "running"
        assert plan.progress == {"elapsed_s": plan.progress["elapsed_s"], "best_objective": 30.0,
                                 "bound": 20.0, "gap": pytest.approx(1 / 3)}
        assert plan.progress["elapsed_s"] >= 0.7
        assert plan.heartbeat_at is not None
    finally:
        release.set()
    assert _wait(app, plan_id, _finished).status == "done"


def test_infinite_and_nan_progress_becomes_null(app, monkeypatch):
    release = threading.Event()

    def solve(params, on_progress, cancel, **_):
        on_progress(0.2, None, float("-inf"), float("nan"))
        release.wait(20)
        return RESULT

    monkeypatch.setattr("app.planning.service.solve_plan", solve)
    plan_id = _plan(app)
    _submit(app, plan_id)
    try:
        plan = _wait(app, plan_id, lambda p: (p.progress or {}).get("elapsed_s", 0) >= 0.2)
        assert plan.progress == {"elapsed_s": plan.progress["elapsed_s"], "best_objective": None,
                                 "bound": None, "gap": None}
    finally:
        release.set()
    _wait(app, plan_id, _finished)


def test_elapsed_time_moves_before_the_solver_reports_anything(app, monkeypatch):
    release = threading.Event()

    def solve(params, on_progress, cancel, **_):
        release.wait(20)
        return RESULT

    monkeypatch.setattr("app.planning.service.solve_plan", solve)
    plan_id = _plan(app)
    _submit(app, plan_id)
    try:
        plan = _wait(app, plan_id, lambda p: (p.progress or {}).get("elapsed_s", 0) >= 0.3)
        assert plan.status == "running" and plan.progress["best_objective"] is None
    finally:
        release.set()
    _wait(app, plan_id, _finished)


def test_cancel_while_running_stops_the_solve_and_keeps_the_best_plan(app, monkeypatch):
    started = threading.Event()

    def solve(params, on_progress, cancel, **_):
        on_progress(0.1, 40.0, 10.0, 0.75)
        started.set()
        assert cancel.wait(20), "the cancel event never came"
        return dict(RESULT, status="feasible", objective=40.0, lower_bound=10.0, gap=0.75)

    monkeypatch.setattr("app.planning.service.solve_plan", solve)
    plan_id = _plan(app)
    _submit(app, plan_id)
    assert started.wait(20)
    with app.app_context():
        jobs.cancel_plan(db.session.get(ClusterPlan, plan_id))
    plan = _wait(app, plan_id, _finished)
    assert plan.status == "cancelled" and plan.cancel_requested
    assert plan.result["status"] == "feasible" and plan.result["objective"] == 40.0


def test_a_solve_that_raises_cancelled_ends_cancelled_without_result(app, monkeypatch):
    def solve(params, on_progress, cancel, **_):
        raise jobs.Cancelled

    monkeypatch.setattr("app.planning.service.solve_plan", solve)
    plan_id = _plan(app)
    _submit(app, plan_id)
    plan = _wait(app, plan_id, _finished)
    assert plan.status == "cancelled" and plan.result is None


def test_cancel_while_queued_is_immediate_and_the_job_then_does_nothing(app, monkeypatch):
    monkeypatch.setattr("app.planning.service.solve_plan", lambda *a, **k: pytest.fail("solved anyway"))
    plan_id = _plan(app, backend="thread")
    with app.app_context():
        plan = db.session.get(ClusterPlan, plan_id)
        jobs.cancel_plan(plan)
        assert plan.status == "cancelled" and plan.finished_at is not None
        jobs.run_plan(plan_id)
    assert _read(app, plan_id).status == "cancelled"


def test_cancelling_a_finished_plan_changes_nothing(app):
    plan_id = _plan(app, status="done", result=RESULT)
    with app.app_context():
        jobs.cancel_plan(db.session.get(ClusterPlan, plan_id))
    plan = _read(app, plan_id)
    assert plan.status == "done" and not plan.cancel_requested


def test_a_crash_marks_the_plan_failed_with_its_reason(app, monkeypatch):
    def solve(params, on_progress, cancel, **_):
        raise RuntimeError("solver exploded at node 7")

    monkeypatch.setattr("app.planning.service.solve_plan", solve)
    plan_id = _plan(app)
    _submit(app, plan_id)
    plan = _wait(app, plan_id, _finished)
    assert plan.status == "failed"
    assert plan.error == "RuntimeError: solver exploded at node 7"
    assert plan.result is None and plan.finished_at is not None


def test_a_plan_whose_heartbeat_stopped_is_marked_failed(app, client):
    old = utcnow() - timedelta(seconds=jobs.STALE_AFTER_S + 30)
    recent = utcnow() - timedelta(seconds=5)
    dead = _plan(app, status="running", backend="thread", heartbeat_at=old, started_at=old)
    dead_queued = _plan(app, status="queued", backend="thread", heartbeat_at=old)
    alive = _plan(app, status="running", backend="rq", heartbeat_at=recent)
    waiting_rq = _plan(app, status="queued", backend="rq", heartbeat_at=None)
    done = _plan(app, status="done", backend="thread", heartbeat_at=old, result=RESULT)
    # Reading a plan through the API recovers stale plans first.
    body = client.get(f"/api/v1/cluster-plans/{dead}").json
    assert body["status"] == "failed"
    assert "stopped sending a heartbeat" in body["error"]
    assert _read(app, dead_queued).status == "failed"
    assert _read(app, alive).status == "running"
    assert _read(app, waiting_rq).status == "queued"
    assert _read(app, done).status == "done"
    with app.app_context():
        assert jobs.recover_stale_plans() == 0


def test_the_cli_listener_hears_progress_in_the_foreground(app, monkeypatch):
    def solve(params, on_progress, cancel, **_):
        on_progress(0.3, 9.0, 8.0, 1 / 9)
        return RESULT

    monkeypatch.setattr("app.planning.service.solve_plan", solve)
    heard = []
    plan_id = _plan(app, backend="cli")
    with app.app_context():
        jobs.run_plan(plan_id, on_progress=lambda *args: heard.append(args))
    assert heard[0] == (0.3, 9.0, 8.0, 1 / 9)
    assert _read(app, plan_id).status == "done"


# ------------------------------------------------------------------------------------------
# RQ on Redis


def _redis_or_skip():
    from redis import Redis
    from redis.exceptions import RedisError

    connection = Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    try:
        connection.ping()
        return connection
    except RedisError as exc:
        missing = f"Redis at {REDIS_TEST_URL} is unreachable ({exc})"
    require_service("REQUIRE_REDIS", "RQ tests", missing)


def _forget_queue(connection, queue: str) -> None:
    """Remove the test queue, its registries and every job it held from Redis."""
    from rq import Queue

    ids = [key.decode().split(":")[2] for key in connection.scan_iter("rq:job:*")
           if connection.hget(key, "origin") == queue.encode()]
    Queue(queue, connection=connection).delete(delete_jobs=True)
    keys = [f"rq:{kind}:{job_id}" for job_id in ids for kind in ("job", "results")]
    for key in keys + list(connection.scan_iter(f"rq:*:{queue}")):
        connection.delete(key)


@pytest.fixture
def rq_app(db_url):
    connection = _redis_or_skip()
    queue = f"vuurtoren-test-{uuid.uuid4().hex[:8]}"
    app = make_app(db_url, REDIS_URL=REDIS_TEST_URL, RQ_QUEUE=queue)
    yield app
    _forget_queue(connection, queue)
    jobs.bind_worker_app(None)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_rq_backend_queues_the_plan_and_a_worker_runs_it(rq_app, monkeypatch):
    from rq import Queue, SimpleWorker

    monkeypatch.setattr("app.planning.service.solve_plan", lambda params, on_progress, cancel, **_: RESULT)
    plan_id = _plan(rq_app)
    _submit(rq_app, plan_id)
    plan = _read(rq_app, plan_id)
    assert plan.status == "queued" and plan.backend == "rq" and plan.rq_job_id
    connection = jobs.redis_connection(REDIS_TEST_URL)
    queue = Queue(rq_app.config["RQ_QUEUE"], connection=connection)
    assert queue.job_ids == [plan.rq_job_id]
    jobs.bind_worker_app(rq_app)
    SimpleWorker([queue], connection=connection).work(burst=True, with_scheduler=False)
    plan = _read(rq_app, plan_id)
    assert plan.status == "done" and plan.result == RESULT


def test_the_worker_command_runs_queued_plans(rq_app, monkeypatch):
    monkeypatch.setattr("app.planning.service.solve_plan", lambda params, on_progress, cancel, **_: RESULT)
    first, second = _plan(rq_app), _plan(rq_app)
    _submit(rq_app, first)
    _submit(rq_app, second)
    result = rq_app.test_cli_runner().invoke(args=["worker", "--burst", "--simple"])
    assert result.exit_code == 0, result.output
    assert _read(rq_app, first).status == "done"
    assert _read(rq_app, second).status == "done"


def test_a_crash_in_an_rq_worker_marks_the_plan_failed(rq_app, monkeypatch):
    from rq import SimpleWorker

    def solve(params, on_progress, cancel, **_):
        raise ValueError("no candidates left")

    monkeypatch.setattr("app.planning.service.solve_plan", solve)
    plan_id = _plan(rq_app)
    _submit(rq_app, plan_id)
    jobs.bind_worker_app(rq_app)
    connection = jobs.redis_connection(REDIS_TEST_URL)
    SimpleWorker([rq_app.config["RQ_QUEUE"]], connection=connection).work(burst=True)
    plan = _read(rq_app, plan_id)
    assert plan.status == "failed" and plan.error == "ValueError: no candidates left"


def test_cancelling_a_queued_rq_plan_cancels_its_job(rq_app, monkeypatch):
    from rq import SimpleWorker
    from rq.job import Job

    monkeypatch.setattr("app.planning.service.solve_plan", lambda *a, **k: pytest.fail("solved anyway"))
    plan_id = _plan(rq_app)
    _submit(rq_app, plan_id)
    with rq_app.app_context():
        plan = db.session.get(ClusterPlan, plan_id)
        jobs.cancel_plan(plan)
        job_id = plan.rq_job_id
    connection = jobs.redis_connection(REDIS_TEST_URL)
    assert Job.fetch(job_id, connection=connection).get_status() == "canceled"
    jobs.bind_worker_app(rq_app)
    SimpleWorker([rq_app.config["RQ_QUEUE"]], connection=connection).work(burst=True)
    assert _read(rq_app, plan_id).status == "cancelled"


def test_unreachable_redis_fails_the_plan_with_the_reason(db_url):
    app = make_app(db_url, REDIS_URL="redis://127.0.0.1:1/0", RQ_QUEUE="unused")
    plan_id = _plan(app)
    with app.app_context(), pytest.raises(jobs.QueueUnavailable):
        jobs.submit_plan(db.session.get(ClusterPlan, plan_id))
    plan = _read(app, plan_id)
    assert plan.status == "failed" and "Redis at REDIS_URL" in plan.error
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("url, message", [
    (None, "REDIS_URL is not set"),
    ("redis://127.0.0.1:1/0", "Redis at REDIS_URL is unreachable"),
])
def test_worker_command_without_redis_is_one_line(db_url, url, message):
    app = make_app(db_url, REDIS_URL=url)
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.output
    with app.app_context():
        db.engine.dispose()
