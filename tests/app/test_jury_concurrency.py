"""Two sessions save the same score from the same version at the same time: one wins, the other
gets 409 with what the winner stored, and no save is lost silently.

On PostgreSQL both requests are held (a barrier in ``app.jury.service_scores._after_version_check``) until both
have read version 1, so the race is settled by the database: the versioned UPDATE of the second
matches no row. On SQLite (one writer at a time) the second request waits for the first to commit
and then reads the new version. Both backends run it; with TEST_DATABASE_URL set the PostgreSQL
variant runs as well.
"""

from __future__ import annotations

import threading

from tests.app.jury_setup import add_jurors, assign, demo_call, email_of, jurors_of

API = "/api/v1"


def second_session(app, email: str) -> dict:
    """Another API token of the same juror: a second device or tab. (One token's requests
    serialise on its last_used_at row, which would line them up before the race.)"""
    from sqlalchemy import select

    from app.core.extensions import db
    from app.models import ApiToken, User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        token, plain = ApiToken.issue(user, "second tab")
        db.session.add(token)
        db.session.commit()
        db.session.remove()
    return {"Authorization": f"Bearer {plain}"}


def _race(app, bodies, barrier: threading.Barrier | None):
    """Send the PUTs at the same moment from two threads (two clients, two DB sessions)."""
    out: dict[int, tuple[int, dict]] = {}

    def worker(k: int, url: str, headers: dict, body: dict) -> None:
        resp = app.test_client().put(url, json=body, headers=headers)
        out[k] = (resp.status_code, resp.json)

    start = threading.Barrier(len(bodies)) if barrier is None else None
    threads = []
    for k, (url, headers, body) in enumerate(bodies):
        def run(k=k, url=url, headers=headers, body=body):
            if start is not None:
                start.wait(10)
            worker(k, url, headers, body)
        threads.append(threading.Thread(target=run))
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return out


def test_two_saves_of_the_same_version_give_one_409_and_lose_nothing(app, client, admin_headers,
                                                                      monkeypatch):
    from app.jury import service_scores as scores

    j = demo_call(app)
    add_jurors(app, client, admin_headers, j, 5)
    result = assign(client, admin_headers, j)
    a = j.applications[0]
    email = email_of(j, jurors_of(result, a)[0])
    url = f"{API}/applications/{a}/scores/leverage"
    first = client.put(url, json={"score": 5, "motivation": "Eerste versie van de motivering.",
                                  "version": 0}, headers=j.h(email))
    assert first.json["version"] == 1

    postgres = not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    barrier = threading.Barrier(2, timeout=20) if postgres else None
    if barrier is not None:
        # both requests have checked version 1 before either writes
        monkeypatch.setattr(scores, "_after_version_check", lambda: barrier.wait())
    tab_a = {"score": 7, "motivation": "Tabblad A: sterk hefboomeffect in de regio.", "version": 1}
    tab_b = {"score": 3, "motivation": "Tabblad B: zwak hefboomeffect buiten de stad.", "version": 1}
    other = second_session(app, email)
    out = _race(app, [(url, j.h(email), tab_a), (url, other, tab_b)], barrier)
    monkeypatch.undo()

    codes = sorted(code for code, _body in out.values())
    assert codes == [200, 409], out
    winner = next(k for k, (code, _b) in out.items() if code == 200)
    loser_body = next(body for code, body in out.values() if code == 409)
    won = (tab_a, tab_b)[winner]
    stored = client.get(f"{API}/applications/{a}/scores", headers=j.h(email)).json["items"]
    assert [(s["score"], s["motivation"], s["version"]) for s in stored] == [
        (won["score"], won["motivation"], 2)]
    # the loser is told what the score holds now, so the form can show it
    assert loser_body["current"] == {**loser_body["current"], "score": won["score"],
                                     "motivation": won["motivation"], "version": 2}
    assert set(loser_body["changed"]) == {"score", "motivation"}
    # the audit log has the first save and the winner, nothing of the loser, and still verifies
    saves = client.get(f"{API}/audit?action=score.saved", headers=admin_headers).json["items"]
    assert [(e["payload"]["score"], e["payload"]["version"]) for e in saves] == [
        (f"{won['score']}", 2), ("5", 1)]
    assert client.get(f"{API}/audit/verify", headers=admin_headers).json["ok"] is True
    # the loser saves again from the version it was shown, deliberately overwriting
    again = client.put(url, json={**(tab_a, tab_b)[1 - winner], "version": 2}, headers=j.h(email))
    assert again.status_code == 200 and again.json["version"] == 3


def test_two_first_saves_of_a_new_score_give_one_409(app, client, admin_headers, monkeypatch):
    """Neither has a row yet (version 0): the unique key settles it."""
    from app.jury import service_scores as scores

    j = demo_call(app)
    add_jurors(app, client, admin_headers, j, 5)
    result = assign(client, admin_headers, j)
    a = j.applications[0]
    email = email_of(j, jurors_of(result, a)[0])
    url = f"{API}/applications/{a}/scores/scalability"
    postgres = not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    barrier = threading.Barrier(2, timeout=20) if postgres else None
    if barrier is not None:
        monkeypatch.setattr(scores, "_after_version_check", lambda: barrier.wait())
    out = _race(app, [(url, j.h(email), {"score": 6, "motivation": "A", "version": 0}),
                      (url, second_session(app, email), {"score": 8, "motivation": "B",
                                                         "version": 0})], barrier)
    assert sorted(code for code, _b in out.values()) == [200, 409], out
    stored = client.get(f"{API}/applications/{a}/scores", headers=j.h(email)).json["items"]
    assert len(stored) == 1 and stored[0]["version"] == 1
    assert client.get(f"{API}/audit/verify", headers=admin_headers).json["ok"] is True
