"""The secretariat exports the projects and imports them again: a dry run says per row what
would happen, a round trip changes nothing, and an import is idempotent on the project key.
Runs on SQLite and PostgreSQL (the ``client`` fixture is parametrised over both)."""

from __future__ import annotations

import csv
import io

IMPORT = "/api/v1/projects/import"
EXPORT = "/api/v1/projects/export.csv"


def _export(client, headers) -> str:
    resp = client.get(EXPORT, headers=headers)
    assert resp.status_code == 200, resp.data[:300]
    assert resp.mimetype == "text/csv"
    return resp.data.decode("utf-8")


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _csv(rows: list[dict[str, str]], columns) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _import(client, headers, data: bytes, dry_run: bool, name="projects.csv"):
    return client.post(f"{IMPORT}?dry_run={'true' if dry_run else 'false'}", headers=headers,
                       data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_the_export_lists_edegem_with_mortsel_and_its_source(client, admin_headers):
    rows = {r["key"]: r for r in _rows(_export(client, admin_headers))}
    assert len(rows) == 69
    edegem = rows["cot2017-edegem-slim-beheer-openbaar"]
    assert "11029 partner source-classified" in edegem["participations"]
    assert "11013 lead source-classified" in edegem["participations"]
    assert "https://www.hln.be/regio/edegem/" in edegem["sources"]
    assert edegem["grant_eur"] == "200000" and edegem["domains"] == "governance"


def test_a_round_trip_changes_nothing_and_a_dry_run_says_so(client, admin_headers):
    text = _export(client, admin_headers)
    dry = _import(client, admin_headers, text.encode(), dry_run=True)
    assert dry.status_code == 200, dry.json
    assert dry.json["dry_run"] is True
    assert dry.json["summary"] == {"create": 0, "update": 0, "unchanged": 69, "error": 0,
                                   "left": 0}
    done = _import(client, admin_headers, text.encode(), dry_run=False)
    assert done.status_code == 200 and done.json["summary"]["unchanged"] == 69
    assert _export(client, admin_headers) == text


def test_a_dry_run_shows_creates_updates_errors_and_what_it_leaves_without_writing(
        client, admin_headers):
    text = _export(client, admin_headers)
    columns = list(_rows(text)[0])
    rows = {r["key"]: r for r in _rows(text)}
    edegem = dict(rows["cot2017-edegem-slim-beheer-openbaar"])
    edegem["participations"] += "; 11001 partner declared"  # Aartselaar joins
    new = dict(edegem, key="ev-test-new-project", title="Nieuw project",
               participations="23038 lead verified", sources="https://example.org/x | 2024 | |")
    bad = dict(new, key="Bad Key", year="1850", grant_eur="12.345",
               participations="99999 lead verified; 23038 boss stated")
    kampenhout = rows["cot2017-kampenhout-gemeentelijk-sensornetwerk-voor"]
    data = _csv([edegem, new, bad, kampenhout], columns)
    resp = _import(client, admin_headers, data, dry_run=True)
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert body["summary"] == {"create": 1, "update": 1, "unchanged": 1, "error": 1, "left": 67}
    by_row = {r["row"]: r for r in body["rows"]}
    assert by_row[2]["action"] == "update" and by_row[2]["changes"] == ["participations"]
    assert by_row[3]["action"] == "create"
    fields = {e["field"] for e in by_row[4]["errors"]}
    assert {"key", "year", "grant_eur", "participations.0", "participations.1.role",
            "participations.1.evidence"} <= fields
    assert by_row[5]["action"] == "unchanged"
    # nothing written by the dry run
    assert _export(client, admin_headers) == text
    # committing a file with an error writes nothing either, and names the rows
    refused = _import(client, admin_headers, data, dry_run=False)
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    assert refused.json["rows"][2]["errors"]
    assert _export(client, admin_headers) == text


def test_an_import_creates_and_updates_once_and_is_idempotent(client, admin_headers):
    text = _export(client, admin_headers)
    columns = list(_rows(text)[0])
    edegem = dict(next(r for r in _rows(text) if r["key"] == "cot2017-edegem-slim-beheer-openbaar"))
    edegem["participations"] += "; 11001 partner declared"
    new = dict(edegem, key="ev-test-new-project", title="Nieuw project", summary="",
               participations="23038 lead verified", sources="https://example.org/x | 2024 | |")
    data = _csv([edegem, new], columns)
    first = _import(client, admin_headers, data, dry_run=False)
    assert first.status_code == 200, first.json
    assert first.json["summary"]["create"] == 1 and first.json["summary"]["update"] == 1
    again = _import(client, admin_headers, data, dry_run=True)
    assert again.json["summary"] == {"create": 0, "update": 0, "unchanged": 2, "error": 0,
                                     "left": 68}
    project = client.get("/api/v1/projects?q=Nieuw project").json["items"][0]
    assert project["key"] == "ev-test-new-project"
    assert [(p["refnis"], p["role"], p["evidence_level"])
            for p in project["participations"]] == [("23038", "lead", "verified")]
    assert project["sources"][0]["url"] == "https://example.org/x"


def test_an_xlsx_file_is_read_like_a_csv(client, admin_headers):
    from openpyxl import Workbook

    text = _export(client, admin_headers)
    rows = _rows(text)
    book = Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for row in rows[:5]:
        sheet.append([int(v) if k == "year" else v for k, v in row.items()])
    out = io.BytesIO()
    book.save(out)
    resp = _import(client, admin_headers, out.getvalue(), dry_run=True, name="projects.xlsx")
    assert resp.status_code == 200, resp.json
    assert resp.json["summary"]["unchanged"] == 5 and resp.json["summary"]["left"] == 64


def test_a_bad_file_is_a_problem_naming_the_file(client, admin_headers):
    resp = _import(client, admin_headers, b"title,year\nx,2020\n", dry_run=True)
    assert resp.status_code == 400
    assert resp.json["errors"][0]["field"] == "file"
    assert "missing column(s) key, programme" in resp.json["errors"][0]["message"]
    resp = client.post(f"{IMPORT}?dry_run=true", headers=admin_headers, data={},
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and resp.json["errors"][0]["field"] == "file"


def test_only_the_secretariat_imports_and_exports(client, city_token):
    headers = {"Authorization": f"Bearer {city_token}"}
    assert client.get(EXPORT, headers=headers).status_code == 403
    assert client.get(EXPORT).status_code == 401
    assert _import(client, headers, b"key\n", dry_run=True).status_code == 403
