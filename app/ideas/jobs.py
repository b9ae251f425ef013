"""Background jobs of consortium proposals, like cluster plans: with ``REDIS_URL`` the run goes to
the RQ queue and any ``flask --app app worker`` runs it; without, a thread of this process does.
Either way :func:`app.ideas.proposals.execute` writes progress and result to the run's row."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app

from app.core.extensions import db
from app.ideas.proposals import execute

QUEUE_NAME = "vuurtoren"
_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()
_worker_app: Flask | None = None


def _run_in_app(app: Flask, run_id: int) -> None:
    with app.app_context():
        try:
            execute(run_id)
        finally:
            db.session.remove()


def submit(run_id: int) -> str:
    """Start the run's job (the run row must be committed); answers the backend used."""
    global _executor
    app = current_app._get_current_object()
    url = app.config.get("REDIS_URL")
    if url:
        from redis import Redis
        from rq import Queue

        queue = Queue(app.config.get("RQ_QUEUE") or QUEUE_NAME,
                      connection=Redis.from_url(url, socket_connect_timeout=5))
        queue.enqueue("app.ideas.jobs.rq_run", run_id, job_timeout=900, result_ttl=3600)
        return "rq"
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="consortium")
    _executor.submit(_run_in_app, app, run_id)
    return "thread"


def rq_run(run_id: int) -> None:
    """Entry point of an RQ worker process."""
    global _worker_app
    if _worker_app is None:
        from app import create_app

        _worker_app = create_app()
    _run_in_app(_worker_app, run_id)
