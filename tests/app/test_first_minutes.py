"""A newcomer's first minutes: `make run` prints an admin that can log in, the README's CLI
commands work after `make run`, and a missing setting answers one line that says what to set."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import make_app

ROOT = Path(__file__).resolve().parents[2]

#: How tools/newcomer-check reads the log of `make run` (a reader knows no more than this).
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PASSWORD = re.compile(r"(?:password|wachtwoord)[^:\n]*:\s*(\S+)", re.I)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_the_admin_that_make_run_prints_logs_in_with_exactly_that(db_url):
    app = make_app(db_url, WTF_CSRF_ENABLED=True)
    printed = app.test_cli_runner().invoke(args=["ensure-admin"]).output
    [email], [password] = EMAIL.findall(printed), PASSWORD.findall(printed)
    assert email == "admin@vuurtoren.local"

    client = app.test_client()
    token = _csrf(client.get("/login").get_data(as_text=True))
    resp = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert resp.status_code == 302 and "/login" not in resp.headers["Location"]
    assert client.get("/audit").status_code == 200  # an admin-only page

    wrong = app.test_client()
    token = _csrf(wrong.get("/login").get_data(as_text=True))
    resp = wrong.post("/login", data={"email": email, "password": password + "x", "csrf_token": token})
    assert resp.status_code == 400 and "klopt niet" in resp.get_data(as_text=True)


def _flask(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`flask --app app ARGS` from ``cwd`` with none of the developer's settings."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("VUURTOREN_ENV", "SECRET_KEY", "DATABASE_URL", "REDIS_URL")
             and not k.startswith("FLASK_")}
    clean.update(env, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=cwd,
                          env=clean, capture_output=True, text=True, timeout=300)


def test_a_missing_secret_key_answers_one_line_that_says_what_to_set(tmp_path):
    r = _flask(tmp_path, "seed", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "SECRET_KEY" in lines[0] and "VUURTOREN_ENV=development" in lines[0]
    assert "Traceback" not in r.stdout + r.stderr


def test_the_cli_commands_work_as_written_after_make_run(tmp_path):
    """`make run` writes .env (development mode, a key of this checkout); the flask command
    reads it, so `flask --app app ...` needs nothing exported."""
    subprocess.run(["make", "-s", "-f", str(ROOT / "Makefile"), ".env"], cwd=tmp_path, check=True)
    settings = (tmp_path / ".env").read_text()
    assert "VUURTOREN_ENV=development" in settings
    assert re.search(r"^SECRET_KEY=[0-9a-f]{64}$", settings, re.M)

    db = {"DATABASE_URL": f"sqlite:///{tmp_path / 'vuurtoren.sqlite'}"}
    r = _flask(tmp_path, "db", "upgrade", **db)
    assert r.returncode == 0, r.stderr
    r = _flask(tmp_path, "ensure-admin", **db)
    assert r.returncode == 0 and "created admin admin@vuurtoren.local" in r.stdout, r.stderr
    r = _flask(tmp_path, "audit-verify", **db)
    assert r.returncode == 0, r.stderr
