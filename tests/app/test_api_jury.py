"""The jury API as a story: jurors join, conflicts, assignment, blind scoring, consensus,
ranking, selection, publication and reports. Expected figures are worked out by hand (or by brute
force over every subset) in the tests, not taken from the code under test."""

from __future__ import annotations

import csv
import io
import statistics
from fractions import Fraction
from itertools import combinations

import pytest

from tests.app.jury_setup import (
    MOTIVATION,
    add_jurors,
    assign,
    bearer,
    city_user,
    demo_call,
    email_of,
    jurors_of,
    lead_of,
    make_user,
    municipality_id,
    put_scores,
    score_all,
)
from tests.app.test_api_bad_input import assert_problem

API = "/api/v1"


@pytest.fixture
def j(app, client, admin_headers):
    jury = demo_call(app)
    add_jurors(app, client, admin_headers, jury, 5)
    return jury


def put_score(client, j, email, application, code, score, motivation=MOTIVATION, version=0):
    return client.put(f"{API}/applications/{application}/scores/{code}",
                      json={"score": score, "motivation": motivation, "version": version},
                      headers=j.h(email))


def actions(client, admin_headers) -> list[str]:
    items = client.get(f"{API}/audit?per_page=200", headers=admin_headers).json["items"]
    return [e["action"] for e in items]


# --------------------------------------------------------------------------------------------
# Jurors


def test_a_juror_joins_with_expertise_and_their_own_affiliation(app, client, admin_headers, j):
    token = make_user(app, "gent-juror@example.org", "juror",
                             municipality_id=municipality_id(app, "44021"))
    url = f"{API}/calls/{j.call_id}/jurors"
    resp = client.post(url, json={"email": "Gent-Juror@example.org", "expertise": ["mobility"]},
                       headers=admin_headers)
    assert resp.status_code == 201, resp.json
    assert resp.json["affiliation"]["refnis"] == "44021"
    assert resp.json["expertise"] == ["mobility"]
    listed = client.get(url, headers=admin_headers).json["items"]
    assert [x["email"] for x in listed][-1] == "gent-juror@example.org"
    assert all(x["load"] == 0 for x in listed)
    # the juror reads their own settings (deadline) but not the jury list
    assert client.get(f"{API}/calls/{j.call_id}/jury-settings", headers=bearer(token)).status_code == 200
    assert_problem(client.get(url, headers=bearer(token)), 403)


BAD_JURORS = [
    ({"email": "nobody@example.org"}, 404, "email"),
    ({"email": "admin@example.org"}, 400, "email"),
    ({"email": "juror1@example.org"}, 409, "email"),
    ({"email": "not-an-address"}, 400, "email"),
    ({"email": "fresh@example.org", "expertise": ["space"]}, 400, "expertise.0"),
    ({"email": "fresh@example.org", "affiliation": {"refnis": "99999"}}, 404, "affiliation.refnis"),
    ({"email": "fresh@example.org", "affiliation": {"refnis": "4402"}}, 400, "affiliation.refnis"),
    ({"email": "fresh@example.org", "affiliation": {"refnis": "44021", "organisation": 1}}, 400,
     "affiliation"),
    ({"email": "fresh@example.org", "affiliation": {"organisation": 99999}}, 404,
     "affiliation.organisation"),
    ({"email": "fresh@example.org", "colour": "red"}, 400, "colour"),
]


def test_bad_juror_input_names_the_field(app, client, admin_headers, j):
    make_user(app, "fresh@example.org", "juror")
    for body, status, field in BAD_JURORS:
        assert_problem(client.post(f"{API}/calls/{j.call_id}/jurors", json=body,
                                   headers=admin_headers), status, field)
    assert len(client.get(f"{API}/calls/{j.call_id}/jurors", headers=admin_headers).json["items"]) == 5


# --------------------------------------------------------------------------------------------
# Conflicts and assignment


def test_assignment_gives_every_application_three_jurors_evenly_and_never_a_conflicted_one(
        app, client, admin_headers, j):
    first, lead = j.applications[0], lead_of(client, admin_headers, j.applications[0])
    make_user(app, "insider@example.org", "juror",
                     municipality_id=municipality_id(app, lead))
    resp = client.post(f"{API}/calls/{j.call_id}/jurors",
                       json={"email": "insider@example.org", "expertise": ["mobility"]},
                       headers=admin_headers)
    insider = resp.json["id"]
    conflicts = client.get(f"{API}/calls/{j.call_id}/conflicts", headers=admin_headers).json
    assert {"application": first, "juror": insider, "kind": "lead"}.items() <= \
        next(c for c in conflicts["conflicts"] if c["juror"] == insider).items()

    # a representative of an applicant does not score its rivals either (conflicts v2)
    competing = {c["application"] for c in conflicts["conflicts"]
                 if c["juror"] == insider and c["kind"] == "competitor"}
    assert set(j.applications) - {first} <= competing

    result = assign(client, admin_headers, j)
    pairs = {(p["application"], p["juror"]) for p in result["assignments"]}
    for a in j.applications:
        assert len(jurors_of(result, a)) == 3
        assert (a, insider) not in pairs
    loads = [x["load"] for x in result["loads"] if x["juror"] != insider]
    assert sum(loads) == 3 * len(j.applications) and max(loads) <= 8
    assert max(loads) - min(loads) <= 1  # 27 reviews over the 5 other jurors: 5 or 6 each
    stored = client.get(f"{API}/calls/{j.call_id}/assignments", headers=admin_headers).json
    assert {(p["application"], p["juror"]) for p in stored["assignments"]} == pairs
    assert "jury.assignments_computed" in actions(client, admin_headers)


def test_infeasible_assignment_says_why_in_plain_words(client, admin_headers, j):
    url = f"{API}/calls/{j.call_id}/assignments"
    body = assert_problem(client.post(url, json={"reviewers_per_application": 6},
                                      headers=admin_headers), 409, "assignments")
    assert body["reason"] == "each application needs 6 jurors but the call has only 5"
    assert "juryleden" in body["reason_nl"]
    body = assert_problem(client.post(url, json={"max_load": 1}, headers=admin_headers), 409)
    assert "5×1=5 < 27" in body["detail"]
    assert_problem(client.post(url, json={"reviewers_per_application": 0}, headers=admin_headers),
                   400, "reviewers_per_application")
    assert_problem(client.post(url, json={"max_load": "8"}, headers=admin_headers), 400, "max_load")
    assert client.get(url, headers=admin_headers).json["assignments"] == []  # nothing stored


def test_a_declared_conflict_withdraws_the_assignment_and_reassigns(client, admin_headers, j):
    result = assign(client, admin_headers, j)
    a = j.applications[2]
    juror = jurors_of(result, a)[0]
    email = email_of(j, juror)
    url = f"{API}/calls/{j.call_id}/conflicts"
    resp = client.post(url, json={"application": a, "reason": "Mijn partner werkt bij de indiener."},
                       headers=j.h(email))
    assert resp.status_code == 201, resp.json
    assert resp.json["withdrawn"] == [{"application": a, "juror": juror}]
    [added] = resp.json["added"]
    assert added["application"] == a and added["juror"] != juror
    now = client.get(f"{API}/calls/{j.call_id}/assignments", headers=admin_headers).json
    on_a = sorted(p["juror"] for p in now["assignments"] if p["application"] == a)
    assert len(on_a) == 3 and juror not in on_a
    # the juror no longer sees or scores it
    assert_problem(client.get(f"{API}/applications/{a}", headers=j.h(email)), 404)
    assert_problem(client.put(f"{API}/applications/{a}/scores/leverage",
                              json={"score": 5, "motivation": "", "version": 0},
                              headers=j.h(email)), 403)
    mine = client.get(url, headers=j.h(email)).json["conflicts"]
    assert [(c["application"], c["kind"]) for c in mine] == [(a, "declared")]
    # declaring twice, for someone else, or without naming the juror (admin)
    assert_problem(client.post(url, json={"application": a, "reason": "Nogmaals."},
                               headers=j.h(email)), 409)
    other = email_of(j, added["juror"])
    assert_problem(client.post(url, json={"juror": juror, "application": a, "reason": "x"},
                               headers=j.h(other)), 403, "juror")
    assert_problem(client.post(url, json={"application": a, "reason": "x"}, headers=admin_headers),
                   400, "juror")
    assert_problem(client.post(url, json={"juror": juror, "application": 999999, "reason": "x"},
                               headers=admin_headers), 404, "application")
    log = actions(client, admin_headers)
    assert "jury.conflict_declared" in log and "jury.reassigned_after_conflict" in log


def test_manual_adjustments_are_kept_and_checked(app, client, admin_headers, j):
    result = assign(client, admin_headers, j)
    a = j.applications[0]
    outsider = next(i for i in j.jurors.values() if i not in jurors_of(result, a))
    url = f"{API}/calls/{j.call_id}/assignments/{a}/{outsider}"
    resp = client.put(url, headers=admin_headers)
    assert resp.status_code == 200 and resp.json["fixed"] and resp.json["created"]
    assert resp.json["warnings"][0]["field"] == "application"  # now 4 jurors, 3 asked
    again = client.post(f"{API}/calls/{j.call_id}/assignments", json={}, headers=admin_headers).json
    assert {"application": a, "juror": outsider, "fixed": True} in again["assignments"]
    assert len(jurors_of(again, a)) == 3
    # a juror with submitted scores cannot be withdrawn by hand
    scored = next(x for x in jurors_of(again, a) if x != outsider)
    put_scores(app, [(a, scored, "leverage", 5), (a, scored, "scalability", 5)])
    assert_problem(client.delete(f"{API}/calls/{j.call_id}/assignments/{a}/{scored}",
                                 headers=admin_headers), 409, "juror")
    assert client.delete(url, headers=admin_headers).status_code == 204
    assert_problem(client.delete(url, headers=admin_headers), 404)
    # a conflicted pair cannot be fixed
    client.post(f"{API}/calls/{j.call_id}/conflicts",
                json={"juror": outsider, "application": a, "reason": "Oud-werknemer van de stad."},
                headers=admin_headers)
    assert_problem(client.put(url, headers=admin_headers), 409, "juror")
    # an application the jury does not review cannot get a juror
    other = j.other_applications[0]
    assert_problem(client.put(f"{API}/calls/{j.call_id}/assignments/{other}/{outsider}",
                              headers=admin_headers), 409, "application")


# --------------------------------------------------------------------------------------------
# Scoring


def test_draft_versions_and_a_stale_save_answer_409_with_what_changed(client, admin_headers, j):
    result = assign(client, admin_headers, j)
    a = j.applications[0]
    email = email_of(j, jurors_of(result, a)[0])
    first = put_score(client, j, email, a, "leverage", 6, "Eerste lezing")
    assert first.status_code == 200 and first.json["version"] == 1
    assert first.json["status"] == "draft" and first.json["score"] == 6
    second = put_score(client, j, email, a, "leverage", "7,0", MOTIVATION, version=1)
    assert second.status_code == 200 and second.json["version"] == 2 and second.json["score"] == 7
    stale = put_score(client, j, email, a, "leverage", 3, "Uit een oud tabblad", version=1)
    body = assert_problem(stale, 409, "version")
    assert body["current"]["version"] == 2 and body["current"]["score"] == 7
    assert body["current"]["motivation"] == MOTIVATION
    assert set(body["changed"]) == {"score", "motivation"}
    mine = client.get(f"{API}/applications/{a}/scores", headers=j.h(email)).json["items"]
    assert [(s["criterion"], s["score"], s["version"]) for s in mine] == [("leverage", 7, 2)]
    assert_problem(put_score(client, j, email, a, "scalability", 5, version=3), 409, "version")


BAD_SCORES = [
    ({"score": 11, "motivation": MOTIVATION, "version": 0}, "score", "between 0 and 10"),
    ({"score": -1, "motivation": MOTIVATION, "version": 0}, "score", "between 0 and 10"),
    ({"score": 7.5, "motivation": MOTIVATION, "version": 0}, "score", "whole number from 0 to 10"),
    ({"score": "zeven", "motivation": MOTIVATION, "version": 0}, "score", "must be a number"),
    ({"score": True, "motivation": MOTIVATION, "version": 0}, "score", "must be a number"),
    ({"score": [7], "motivation": MOTIVATION, "version": 0}, "score", "must be a number"),
    ({"score": 7, "motivation": "x" * 10001, "version": 0}, "motivation", None),
    ({"score": 7, "motivation": MOTIVATION}, "version", None),
    ({"score": 7, "motivation": MOTIVATION, "version": -1}, "version", None),
    ({"score": 7, "motivation": MOTIVATION, "version": 0, "juror": 1}, "juror", None),
]


def test_a_bad_score_names_the_field(client, admin_headers, j):
    result = assign(client, admin_headers, j)
    a = j.applications[0]
    email = email_of(j, jurors_of(result, a)[0])
    url = f"{API}/applications/{a}/scores/leverage"
    for body, field, text in BAD_SCORES:
        assert_problem(client.put(url, json=body, headers=j.h(email)), 400, field, contains=text)
    assert client.get(f"{API}/applications/{a}/scores", headers=j.h(email)).json["items"] == []


def test_only_an_assigned_juror_scores(app, client, admin_headers, j, city_token):
    result = assign(client, admin_headers, j)
    a = j.applications[0]
    outsider = next(i for i in j.jurors.values() if i not in jurors_of(result, a))
    body = {"score": 5, "motivation": MOTIVATION, "version": 0}
    url = f"{API}/applications/{a}/scores/leverage"
    assert_problem(client.put(url, json=body, headers=j.h(email_of(j, outsider))), 403,
                   "application", contains="not assigned")
    assert_problem(client.put(url, json=body, headers=admin_headers), 403)
    assert_problem(client.put(url, json=body, headers=bearer(city_token)), 403)
    assert_problem(client.put(url, json=body), 401)
    inside = email_of(j, jurors_of(result, a)[0])
    assert_problem(client.put(f"{API}/applications/{a}/scores/impact", json=body,
                              headers=j.h(inside)), 404, "criterion")
    assert_problem(client.put(f"{API}/applications/999999/scores/leverage", json=body,
                              headers=j.h(inside)), 404)


def test_submit_needs_every_criterion_with_a_motivation_and_happens_once(client, admin_headers, j):
    result = assign(client, admin_headers, j)
    a = j.applications[0]
    email = email_of(j, jurors_of(result, a)[0])
    submit = f"{API}/applications/{a}/scores/submit"
    assert put_score(client, j, email, a, "leverage", 8, "kort").status_code == 200
    body = assert_problem(client.post(submit, headers=j.h(email)), 400)
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"leverage.motivation", "scalability.score", "scalability.motivation"}  # all at once
    assert any("20" in e["message"] for e in body["errors"] if e["field"] == "leverage.motivation")
    assert put_score(client, j, email, a, "leverage", 8, MOTIVATION, version=1).status_code == 200
    assert put_score(client, j, email, a, "scalability", 6).status_code == 200
    done = client.post(submit, headers=j.h(email))
    assert done.status_code == 200, done.json
    assert {s["status"] for s in done.json["items"] if s["juror"] == j.jurors[email]} == {"submitted"}
    assert_problem(client.post(submit, headers=j.h(email)), 409, "scores")
    assert_problem(put_score(client, j, email, a, "leverage", 2, MOTIVATION, version=3), 409,
                   "score", contains="consensus")
    log = actions(client, admin_headers)
    assert log.count("score.saved") == 3 and log.count("score.submitted") == 1


def test_scores_stay_blind_until_the_juror_submitted(client, admin_headers, j, city_token):
    result = assign(client, admin_headers, j)
    a = j.applications[0]
    x, y, z = (email_of(j, i) for i in jurors_of(result, a))
    for code, value in (("leverage", 9), ("scalability", 8)):
        put_score(client, j, y, a, code, value)
    client.post(f"{API}/applications/{a}/scores/submit", headers=j.h(y))
    put_score(client, j, z, a, "leverage", 1, "Concept van jurylid z")  # z's draft
    put_score(client, j, x, a, "leverage", 4)
    url = f"{API}/applications/{a}/scores"
    seen = client.get(url, headers=j.h(x)).json
    assert seen["blind"] is True
    assert {s["juror"] for s in seen["items"]} == {j.jurors[x]}
    put_score(client, j, x, a, "scalability", 5)
    client.post(f"{API}/applications/{a}/scores/submit", headers=j.h(x))
    seen = client.get(url, headers=j.h(x)).json
    assert seen["blind"] is False
    assert {(s["juror"], s["criterion"], s["score"]) for s in seen["items"]} == {
        (j.jurors[x], "leverage", 4), (j.jurors[x], "scalability", 5),
        (j.jurors[y], "leverage", 9), (j.jurors[y], "scalability", 8)}  # never z's draft
    everything = client.get(url, headers=admin_headers).json["items"]
    assert len(everything) == 5 and {s["juror_email"] for s in everything} == {x, y, z}
    assert_problem(client.get(url, headers=bearer(city_token)), 403)


def test_criteria_are_frozen_once_a_juror_scored(client, admin_headers, j):
    result = assign(client, admin_headers, j)
    a = j.applications[0]
    crit_url = f"{API}/calls/{j.call_id}/criteria"
    criteria = {"criteria": [{"code": "x", "name": "X"}]}
    assert client.get(f"{API}/calls/{j.call_id}", headers=admin_headers).json["criteria_editable"]
    put_score(client, j, email_of(j, jurors_of(result, a)[0]), a, "leverage", 5, "")
    assert_problem(client.put(crit_url, json=criteria, headers=admin_headers), 409, "criteria")
    assert not client.get(f"{API}/calls/{j.call_id}", headers=admin_headers).json["criteria_editable"]


# --------------------------------------------------------------------------------------------
# Aggregation and consensus


def test_aggregation_by_hand_with_disagreement_and_agreement(app, client, admin_headers, j):
    import krippendorff
    import numpy as np

    result = assign(client, admin_headers, j)
    table = {}  # (application, juror, code) -> score, chosen by hand to disagree on the first
    for k, a in enumerate(j.applications):
        for n, juror in enumerate(jurors_of(result, a)):
            table[(a, juror, "leverage")] = [2, 5, 9][n] if k == 0 else (k + n) % 11
            table[(a, juror, "scalability")] = [6, 6, 7][n] if k == 0 else (2 * k + n) % 11
    put_scores(app, [(a, juror, c, v) for (a, juror, c), v in table.items()])
    agg = client.get(f"{API}/calls/{j.call_id}/aggregation", headers=admin_headers).json
    first = j.applications[0]
    lev = next(s for s in agg["summaries"] if s["application"] == first and s["criterion"] == "leverage")
    assert lev["mean"] == pytest.approx(16 / 3) and lev["median"] == 5 and lev["spread"] == 7
    assert lev["std"] == pytest.approx(statistics.pstdev([2, 5, 9]))
    assert lev["disagreement"] is True  # 7 > 3 = 30 % of the 0-10 scale
    sca = next(s for s in agg["summaries"] if s["application"] == first and s["criterion"] == "scalability")
    assert sca["spread"] == 1 and sca["disagreement"] is False
    flagged = [(d["application"], d["criterion"]) for d in agg["disagreements"]]
    spreads = [d["spread"] for d in agg["disagreements"]]
    assert (first, "leverage") in flagged and spreads == sorted(spreads, reverse=True)
    assert agg["disagreement_spread"] == {"leverage": 3.0, "scalability": 3.0}
    # Krippendorff's alpha per criterion, as the package computes it on the juror x application matrix
    jurors = sorted(j.jurors.values())
    for code in j.criteria:
        matrix = np.full((len(jurors), len(j.applications)), np.nan)
        for (a, juror, c), v in table.items():
            if c == code:
                matrix[jurors.index(juror), j.applications.index(a)] = v
        expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement="interval")
        got = next(x for x in agg["agreement"] if x["criterion"] == code)["alpha"]
        assert got == pytest.approx(expected)
    # the call's own threshold
    client.put(f"{API}/calls/{j.call_id}/jury-settings", json={"disagreement_spread": 7},
               headers=admin_headers)
    agg = client.get(f"{API}/calls/{j.call_id}/aggregation", headers=admin_headers).json
    assert (first, "leverage") not in [(d["application"], d["criterion"]) for d in agg["disagreements"]]


def test_consensus_needs_a_motivation_and_then_counts(app, client, admin_headers, j):
    result = assign(client, admin_headers, j)
    score_all(app, j, result, lambda a, juror, c: 4)
    a = j.applications[0]
    url = f"{API}/calls/{j.call_id}/consensus/{a}/leverage"
    assert_problem(client.post(url, json={"score": 8}, headers=admin_headers), 400, "motivation")
    assert_problem(client.post(url, json={"score": 8, "motivation": "Te kort."},
                               headers=admin_headers), 400, "motivation")
    assert_problem(client.post(url, json={"score": 8.5, "motivation": MOTIVATION},
                               headers=admin_headers), 400, "score")
    assert_problem(client.post(f"{API}/calls/{j.call_id}/consensus/{a}/impact",
                               json={"score": 8, "motivation": MOTIVATION},
                               headers=admin_headers), 404, "criterion")
    assert_problem(client.post(f"{API}/calls/{j.call_id}/consensus/{j.other_applications[0] + 1000}"
                               f"/leverage", json={"score": 8, "motivation": MOTIVATION},
                               headers=admin_headers), 404, "application")
    resp = client.post(url, json={"score": 8, "motivation": "Na overleg: de hefboom is groot."},
                       headers=admin_headers)
    assert resp.status_code == 200 and resp.json["score"] == 8
    item = lambda: next(i for i in client.get(f"{API}/calls/{j.call_id}/ranking",  # noqa: E731
                                              headers=admin_headers).json["items"]
                        if i["application"] == a)
    it = item()
    assert it["total"] == 6.0 and it["provisional"] is True  # (8 + 4) / 2; scalability is a mean
    assert [s["source"] for s in it["scores"]] == ["consensus", "mean"]
    client.post(f"{API}/calls/{j.call_id}/consensus/{a}/scalability",
                json={"score": 7, "motivation": "Na overleg: opschaalbaar naar veel steden."},
                headers=admin_headers)
    it = item()
    assert it["total"] == 7.5 and it["provisional"] is False and it["rank"] == 1
    assert actions(client, admin_headers).count("consensus.recorded") == 2


# --------------------------------------------------------------------------------------------
# Ranking and selection


def expected_totals(j, result, value) -> dict[int, Fraction]:
    """Equal weights: the total is the mean over criteria of the mean of the jurors' scores."""
    out = {}
    for a in j.applications:
        means = [Fraction(sum(value(a, x, c) for x in jurors_of(result, a)), 3) for c in j.criteria]
        out[a] = sum(means) / len(means)
    return out


def test_ranking_follows_the_weighted_totals_thresholds_and_tie_break(app, client, admin_headers, j):
    result = assign(client, admin_headers, j)
    first, second = j.applications[:2]

    def value(a, juror, code):  # the first two tie on total 6; the second is more scalable
        if a == first:
            return {"leverage": 8, "scalability": 4}[code]
        if a == second:
            return {"leverage": 4, "scalability": 8}[code]
        return (a + juror) % 6
    score_all(app, j, result, value)
    totals = expected_totals(j, result, value)
    url = f"{API}/calls/{j.call_id}/ranking"
    items = client.get(url, headers=admin_headers).json["items"]
    for it in items:
        assert Fraction(it["total"]).limit_denominator(1000) == totals[it["application"]]
        assert it["provisional"] is True and it["fundable"] is True
    ordered = sorted(totals.values(), reverse=True)
    assert [Fraction(it["total"]).limit_denominator(1000) for it in items] == ordered
    top = [it["application"] for it in items[:2]]
    assert top == [first, second]  # equal totals: application id decides
    settings = f"{API}/calls/{j.call_id}/jury-settings"
    resp = client.put(settings, json={"tie_break": ["criterion:scalability"], "total_threshold": 5},
                      headers=admin_headers)
    assert resp.status_code == 200 and resp.json["tie_break"] == ["criterion:scalability desc"]
    items = client.get(url, headers=admin_headers).json["items"]
    assert [it["application"] for it in items[:2]] == [second, first]
    assert items[1]["tie_broken_by"] == "criterion:scalability desc"
    for it in items:
        below = totals[it["application"]] < 5
        assert it["fundable"] is not below
        if below:
            assert [r["code"] for r in it["reasons"]] == ["below_total_threshold"]
    assert_problem(client.put(settings, json={"tie_break": ["colour desc"]}, headers=admin_headers),
                   400, "tie_break")
    assert_problem(client.put(settings, json={"disagreement_spread": -1}, headers=admin_headers),
                   400, "disagreement_spread")


def test_selection_is_the_best_subset_and_says_why_each_other_is_not_funded(
        app, client, admin_headers, j):
    result = assign(client, admin_headers, j)

    def value(a, juror, code):
        return (3 * a + juror + (code == "leverage")) % 11
    score_all(app, j, result, value)
    totals = expected_totals(j, result, value)
    grants = {a["id"]: a["requested_grant_cents"] for a in client.get(
        f"{API}/calls/{j.call_id}/applications", headers=admin_headers).json["items"]}
    budget = 150_000_000  # €1.5M of the €4.2M asked
    resp = client.post(f"{API}/calls/{j.call_id}/selection", json={"budget_cents": budget},
                       headers=admin_headers)
    assert resp.status_code == 200, resp.json
    sel = resp.json
    best = max(
        (sum(totals[a] for a in subset), subset)
        for n in range(len(j.applications) + 1)
        for subset in combinations(j.applications, n)
        if sum(grants[a] for a in subset) <= budget
    )
    assert Fraction(sel["total_score"]).limit_denominator(1000) == best[0]
    assert sum(grants[a] for a in sel["funded"]) == sel["spent_cents"] <= budget
    unfunded = {u["application"]: u for u in sel["unfunded"]}
    assert set(unfunded) | set(sel["funded"]) == set(j.applications)
    assert all(u["reason"] and u["reason_nl"] for u in unfunded.values())
    # greedy: down the ranking until the first application that does not fit (equal totals in
    # the order of the default tie-break rule: the heaviest criteria, then the grant)
    ranking = client.get(f"{API}/calls/{j.call_id}/ranking", headers=admin_headers).json
    ranked = [it["application"] for it in ranking["items"]]
    assert [totals[a] for a in ranked] == sorted((totals[a] for a in ranked), reverse=True)
    greedy, left = [], budget
    for a in ranked:
        if grants[a] > left:
            break
        greedy.append(a)
        left -= grants[a]
    assert sel["greedy"]["funded"] == greedy
    assert sel["total_score"] >= sel["greedy"]["total_score"]
    assert client.get(f"{API}/calls/{j.call_id}/selection", headers=admin_headers).json["funded"] == \
        sel["funded"]
    # spread limit: at most one funded application per domain
    one = client.post(f"{API}/calls/{j.call_id}/selection",
                      json={"budget_cents": budget, "max_per_domain": 1}, headers=admin_headers).json
    domains = {a["id"]: a["domains"] for a in client.get(
        f"{API}/calls/{j.call_id}/applications", headers=admin_headers).json["items"]}
    used = [d for a in one["funded"] for d in domains[a]]
    assert len(used) == len(set(used))
    # a budget below the smallest grant, and a call without money
    body = assert_problem(client.post(f"{API}/calls/{j.call_id}/selection",
                                      json={"budget_cents": 100}, headers=admin_headers),
                          400, "budget_cents")
    assert "smallest requested grant" in body["detail"]
    assert_problem(client.post(f"{API}/calls/{j.call_id}/selection", json={"max_per_domain": 0},
                               headers=admin_headers), 400, "max_per_domain")
    assert actions(client, admin_headers).count("selection.computed") == 2


# --------------------------------------------------------------------------------------------
# Publication, summaries and exports


def test_publication_freezes_the_jury_and_opens_the_summary_to_the_city(app, client, admin_headers, j):
    result = assign(client, admin_headers, j)
    a = j.applications[0]
    city = city_user(app, lead_of(client, admin_headers, a))
    stranger = city_user(app, "44021", "gent@example.org")
    publish = f"{API}/calls/{j.call_id}/publish"
    assert_problem(client.post(publish, headers=admin_headers), 409, "selection")
    put_scores(app, [(a, x, c, 6) for x in jurors_of(result, a) for c in j.criteria])
    client.post(f"{API}/calls/{j.call_id}/selection", json={}, headers=admin_headers)
    body = assert_problem(client.post(publish, headers=admin_headers), 409, "scores")
    assert str(j.applications[1]) in body["detail"]  # still without scores
    put_scores(app, [(p["application"], p["juror"], c, 5) for p in result["assignments"]
                     if p["application"] != a for c in j.criteria])
    summary = f"{API}/applications/{a}/summary"
    assert_problem(client.get(summary, headers=city), 403)  # not yet published
    assert_problem(client.post(publish, headers=admin_headers), 409, "selection")  # out of date
    sel = client.post(f"{API}/calls/{j.call_id}/selection", json={"budget_cents": 100_000_000},
                      headers=admin_headers).json
    resp = client.post(publish, headers=admin_headers)
    # the call's rule (rank-order by default) says which selection is published
    assert resp.status_code == 200 and resp.json["rule"] == sel["published"]["rule"] == "rank-order"
    assert resp.json["funded"] == sel["published"]["funded"] == sel["greedy"]["funded"]
    # frozen
    email = email_of(j, jurors_of(result, a)[0])
    assert_problem(put_score(client, j, email, a, "leverage", 5, version=1), 409, "call")
    assert_problem(client.post(f"{API}/calls/{j.call_id}/consensus/{a}/leverage",
                               json={"score": 5, "motivation": MOTIVATION}, headers=admin_headers),
                   409, "call")
    assert_problem(client.post(f"{API}/calls/{j.call_id}/assignments", json={},
                               headers=admin_headers), 409)
    assert_problem(client.put(f"{API}/calls/{j.call_id}/jury-settings", json={"total_threshold": 1},
                              headers=admin_headers), 409)
    assert_problem(client.post(publish, headers=admin_headers), 409)
    # the city reads its summary; another city does not see it
    s = client.get(summary, headers=city).json
    assert s["application"]["id"] == a and s["published"] is True and s["evaluated"] is True
    assert s["total"] == 6.0 and s["rank"] == 1
    assert [c["score"] for c in s["criteria"]] == [6.0, 6.0]
    assert s["criteria"][0]["juror_motivations"] == [MOTIVATION] * 3
    assert s["decision"]["funded"] is (a in sel["published"]["funded"])
    assert s["eligibility"]["final_eligible"] is True and "leverage" in s["indicators"]
    assert_problem(client.get(summary, headers=stranger), 404)
    pdf = client.get(f"{API}/applications/{a}/summary.pdf", headers=city)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data[:5] == b"%PDF-"
    assert_problem(client.get(f"{API}/applications/{a}/summary.pdf", headers=stranger), 404)
    # an application that was not eligible says so
    ineligible = next(x for x in j.other_applications
                      if client.get(f"{API}/applications/{x}", headers=admin_headers).json["status"]
                      == "submitted")
    s = client.get(f"{API}/applications/{ineligible}/summary", headers=admin_headers).json
    assert s["evaluated"] is False and s["decision"]["code"] == "not_eligible"
    assert "published" in actions(client, admin_headers)[0]


def test_results_export_as_csv_and_xlsx_with_the_same_rows(app, client, admin_headers, j):
    from openpyxl import load_workbook

    result = assign(client, admin_headers, j)
    score_all(app, j, result, lambda a, juror, c: (a + juror) % 11)
    sel = client.post(f"{API}/calls/{j.call_id}/selection", json={"budget_cents": 150_000_000},
                      headers=admin_headers).json
    resp = client.get(f"{API}/calls/{j.call_id}/results.csv", headers=admin_headers)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    ranked = [r for r in rows if r["rank"]]
    assert [int(r["application"]) for r in ranked if r["funded"] == "True"] == \
        sel["published"]["funded"]
    assert len(ranked) == len(j.applications) and [int(r["rank"]) for r in ranked] == list(
        range(1, len(ranked) + 1))
    assert {r["decision"] for r in rows if not r["rank"]} == {"not_eligible"}
    assert all(r["reason_nl"].startswith("niet ontvankelijk: ") and len(r["reason_nl"]) > 25
               for r in rows if not r["rank"])  # the failed rule is named
    assert all(r["reason_nl"] for r in rows)
    xlsx = client.get(f"{API}/calls/{j.call_id}/results.xlsx", headers=admin_headers)
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.data)).active
    table = list(ws.iter_rows(values_only=True))
    assert list(table[0]) == list(rows[0].keys())
    assert [str(v) for v in table[1][:2]] == [rows[0]["rank"], rows[0]["application"]]
    assert len(table) == len(rows) + 1


def test_a_control_character_in_a_title_does_not_break_the_excel_export(app, client, admin_headers,
                                                                        j):
    """XLSX (XML 1.0) cannot hold control characters; the export shows U+FFFD instead of
    answering 500 (found by the conformance run)."""
    from openpyxl import load_workbook

    from app.core.extensions import db
    from app.models import Application

    with app.app_context():
        db.session.get(Application, j.applications[0]).title = "Slimme\x0bverlichting"
        db.session.commit()
        db.session.remove()
    xlsx = client.get(f"{API}/calls/{j.call_id}/results.xlsx", headers=admin_headers)
    assert xlsx.status_code == 200
    cells = [v for row in load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True)
             for v in row]
    assert "Slimme\ufffdverlichting" in cells


def test_cli_assigns_and_selects_like_the_api(app, client, admin_headers, j):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["assign-jurors", str(j.call_id)])
    assert out.exit_code == 0, out.output
    assert "27 assignments" in out.output
    out = runner.invoke(args=["assign-jurors", str(j.call_id), "--reviewers", "9"])
    assert out.exit_code == 1 and "only 5" in out.output
    out = runner.invoke(args=["assign-jurors", "999999"])
    assert out.exit_code == 1
    stored = client.get(f"{API}/calls/{j.call_id}/assignments", headers=admin_headers).json
    score_all(app, j, stored, lambda a, juror, c: (a + juror) % 11)
    out = runner.invoke(args=["select-funding", str(j.call_id), "--budget-euro", "1500000"])
    assert out.exit_code == 0, out.output
    sel = client.get(f"{API}/calls/{j.call_id}/selection", headers=admin_headers).json
    assert f"funded {len(sel['funded'])}" in out.output and sel["budget_cents"] == 150_000_000
    out = runner.invoke(args=["select-funding", str(j.call_id), "--budget-euro", "1"])
    assert out.exit_code == 1 and "budget_cents" in out.output
    log = client.get(f"{API}/audit?action=selection.computed", headers=admin_headers).json["items"]
    assert log[0]["actor"] == "cli"


def test_an_application_with_the_jury_can_no_longer_be_deleted(app, client, admin_headers, j):
    """Deleting would throw away the jurors' work: once assigned, the lead city gets a 409."""
    first = j.applications[0]
    lead = lead_of(client, admin_headers, first)
    city = city_user(app, lead)
    assign(client, admin_headers, j)
    resp = client.delete(f"{API}/applications/{first}", headers=city)
    assert_problem(resp, 409, "application", contains="jury")
    assert client.get(f"{API}/applications/{first}", headers=admin_headers).status_code == 200
    assert "application.delete" not in actions(client, admin_headers)
