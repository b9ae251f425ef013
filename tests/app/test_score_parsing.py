"""A score is parsed once into a Decimal on the criterion's step: off-step values, too many
digits and absurd exponents are refused (400 on the field) instead of being rounded when stored,
and the audit records the value that was stored, not the text that was sent."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import text

from tests.app.jury_setup import MOTIVATION, add_jurors, assign, demo_call, email_of, jurors_of

API = "/api/v1"


@pytest.fixture
def juror(app, client, admin_headers):
    j = demo_call(app)
    add_jurors(app, client, admin_headers, j, 5)
    result = assign(client, admin_headers, j)
    a = j.applications[0]
    return j, a, email_of(j, jurors_of(result, a)[0])


def _audit_and_stored(app):
    from app.core.extensions import db

    with app.app_context():
        payload = db.session.execute(text(
            "SELECT payload FROM audit_log WHERE action = 'score.saved' ORDER BY id DESC")).first()[0]
        stored = db.session.execute(text("SELECT score FROM jury_score ORDER BY id DESC")).first()[0]
        db.session.remove()
    payload = json.loads(payload) if isinstance(payload, str) else payload
    return payload["score"], Decimal(str(stored))


@pytest.mark.parametrize("score", ["1e-999999999", "5.00000000000000000000000000001", "5.5",
                                   "1e999999999", "-0e-99999", "5e-1000000", "0x5", "NaN", "1e1000",
                                   "5" + "0" * 40, "5." + "0" * 60])
def test_off_step_or_absurd_scores_are_refused(client, juror, score):
    j, a, email = juror
    resp = client.put(f"{API}/applications/{a}/scores/leverage", headers=j.h(email),
                      json={"score": score, "motivation": MOTIVATION, "version": 0})
    assert resp.status_code == 400, (score, resp.json)
    assert resp.mimetype == "application/problem+json"
    assert [e["field"] for e in resp.json["errors"]] == ["score"]


@pytest.mark.parametrize("score, stored", [("5.000", "5"), ("7,0", "7"), ("1e1", "10"), (6.0, "6"),
                                           (3, "3"), ("0", "0"), ("-0", "0")])
def test_the_audit_records_the_stored_value(app, client, juror, score, stored):
    j, a, email = juror
    resp = client.put(f"{API}/applications/{a}/scores/leverage", headers=j.h(email),
                      json={"score": score, "motivation": MOTIVATION, "version": 0})
    assert resp.status_code == 200, resp.json
    audited, in_db = _audit_and_stored(app)
    assert audited == stored
    assert Decimal(audited) == in_db
    assert resp.json["score"] == float(stored)


def test_the_consensus_is_parsed_the_same_way(app, client, admin_headers, juror):
    j, a, _email = juror
    url = f"{API}/calls/{j.call_id}/consensus/{a}/leverage"
    bad = client.post(url, headers=admin_headers,
                      json={"score": "1e-999999999", "motivation": "Na overleg in de jury: nul."})
    assert bad.status_code in (400, 409) and bad.json["errors"][0]["field"] == "score", bad.json
    if bad.status_code == 409:  # consensus only once every juror submitted
        return
    ok = client.post(url, headers=admin_headers,
                     json={"score": "7.00", "motivation": "Na overleg in de jury: zeven."})
    assert ok.status_code in (200, 201)


def test_the_pure_parser():
    from evaluation.scoring import Criterion, InvalidScore, validate_score_value

    half = Criterion("x", scale_min=0, scale_max=10, scale_step=0.5)
    assert str(validate_score_value(half, "7.50")) == "7.5"
    assert str(validate_score_value(half, "7")) == "7.0"
    assert str(validate_score_value(half, 7)) == "7.0"
    for bad in ("7.25", "1e-999999999", "7.5000000000000000000000000001", "1E+999999"):
        with pytest.raises(InvalidScore):
            validate_score_value(half, bad)
