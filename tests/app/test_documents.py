"""Documents: a PDF upload answers 201 with its SHA-256; a non-PDF, an encrypted PDF and a 21 MB
file are refused with problem+json; a juror with a conflict gets 404; uploads and each juror's
first download are audited."""

from __future__ import annotations

import hashlib
import io

from pypdf import PdfWriter

from tests.app.jury_setup import add_jurors, assign, demo_call, jurors_of
from tests.app.test_api_bad_input import assert_problem
from tests.app.test_api_calls import application, city_headers, make_call, post_app

API = "/api/v1"


def pdf_bytes(password: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(client, headers, application_id, data, kind="proposal", refnis=None,
           name="voorstel.pdf"):
    form = {"file": (io.BytesIO(data), name), "kind": kind}
    if refnis:
        form["refnis"] = refnis
    return client.post(f"{API}/applications/{application_id}/documents", data=form,
                       headers=headers, content_type="multipart/form-data")


def actions(client, admin_headers) -> list[str]:
    return [e["action"] for e in client.get(f"{API}/audit", headers=admin_headers).json["items"]]


def test_a_pdf_upload_returns_its_sha256_and_is_stored_once(app, client, admin_headers):
    call = make_call(client, admin_headers)
    gent = city_headers(app, "44021")
    draft = post_app(client, gent, call["id"],
                     application(status="draft", committed_followers=["44084"]))
    data = pdf_bytes()
    resp = upload(client, gent, draft["id"], data)
    assert resp.status_code == 201, resp.json
    assert resp.json["sha256"] == hashlib.sha256(data).hexdigest()
    assert resp.json["kind"] == "proposal" and resp.json["size"] == len(data)
    letter = upload(client, gent, draft["id"], data, "letter_of_intent", "44084")
    assert letter.status_code == 201 and letter.json["refnis"] == "44084"
    listed = client.get(f"{API}/applications/{draft['id']}/documents", headers=gent).json["items"]
    assert [d["kind"] for d in listed] == ["proposal", "letter_of_intent"]
    got = client.get(listed[0]["url"], headers=gent)
    assert got.status_code == 200 and got.mimetype == "application/pdf" and got.data == data
    stored = list((app.config["DOCUMENTS_DIR"] / resp.json["sha256"][:2]).iterdir())
    assert [p.name for p in stored] == [resp.json["sha256"]]
    assert actions(client, admin_headers).count("document.upload") == 2
    # the receipt covers the documents
    submitted = client.post(f"{API}/applications/{draft['id']}/submit", headers=gent).json
    assert submitted["receipt"]["sha256"]
    assert_problem(upload(client, gent, draft["id"], data), 409, "status")


def test_bad_files_are_refused_with_problem_json_naming_the_field(app, client, admin_headers):
    call = make_call(client, admin_headers)
    draft = post_app(client, admin_headers, call["id"], application(status="draft"))
    for data, words in (
        (b"PK\x03\x04 not a pdf at all", "not a PDF"),
        (pdf_bytes(password="geheim"), "encrypted"),
        (b"%PDF-1.7\n" + b"0" * 21_000_000, "at most 20 MB"),
    ):
        resp = upload(client, admin_headers, draft["id"], data)
        body = assert_problem(resp, 400, "file")
        assert resp.mimetype == "application/problem+json"
        assert words in body["errors"][0]["message"], body
    assert_problem(upload(client, admin_headers, draft["id"], pdf_bytes(), kind="cv"), 400, "kind")
    assert_problem(upload(client, admin_headers, draft["id"], pdf_bytes(), "letter_of_intent",
                          "11002"), 400, "refnis")
    assert client.get(f"{API}/applications/{draft['id']}/documents",
                      headers=admin_headers).json["items"] == []


def test_a_juror_with_a_conflict_gets_404_and_a_first_download_is_audited(app, client,
                                                                          admin_headers):
    from app.core.extensions import db
    from app.core.storage import document_store
    from app.models import Application, ApplicationDocument

    j = demo_call(app)
    add_jurors(app, client, admin_headers, j, 6)
    result = assign(client, admin_headers, j)
    a = j.applications[0]
    data = pdf_bytes()
    with app.app_context():  # the demo's applications are submitted: store a proposal directly
        sha = document_store().put(data)
        db.session.add(ApplicationDocument(application=db.session.get(Application, a),
                                           kind="proposal", sha256=sha, size=len(data), pages=1,
                                           filename="voorstel.pdf"))
        db.session.commit()
        doc_id = db.session.query(ApplicationDocument.id).filter_by(application_id=a).scalar()
        db.session.remove()
    url = f"{API}/applications/{a}/documents/{doc_id}"
    reviewer = next(e for e, i in j.jurors.items() if i == jurors_of(result, a)[0])
    assert client.get(url, headers=j.h(reviewer)).data == data
    assert client.get(url, headers=j.h(reviewer)).status_code == 200
    assert actions(client, admin_headers).count("document.first_download") == 1
    declared = client.post(f"{API}/calls/{j.call_id}/conflicts",
                           json={"application": a, "reason": "mijn vroegere werkgever"},
                           headers=j.h(reviewer))
    assert declared.status_code in (200, 201), declared.json
    assert_problem(client.get(url, headers=j.h(reviewer)), 404)
    assert_problem(client.get(f"{API}/applications/{a}/documents", headers=j.h(reviewer)), 404)
    now = client.get(f"{API}/calls/{j.call_id}/assignments", headers=admin_headers).json
    others = [e for e, i in j.jurors.items() if i not in jurors_of(now, a)]
    assert_problem(client.get(url, headers=j.h(others[0])), 404)  # not assigned: no access either


def test_uploaded_letters_and_budget_annexes_are_read_and_the_secretariat_still_confirms(
        app, client, admin_headers):
    """Gent's letter from Lochristi names both: the service says so, and the follower still
    counts only once the secretariat confirms it, then backed by that document. A scan is
    'unreadable', never a yes or a no; the budget annex is read for the declared amounts."""
    from tests.evaluation.test_documents import text_pdf

    call = make_call(client, admin_headers)
    gent = city_headers(app, "44021")
    draft = post_app(client, gent, call["id"], application(
        status="draft", committed_followers=["44087", "44084"],
        cofinancing_cents=30_000_000))
    letter = upload(client, gent, draft["id"], text_pdf(
        "Intentieverklaring", "Het college van burgemeester en schepenen van Lochristi",
        "engageert zich om de oplossing van Stad Gent te implementeren."),
        "letter_of_intent", "44087", name="lochristi.pdf")
    assert letter.status_code == 201, letter.json
    assert letter.json["reading"] == {"readable": True, "names_follower": True, "names_lead": True}
    scan = upload(client, gent, draft["id"], pdf_bytes(), "letter_of_intent", "44084")
    assert scan.json["reading"] == {"readable": False, "names_follower": None, "names_lead": None}
    budget = upload(client, gent, draft["id"], text_pdf(
        "Budget", "Totaal: 800.000,00 euro", "Eigen bijdrage: 300.000 euro"), "budget")
    assert budget.json["reading"] == {"readable": True, "states": {
        "total_budget": True, "cofinancing": True, "requested_grant": False}}
    proposal = upload(client, gent, draft["id"], pdf_bytes())
    assert proposal.json["reading"] is None

    url = f"{API}/applications/{draft['id']}"

    def follower(body: dict, refnis: str) -> dict:
        return next(f for f in body["indicators"]["evidence"]["followers"] if f["refnis"] == refnis)

    before = client.get(url, headers=admin_headers).json
    assert follower(before, "44087")["status"] == "declared"  # read, not yet confirmed
    confirmed = client.patch(url, headers=admin_headers, json={"committed_followers": [
        {"refnis": "44087", "letter": True}, {"refnis": "44084", "letter": True}]}).json
    assert follower(confirmed, "44087")["status"] == "counted"
    assert follower(confirmed, "44087")["letter"] == {"kind": "document",
                                                       "document_id": letter.json["id"]}
    assert follower(confirmed, "44084")["letter"]["kind"] == "document"  # the scan, confirmed
    # the application page shows what was read beside each document
    from tests.app.test_call_pages import login

    login(client, "admin@example.org")
    page = client.get(f"/aanvragen/{draft['id']}").get_data(as_text=True)
    row = page[page.index(f'data-document="{letter.json["id"]}"'):]
    assert "noemt de volgstad" in row[:row.index("</tr>")]
    row = page[page.index(f'data-document="{scan.json["id"]}"'):]
    assert "geen tekstlaag" in row[:row.index("</tr>")]
