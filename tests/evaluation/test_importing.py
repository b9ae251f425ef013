"""Bulk import and the application shape rules: row numbers, field errors, all-or-nothing."""

from __future__ import annotations

import json

import pytest

from evaluation.applications import InvalidApplication, application_from_dict
from evaluation.importing import ImportFormatError, parse_import

KNOWN = {"90001", "90002", "90003", "90004", "90005", "90006", "21004"}

VALID = {
    "lead": "90001",
    "partners": [{"refnis": "90002"}, {"organisation": 4, "type": "knowledge_institution"}],
    "domains": ["mobility"],
    "title": "Slimme mobipunten",
    "summary": "Deelmobiliteit aan knooppunten",
    "requested_grant_cents": 8_000_000,
    "total_budget_cents": 10_000_000,
    "deliverables": {"playbook": True, "oslo": ["OSLO Mobiliteit"], "vloca": False},
    "prior_projects": [1],
    "committed_followers": ["90003"],
}


def fields_of(payload, **kwargs):
    with pytest.raises(InvalidApplication) as exc:
        application_from_dict(payload, known_refnis=KNOWN, **kwargs)
    return [e.field for e in exc.value.errors]


def test_valid_payload_round_trips():
    app = application_from_dict(VALID, known_refnis=KNOWN, known_projects={1})
    assert app.local_governments == ("90001", "90002")
    assert app.own_financing_cents == 2_000_000
    d = app.to_dict()
    assert d["partners"] == VALID["partners"]
    assert d["deliverables"]["oslo"] == ["OSLO Mobiliteit"]
    assert application_from_dict(d, known_refnis=KNOWN) == app


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"requested_grant_cents": -5}, "requested_grant_cents"),
        ({"requested_grant_cents": 12.5}, "requested_grant_cents"),
        ({"requested_grant_cents": True}, "requested_grant_cents"),
        ({"total_budget_cents": "100"}, "total_budget_cents"),
        ({"requested_grant_cents": 10_000_001}, "requested_grant_cents"),
        ({"cofinancing_cents": 1_000_000}, "cofinancing_cents"),
        ({"lead": "12345"}, "lead"),
        ({"partners": [{"refnis": "90002"}, {"refnis": "90002"}]}, "partners[1]"),
        ({"partners": [{"refnis": "90001"}]}, "partners[0].refnis"),
        ({"partners": [{"refnis": "90002", "organisation": 3}]}, "partners[0]"),
        ({"partners": [{"organisation": 3, "type": "bank"}]}, "partners[0].type"),
        ({"domains": []}, "domains"),
        ({"domains": ["mobility", "space"]}, "domains[1]"),
        ({"committed_followers": ["90002"]}, "committed_followers[0]"),
        ({"committed_followers": ["90003", "90003"]}, "committed_followers[1]"),
        ({"prior_projects": [0]}, "prior_projects[0]"),
        ({"deliverables": {"playbook": "ja"}}, "deliverables.playbook"),
        ({"title": "  "}, "title"),
    ],
)
def test_bad_payload_names_the_field(change, field):
    assert field in fields_of({**VALID, **change})


def test_every_error_is_collected_at_once():
    payload = {**VALID, "lead": None, "requested_grant_cents": -1, "domains": ["x"]}
    assert {"lead", "requested_grant_cents", "domains[0]"} <= set(fields_of(payload))


def test_unknown_prior_project_and_organisation_when_registry_given():
    assert fields_of(VALID, known_projects={2}) == ["prior_projects[0]"]
    assert fields_of(VALID, known_organisations={9}) == ["partners[1].organisation"]


def test_errors_carry_dutch_messages():
    with pytest.raises(InvalidApplication) as exc:
        application_from_dict({**VALID, "partners": [{"refnis": "90001"}]}, known_refnis=KNOWN)
    assert exc.value.errors[0].message_nl == "de indiener is niet ook partner"
    assert exc.value.to_dict()["errors"][0]["field"] == "partners[0].refnis"


CSV_HEADER = (
    "lead;title;domains;partners;requested_grant_cents;total_budget_cents;playbook;"
    "oslo;committed_followers\n"
)


def test_csv_all_valid_is_imported():
    text = CSV_HEADER + (
        "90001;Slimme mobipunten;mobility;90002|org:4:knowledge_institution;8000000;10000000;ja;"
        "OSLO Mobiliteit;90003|90004\n"
        "90005;Luchtmeetnet;environment,living;;5000000;6000000;nee;;\n"
    )
    report = parse_import(text, "csv", known_refnis=KNOWN)
    assert (report.valid, report.invalid, len(report.imported)) == (2, 0, 2)
    first = report.imported[0]
    assert first.partners[1].organisation_type == "knowledge_institution"
    assert first.committed_followers == ("90003", "90004")
    assert first.deliverables.playbook and first.deliverables.oslo == ("OSLO Mobiliteit",)
    assert report.imported[1].domains == ("environment", "living")


def test_csv_with_an_error_imports_nothing_and_names_row_and_field():
    text = CSV_HEADER + (
        "90001;Slimme mobipunten;mobility;90002;8000000;10000000;ja;;\n"
        "90001;Tweede idee;mobility;90001;12000000;10000000;misschien;;\n"
        "90005;Luchtmeetnet;environment;;5000000;6000000;nee;;\n"
    )
    report = parse_import(text, "csv", known_refnis=KNOWN)
    assert report.imported == ()
    assert [r.row for r in report.rows] == [2, 3, 4]
    bad = report.rows[1]
    assert not bad.ok and bad.row == 3
    assert {e.field for e in bad.errors} == {
        "partners[0].refnis",
        "requested_grant_cents",
        "deliverables.playbook",
    }
    again = parse_import(text, "csv", known_refnis=KNOWN, import_valid_rows=True)
    assert [a.title for a in again.imported] == ["Slimme mobipunten", "Luchtmeetnet"]
    d = again.to_dict()
    assert (d["total"], d["valid"], d["invalid"], d["imported"]) == (3, 2, 1, 2)
    assert d["rows"][1]["errors"][0]["field"]


def test_csv_comma_delimited_with_bom_and_cp1252():
    text = (
        "\ufefflead,title,domains,requested_grant_cents,total_budget_cents\n"
        "90001,Café-sensoren,mobility;economy,100,200\n"
    )
    report = parse_import(text.encode("cp1252", errors="ignore"), "csv", known_refnis=KNOWN)
    assert report.rows[0].ok and report.imported[0].title == "Café-sensoren"
    assert report.imported[0].domains == ("mobility", "economy")


def test_a_binary_file_is_reported_row_by_row_not_a_crash():
    """Bytes neither UTF-8 nor Windows-1252 (0x81 is undefined there) still decode; the rows
    then carry the errors (the API answered 500 before, found by the conformance run)."""
    data = (b"lead,title,domains,requested_grant_cents,total_budget_cents\n"
            b"\x81\x8d\x01,\x9d,\x8f,\x90,1\n")
    report = parse_import(data, "csv", known_refnis=KNOWN)
    assert report.invalid == len(report.rows) == 1 and not report.imported
    with pytest.raises(ImportFormatError):  # without the columns: the one clear format error
        parse_import(b"\x81\x8d\x00\x01", "csv", known_refnis=KNOWN)


def test_csv_non_numeric_amount_is_one_clear_error():
    text = (
        "lead;title;domains;requested_grant_cents;total_budget_cents\n"
        "90001;Idee;mobility;€ 80.000;10000000\n"
    )
    row = parse_import(text, "csv", known_refnis=KNOWN).rows[0]
    assert [(e.field, e.message) for e in row.errors] == [
        ("requested_grant_cents", "must be a whole number of euro cents")
    ]


def test_csv_duplicate_row_is_reported_on_the_later_row():
    line = "90001;Idee;mobility;100;200\n"
    text = "lead;title;domains;requested_grant_cents;total_budget_cents\n" + line + line
    report = parse_import(text, "csv", known_refnis=KNOWN)
    assert report.rows[0].ok and not report.rows[1].ok
    assert report.rows[1].errors[0].message == "same lead and title as row 2"


def test_csv_missing_or_unknown_columns_reject_the_file():
    with pytest.raises(ImportFormatError) as exc:
        parse_import("lead;title\n90001;x\n", "csv")
    assert "domains" in exc.value.message and "ontbrekende" in exc.value.message_nl
    with pytest.raises(ImportFormatError):
        parse_import("lead;title;domains;requested_grant_cents;total_budget_cents;kleur\n", "csv")


def test_json_rows_count_from_one():
    data = [VALID, {**VALID, "title": "Ander", "total_budget_cents": -1}, "niet-een-object"]
    report = parse_import(json.dumps(data), "json", known_refnis=KNOWN)
    assert [(r.row, r.ok) for r in report.rows] == [(1, True), (2, False), (3, False)]
    assert report.rows[1].errors[0].field == "total_budget_cents"
    assert report.rows[2].errors[0].field == "application"
    assert report.imported == ()


def test_json_that_is_not_an_array_or_not_json():
    with pytest.raises(ImportFormatError):
        parse_import('{"lead": "90001"}', "json")
    with pytest.raises(ImportFormatError) as exc:
        parse_import("[{", "json")
    assert "JSON" in exc.value.message
    with pytest.raises(ImportFormatError):
        parse_import("", "xlsx")
