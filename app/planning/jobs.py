"""Background jobs for cluster plans.

Without ``REDIS_URL`` a plan runs in an in-process thread pool; with it, the plan goes to an RQ
queue on Redis and any ``flask --app app worker`` process (on this or another machine) runs it.
Either way the job writes its state to the ``cluster_plan`` row: ``running`` with live
``progress`` (elapsed seconds, best objective, bound, gap) and a heartbeat every few seconds,
then ``done`` / ``failed`` / ``cancelled``. The best plan found so far is checkpointed into
``result`` (with ``"checkpoint": true``) at the next heartbeat after the optimizer finds it, so a
process that dies mid-solve leaves that plan behind. When the RQ work-horse is killed, the worker
that forked it marks the plan ``failed`` at once (:func:`work_horse_killed`); a plan whose
heartbeat stopped otherwise (the server restarted) is marked ``failed`` the next time plans are
read, ``STALE_AFTER_S`` after its last heartbeat. Either way the checkpoint stays as the plan's
result, and :func:`retry_plan` queues the same request again as a new plan.

The solve itself is :func:`app.planning.service.solve_plan` (parameters in, JSON-able result out).
"""

from __future__ import annotations

import math
import threading
import time
import traceback
import uuid
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update

from app.core.extensions import db
from app.core.transaction import transactional
from app.models import ClusterPlan
from app.models.registry import utcnow

#: Default RQ queue name; ``RQ_QUEUE`` in the app config overrides it (tests use their own).
QUEUE_NAME = "vuurtoren"
HEARTBEAT_S = 2.0
#: A running plan without a heartbeat for this long has lost its process (ten heartbeats).
STALE_AFTER_S = 20.0
#: Identifies this process; thread-backend plans carry it so another process knows whose they are.
PROCESS_ID = uuid.uuid4().hex[:12]

_executor: ThreadPoolExecutor | None = None
_apps: weakref.WeakSet[Flask] = weakref.WeakSet()
_executor_lock = threading.Lock()


class Cancelled(Exception):
    """Raised inside a solve when the plan was cancelled."""


class QueueUnavailable(Exception):
    """``REDIS_URL`` is set but Redis does not answer: the plan cannot be queued."""


def queue_name(app: Flask | None = None) -> str:
    """The RQ queue plans go to (``RQ_QUEUE`` config, default :data:`QUEUE_NAME`)."""
    return (app or current_app).config.get("RQ_QUEUE") or QUEUE_NAME


def redis_connection(url: str):
    """A Redis connection that fails fast (5 s) instead of hanging a request or a command."""
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)


def _thread_executor(app: Flask) -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="plan-worker")
            threading.Thread(target=_queue_heartbeat, name="plan-queue-heartbeat", daemon=True).start()
        _apps.add(app)
        return _executor


def _queue_heartbeat() -> None:
    """Keep this process's queued thread plans alive while they wait behind another plan."""
    while True:
        time.sleep(HEARTBEAT_S)
        for app in list(_apps):
            _touch_queued(app)


def _touch_queued(app: Flask) -> None:
    try:
        with app.app_context():
            db.session.execute(
                update(ClusterPlan)
                .where(ClusterPlan.status == "queued", ClusterPlan.backend == "thread",
                       ClusterPlan.rq_job_id == PROCESS_ID)
                .values(heartbeat_at=utcnow())
            )
            db.session.commit()
            db.session.remove()
    except Exception:  # the database may be gone (tests tearing down); try again later
        pass


def submit_plan(plan: ClusterPlan) -> None:
    """Queue the plan's solve (the plan row must be committed first)."""
    app = current_app._get_current_object()
    url = app.config.get("REDIS_URL")
    if url:
        from redis.exceptions import RedisError
        from rq import Queue

        queue = Queue(queue_name(app), connection=redis_connection(url))
        timeout = int(plan.params.get("time_limit_s", 60)) + 300
        try:
            job = queue.enqueue("app.planning.jobs.rq_run_plan", plan.id, job_timeout=timeout,
                                failure_ttl=86400, result_ttl=3600)
        except RedisError as exc:
            plan.backend, plan.status, plan.finished_at = "rq", "failed", utcnow()
            plan.error = f"the job queue (Redis at REDIS_URL) is unreachable: {exc}"
            db.session.commit()
            raise QueueUnavailable(plan.error) from exc
        plan.backend, plan.rq_job_id = "rq", job.id
    else:
        plan.backend, plan.rq_job_id = "thread", PROCESS_ID
        plan.heartbeat_at = utcnow()
    db.session.commit()
    if not url:
        _thread_executor(app).submit(_run_in_app, app, plan.id)


def _run_in_app(app: Flask, plan_id: int) -> None:
    with app.app_context():
        try:
            run_plan(plan_id)
        finally:
            db.session.remove()


_worker_app: Flask | None = None


def bind_worker_app(app: Flask | None) -> None:
    """Run the RQ jobs of this process in ``app`` (``flask --app app worker`` binds its own app,
    so the worker uses the configuration it was started with)."""
    global _worker_app
    _worker_app = app


def rq_run_plan(plan_id: int) -> None:
    """Entry point of an RQ worker process (``flask --app app worker``)."""
    global _worker_app
    if _worker_app is None:
        from app import create_app

        _worker_app = create_app()
    _run_in_app(_worker_app, plan_id)


class _Monitor:
    """Heartbeat and cancellation watcher, in its own thread and database session.

    Every heartbeat also writes the elapsed time, so the progress moves while the solver is
    still building its model or searching for a first plan (it reports only on news).
    """

    def __init__(self, app: Flask, plan_id: int,
                 listener: Callable[[float, float | None, float | None, float | None], None]
                 | None = None):
        self.app, self.plan_id, self.listener = app, plan_id, listener
        self.cancel = threading.Event()
        self.stop = threading.Event()
        self.started = time.perf_counter()
        self.progress: dict[str, Any] | None = None
        self._written: dict[str, Any] | None = None
        self.checkpoint: dict[str, Any] | None = None
        self._checkpoint_written: dict[str, Any] | None = None
        self.thread = threading.Thread(target=self._loop, name=f"plan-{plan_id}-monitor", daemon=True)

    def report(self, elapsed_s: float, best_objective: float | None, bound: float | None,
               gap: float | None) -> None:
        self.progress = {"elapsed_s": round(elapsed_s, 2), "best_objective": _finite(best_objective),
                         "bound": _finite(bound), "gap": _finite(gap)}
        if self.listener is not None:
            self.listener(elapsed_s, best_objective, bound, gap)

    def save_checkpoint(self, result: dict[str, Any]) -> None:
        """The optimizer found a better plan: keep it (written at the next heartbeat)."""
        self.checkpoint = {**result, "checkpoint": True}

    def current(self) -> dict[str, Any]:
        """The latest report with the elapsed seconds of now."""
        progress = dict(self.progress or {"best_objective": None, "bound": None, "gap": None})
        progress["elapsed_s"] = max(progress.get("elapsed_s") or 0.0,
                                    round(time.perf_counter() - self.started, 2))
        return progress

    def _loop(self) -> None:
        with self.app.app_context():
            try:
                while not self.stop.wait(HEARTBEAT_S):
                    try:
                        self.flush()
                    except Exception:  # a busy or restarting database: beat again next time
                        self.app.logger.warning("plan %s: heartbeat not written", self.plan_id,
                                                exc_info=True)
                        _discard_session()
            finally:
                _discard_session()

    def flush(self) -> None:
        progress = self.current()
        if self.listener is not None:
            self.listener(progress["elapsed_s"], progress["best_objective"], progress["bound"],
                          progress["gap"])
        values: dict[str, Any] = {"heartbeat_at": utcnow(), "progress": progress}
        checkpoint = self.checkpoint
        if checkpoint is not None and checkpoint is not self._checkpoint_written:
            values["result"] = checkpoint
        db.session.execute(update(ClusterPlan).where(ClusterPlan.id == self.plan_id).values(**values))
        db.session.commit()
        if "result" in values:
            self._checkpoint_written = checkpoint
        if db.session.scalar(select(ClusterPlan.cancel_requested).where(ClusterPlan.id == self.plan_id)):
            self.cancel.set()


def _discard_session() -> None:
    """Drop this thread's session even when its connection is gone (a dropped database)."""
    try:
        db.session.remove()
    except Exception:
        pass


def _finite(value: float | None) -> float | None:
    """JSON columns refuse NaN and infinity (PostgreSQL): those become null."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def run_plan(plan_id: int,
             on_progress: Callable[[float, float | None, float | None, float | None], None]
             | None = None) -> None:
    """Run one plan to its end state. Needs an app context.

    ``on_progress`` (optional) also hears every progress report, in the solving thread (the
    CLI draws its progress bar with it).
    """
    from app.planning.service import solve_plan

    plan = db.session.get(ClusterPlan, plan_id)
    if plan is None or plan.status != "queued":
        return
    if plan.cancel_requested:
        plan.status, plan.finished_at = "cancelled", utcnow()
        db.session.commit()
        return
    plan.status, plan.started_at, plan.heartbeat_at = "running", utcnow(), utcnow()
    plan.progress = {"elapsed_s": 0.0, "best_objective": None, "bound": None, "gap": None}
    params = dict(plan.params)
    db.session.commit()

    monitor = _Monitor(current_app._get_current_object(), plan_id, on_progress)
    monitor.thread.start()
    started = time.perf_counter()
    status, result, error = "failed", None, None
    try:
        result = solve_plan(params, on_progress=monitor.report, cancel=monitor.cancel,
                            on_checkpoint=monitor.save_checkpoint)
        status = "cancelled" if monitor.cancel.is_set() else "done"
    except Cancelled:
        status = "cancelled"
    except Exception as exc:  # a crash marks the plan failed with its reason
        error = f"{type(exc).__name__}: {exc}"
        current_app.logger.error("plan %s failed:\n%s", plan_id, traceback.format_exc())
    finally:
        monitor.stop.set()
        monitor.thread.join(5)
    db.session.rollback()
    plan = db.session.get(ClusterPlan, plan_id)
    if result is None:  # a crash keeps the best plan found before it
        result = monitor.checkpoint
    plan.status, plan.result, plan.error = status, result, error
    plan.finished_at = utcnow()
    elapsed = round(time.perf_counter() - started, 2)
    final = dict(monitor.progress or {})
    final["elapsed_s"] = elapsed
    if result:
        final.update({"best_objective": result.get("objective"), "bound": result.get("lower_bound"),
                      "gap": result.get("gap")})
    plan.progress = final
    db.session.commit()


@transactional("plan.cancel", payload=lambda was_active, plan, **_: {
    "plan": plan.id, "status": plan.status} if was_active else None)
def cancel_plan(plan: ClusterPlan) -> bool:
    """Ask a plan to stop. A queued plan is cancelled at once; a running one at its next check.
    Audited; a plan that already ended is left as it is (False, no entry)."""
    if not plan.is_active:
        return False
    plan.cancel_requested = True
    if plan.status == "queued":
        plan.status, plan.finished_at = "cancelled", utcnow()
        if plan.backend == "rq" and plan.rq_job_id and current_app.config.get("REDIS_URL"):
            try:
                from rq.job import Job

                Job.fetch(plan.rq_job_id, connection=redis_connection(current_app.config["REDIS_URL"])).cancel()
            except Exception:  # the job may already be gone; the flag stops it anyway
                pass
    return True


def recover_stale_plans() -> int:
    """Mark plans whose worker stopped beating as failed; returns how many."""
    cutoff = utcnow() - timedelta(seconds=STALE_AFTER_S)
    stale = db.session.scalars(
        select(ClusterPlan).where(
            ClusterPlan.status.in_(("queued", "running")),
            ClusterPlan.heartbeat_at.is_not(None),
            ClusterPlan.heartbeat_at < cutoff,
            # RQ plans that wait in the queue have no heartbeat yet; only running ones beat
            (ClusterPlan.backend == "thread") | (ClusterPlan.status == "running"),
        )
    ).all()
    for plan in stale:
        _mark_interrupted(plan, "the worker stopped sending a heartbeat (server restart or crash)")
    if stale:
        db.session.commit()
    return len(stale)


def _mark_interrupted(plan: ClusterPlan, why: str) -> None:
    """``failed`` with the reason; the checkpointed best plan (if any) stays as the result."""
    plan.status, plan.finished_at = "failed", utcnow()
    kept = ""
    if plan.result and plan.result.get("objective") is not None:
        kept = f"; the best plan found before (objective {plan.result['objective']:g}) is kept"
    plan.error = f"{why} before the plan finished{kept}; retry the plan to solve it again"


def work_horse_killed(job: Any, retpid: int, ret_val: int, rusage: Any) -> None:
    """RQ calls this in the worker when the work-horse running ``job`` died (killed, out of
    memory): the plan is marked failed at once, keeping its checkpoint."""
    app = _worker_app
    plan_id = job.args[0] if job is not None and job.args else None
    if app is None or plan_id is None or job.func_name != "app.planning.jobs.rq_run_plan":
        return
    with app.app_context():
        try:
            plan = db.session.get(ClusterPlan, plan_id)
            if plan is not None and plan.is_active:
                _mark_interrupted(plan, f"the worker process died (exit status {ret_val})")
                db.session.commit()
        finally:
            db.session.remove()
            db.engine.dispose()  # the next forked work-horse must not share this connection


def retry_plan(plan: ClusterPlan, user: Any) -> ClusterPlan:
    """Queue the request of a failed or cancelled plan again, as a new plan (the old one keeps
    its checkpoint); 409 while it is active or when it ended done."""
    again = _plan_again(plan, user)
    submit_plan(again)
    return again


@transactional("plan.retry", payload=lambda again, plan, **_: {"plan": again.id, "retries": plan.id})
def _plan_again(plan: ClusterPlan, user: Any) -> ClusterPlan:
    from app.core.problems import Problem

    if plan.status not in ("failed", "cancelled"):
        raise Problem(409, "Conflict", f"Only a failed or cancelled plan can be retried; this one "
                      f"is {plan.status}.", errors=[{"field": "plan_id", "message": f"plan is {plan.status}",
                                                     "message_nl": f"plan is {plan.status}"}])
    again = ClusterPlan(name=plan.name, params=dict(plan.params), status="queued", created_by=user)
    db.session.add(again)
    return again
