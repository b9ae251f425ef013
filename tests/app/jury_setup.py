"""Shared set-up for the jury tests: the demo call, jurors with tokens, a scored application.

The demo call (``app/demo.py``) is the real 2022 preset with two criteria, leverage and
scalability, both 0-10 by 1 and weight 1, and twelve fictitious applications of which nine are
submitted and eligible (the jury reviews those).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache

MOTIVATION = "Sterke schaalbaarheid naar twaalf gemeenten met open data."


@dataclass
class Jury:
    call_id: int
    applications: list[int]  # the nine the jury reviews
    other_applications: list[int]  # draft or not eligible
    criteria: list[str]
    jurors: dict[str, int] = field(default_factory=dict)  # email -> call juror id
    headers: dict[str, dict] = field(default_factory=dict)  # email -> Authorization header

    def h(self, email: str) -> dict:
        return self.headers[email]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


PASSWORD = "correct horse battery"


@cache
def _password_hash() -> str:
    """Hashed once per run: hashing is deliberately slow, and every test creates users."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(PASSWORD)


def make_user(app, email: str, role: str, **affiliation) -> str:
    """A user (password ``PASSWORD``) with an API token; returns the plain token."""
    from app.core.extensions import db
    from app.models import ApiToken, User

    with app.app_context():
        user = User(email=email, role=role, password_hash=_password_hash(), **affiliation)
        token, plain = ApiToken.issue(user)
        db.session.add_all([user, token])
        db.session.commit()
        db.session.remove()
    return plain


def demo_call(app) -> Jury:
    from app.calls.service_demo import seed_demo
    from app.core.extensions import db
    from app.jury import service as jury
    from app.models import Call

    with app.app_context():
        report = seed_demo()
        call = db.session.get(Call, report.call_id)
        reviewed = [a.id for a in jury.jury_applications(call)]
        others = [a.id for a in call.applications if a.id not in reviewed]
        codes = [c.code for c in call.criteria]
        db.session.remove()
    return Jury(report.call_id, reviewed, others, codes)


def add_jurors(app, client, admin_headers, j: Jury, count: int, *, expertise=None,
               prefix: str = "juror", sign: bool = True) -> list[str]:
    """``count`` juror users with tokens, put on the jury, who signed the call's declaration
    (``sign``); returns their e-mail addresses."""
    emails = []
    for i in range(count):
        email = f"{prefix}{i + 1}@example.org"
        token = make_user(app, email, "juror")
        body = {"email": email, "expertise": (expertise or [["mobility"], ["environment"],
                                                            ["economy"], ["people"],
                                                            ["governance"]])[i % 5]}
        resp = client.post(f"/api/v1/calls/{j.call_id}/jurors", json=body, headers=admin_headers)
        assert resp.status_code == 201, resp.json
        j.jurors[email] = resp.json["id"]
        j.headers[email] = bearer(token)
        emails.append(email)
        if sign:  # the declaration on honour, before any application opens for them
            signed = client.post(f"/api/v1/calls/{j.call_id}/declaration", json={"accept": True},
                                 headers=j.headers[email])
            assert signed.status_code == 200, signed.json
    return emails


def assign(client, admin_headers, j: Jury, reviewers: int = 3, max_load: int = 8) -> dict:
    resp = client.post(f"/api/v1/calls/{j.call_id}/assignments",
                       json={"reviewers_per_application": reviewers, "max_load": max_load},
                       headers=admin_headers)
    assert resp.status_code == 200, resp.json
    return resp.json


def jurors_of(result: dict, application: int) -> list[int]:
    return [p["juror"] for p in result["assignments"] if p["application"] == application]


def email_of(j: Jury, juror_id: int) -> str:
    return next(e for e, i in j.jurors.items() if i == juror_id)


def score_and_submit(client, j: Jury, email: str, application: int, values: dict[str, float],
                     motivation: str = MOTIVATION) -> None:
    for code, value in values.items():
        resp = client.put(f"/api/v1/applications/{application}/scores/{code}",
                          json={"score": value, "motivation": motivation, "version": 0},
                          headers=j.h(email))
        assert resp.status_code == 200, resp.json
    resp = client.post(f"/api/v1/applications/{application}/scores/submit", headers=j.h(email))
    assert resp.status_code == 200, resp.json


def put_scores(app, rows, status: str = "submitted", motivation: str = MOTIVATION) -> None:
    """Write scores straight into the table (fast set-up for tests not about the scoring API).

    ``rows``: ``(application_id, juror_id, criterion_code, score)``.
    """
    from decimal import Decimal

    from app.core.extensions import db
    from app.models import Application, Criterion, Score
    from app.models.registry import utcnow

    with app.app_context():
        for a, juror, code, value in rows:
            call_id = db.session.get(Application, a).call_id
            crit = db.session.query(Criterion).filter_by(call_id=call_id, code=code).one()
            db.session.add(Score(application_id=a, juror_id=juror, criterion_id=crit.id,
                                 score=Decimal(str(value)), motivation=motivation, status=status,
                                 submitted_at=utcnow() if status == "submitted" else None))
        db.session.commit()
        db.session.remove()


def score_all(app, j: Jury, result: dict, value) -> None:
    """Submitted scores for every assigned pair: ``value(application, juror, code)``."""
    put_scores(app, [(p["application"], p["juror"], c, value(p["application"], p["juror"], c))
                     for p in result["assignments"] for c in j.criteria])


def municipality_id(app, refnis: str) -> int:
    from sqlalchemy import select

    from app.core.extensions import db
    from app.models import Municipality

    with app.app_context():
        mid = db.session.scalar(select(Municipality.id).where(Municipality.refnis == refnis))
        db.session.remove()
    return mid


def city_user(app, refnis: str, email: str | None = None) -> dict:
    """Authorization header of a city user of the municipality ``refnis``."""
    token = make_user(app, email or f"city-{refnis}@example.org", "city",
                      municipality_id=municipality_id(app, refnis))
    return bearer(token)


def lead_of(client, admin_headers, application: int) -> str:
    return client.get(f"/api/v1/applications/{application}", headers=admin_headers).json["lead"]


@contextmanager
def call_in_phase(app, call_id: int, phase: str):
    """Put the call in ``phase`` for the block (set-up of a state the phases do not reach)."""
    from app.core.extensions import db
    from app.models import Call

    with app.app_context():
        row = db.session.get(Call, call_id)
        before, row.phase = row.phase, phase
        db.session.commit()
        db.session.remove()
    try:
        yield
    finally:
        with app.app_context():
            db.session.get(Call, call_id).phase = before
            db.session.commit()
            db.session.remove()
