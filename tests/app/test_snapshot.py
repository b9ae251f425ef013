"""The evaluation frozen at the deadline: a registry change or another application moves no stored
figure of the call until the secretariat recomputes, an audited action that shows the differences."""

from __future__ import annotations

from datetime import date

from tests.app.test_api_bad_input import assert_problem
from tests.app.test_api_calls import CALLS, application, city_headers, make_call, post_app
from tests.app.test_call_lifecycle import actions, set_deadline
from tests.app.test_call_pages import login

API = "/api/v1"


def _halve_populations(app, codes: list[str]) -> None:
    """A registry change: Statbel publishes new figures for the consortium's municipalities."""
    from sqlalchemy import select

    from app.core.extensions import db
    from app.models import Municipality

    with app.app_context():
        for m in db.session.scalars(select(Municipality).where(Municipality.refnis.in_(codes))):
            m.population = max(1, (m.population or 2) // 2)
        db.session.commit()
        db.session.remove()


def _evaluated(client, headers, app_id: int) -> dict:
    body = client.get(f"{API}/applications/{app_id}", headers=headers).json
    return {"eligibility": body["eligibility"], "indicators": body["indicators"]}


def _submitted_call(app, client, admin_headers) -> tuple[dict, dict, dict]:
    call = make_call(client, admin_headers)
    body = application(committed_followers=["44019", "44084"])
    gent = city_headers(app, "44021")
    return call, post_app(client, gent, call["id"], body), gent


def test_a_registry_change_after_the_deadline_moves_no_stored_figure(app, client, admin_headers):
    call, first, gent = _submitted_call(app, client, admin_headers)
    set_deadline(app, call["id"], date(2020, 1, 31))
    assert client.post(f"{CALLS}/{call['id']}/transitions", json={"to": "closed"},
                       headers=admin_headers).status_code == 200
    frozen = _evaluated(client, admin_headers, first["id"])
    assert frozen["indicators"]["frozen"] is True and frozen["eligibility"]["frozen"] is True
    snapshot = client.get(f"{CALLS}/{call['id']}/snapshot", headers=admin_headers).json
    assert snapshot["frozen"] is True and snapshot["reason"] == "closed"
    assert snapshot["applications"] == [first["id"]] and snapshot["differences"] == []
    assert snapshot["weights"]["criteria"] and snapshot["registry_version"]

    _halve_populations(app, ["44021", "11002", "44019", "44084"])
    assert _evaluated(client, admin_headers, first["id"]) == frozen
    assert _evaluated(client, gent, first["id"]) == frozen  # the lead city reads the same
    preview = client.get(f"{CALLS}/{call['id']}/snapshot", headers=admin_headers).json
    paths = [d["path"] for d in preview["differences"]]
    assert any(p.startswith(f"applications.{first['id']}.indicators.leverage") for p in paths)
    assert "registry_version[2]" in paths or any(p.startswith("registry_version") for p in paths)
    assert _evaluated(client, admin_headers, first["id"]) == frozen  # a preview stores nothing

    url = f"{CALLS}/{call['id']}/snapshot/recompute"
    assert_problem(client.post(url, json={"motivation": "kort"}, headers=admin_headers), 400,
                   "motivation")
    assert_problem(client.post(url, json={"motivation": "Statbel publiceerde nieuwe cijfers"},
                               headers=gent), 403)
    resp = client.post(url, json={"motivation": "Statbel publiceerde nieuwe cijfers"},
                       headers=admin_headers)
    assert resp.status_code == 200, resp.json
    assert resp.json["reason"] == "recomputed" and resp.json["differences"] == preview["differences"]
    after = _evaluated(client, admin_headers, first["id"])
    assert after["indicators"]["leverage"] != frozen["indicators"]["leverage"]
    assert client.get(f"{CALLS}/{call['id']}/snapshot", headers=admin_headers).json[
        "differences"] == []
    entries = client.get(f"{API}/audit", headers=admin_headers).json["items"]
    recomputed = next(e for e in entries if e["action"] == "call.evaluation_recomputed")
    assert recomputed["payload"]["motivation"] == "Statbel publiceerde nieuwe cijfers"
    assert recomputed["payload"]["count"] == len(preview["differences"])
    assert actions(client, admin_headers).count("call.evaluation_frozen") == 1


def test_the_first_read_after_the_deadline_freezes_and_a_later_application_changes_nothing(
        app, client, admin_headers):
    call, first, gent = _submitted_call(app, client, admin_headers)
    before = client.get(f"{CALLS}/{call['id']}/snapshot", headers=admin_headers).json
    assert before == {"call": call["id"], "frozen": False, "differences": []}
    assert_problem(client.post(f"{CALLS}/{call['id']}/snapshot/recompute",
                               json={"motivation": "te vroeg herberekend"}, headers=admin_headers),
                   409, "call")
    set_deadline(app, call["id"], date(2020, 1, 31))  # the call is still "open": nobody closed it
    frozen = _evaluated(client, admin_headers, first["id"])
    assert frozen["indicators"]["frozen"] is True
    assert "call.evaluation_frozen" in actions(client, admin_headers)

    # an application that reaches the call after the freeze (written below the API, which refuses
    # it) is evaluated live; the stored figures of the others stay as they were
    from app.calls import service_applications as apps
    from app.calls import service_evaluation as evaluations
    from app.core.extensions import db
    from app.models import Application, Call

    with app.app_context():
        row = Application(call_id=call["id"])
        pure = apps.parse_application(application(title="Een tweede aanvraag van Gent, te laat"))
        apps.write_application(row, pure, status="submitted", user=None, origin="api")
        db.session.add(row)
        db.session.commit()
        late = row.id
        assert evaluations.CallEvaluation(db.session.get(Call, call["id"])).eligibility(row).to_dict().get(
            "frozen") is None
        db.session.remove()
    assert _evaluated(client, admin_headers, first["id"]) == frozen
    assert client.get(f"{CALLS}/{call['id']}/snapshot", headers=admin_headers).json[
        "applications"] == [first["id"]]
    assert late != first["id"]


def test_the_secretariat_sees_the_differences_and_recomputes_on_the_page(app, client,
                                                                           admin_headers):
    call, first, gent = _submitted_call(app, client, admin_headers)
    set_deadline(app, call["id"], date(2020, 1, 31))
    _evaluated(client, admin_headers, first["id"])
    _halve_populations(app, ["44021", "11002", "44019", "44084"])
    login(client, "admin@example.org")
    page = client.get(f"/oproepen/{call['id']}")
    assert b'id="snapshot-link"' in page.data
    url = f"/oproepen/{call['id']}/bevroren-beoordeling"
    page = client.get(url)
    assert page.status_code == 200 and b"indicators.leverage" in page.data
    assert client.post(url, data={"motivation": "kort"}).status_code == 400
    done = client.post(url, data={"motivation": "Statbel publiceerde nieuwe cijfers"})
    assert done.status_code == 200 and b"Toegepaste verschillen" in done.data
    assert b'id="difference-count">0<' in client.get(url).data
