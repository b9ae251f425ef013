"""Application payloads with their evidence: letters, links, representation, backed money."""

from __future__ import annotations

import pytest

from evaluation.applications import (
    Evidence,
    InvalidApplication,
    application_from_dict,
    is_checkable_link,
    is_oslo_specification,
)

KNOWN = {"90001", "90002", "90003", "90004", "90005", "90006", "21004"}


def payload(**overrides):
    base = {
        "lead": "90001",
        "title": "Slimme mobiliteit",
        "domains": ["mobility"],
        "requested_grant_cents": 8_000_000,
        "total_budget_cents": 10_000_000,
    }
    base.update(overrides)
    return base


def test_followers_with_and_without_a_letter():
    app = application_from_dict(
        payload(
            committed_followers=[
                "90003",
                {"refnis": "90004", "letter": True},
                {"refnis": "90005", "letter_document": 12},
            ]
        ),
        known_refnis=KNOWN,
    )
    assert app.committed_followers == ("90003", "90004", "90005")
    assert app.follower_letters == {"90004": Evidence("secretariat"), "90005": Evidence("document", 12)}
    assert not app.has_letter("90003") and app.has_letter("90004")
    assert app.to_dict()["follower_letters"]["90005"] == {"kind": "document", "document_id": 12}


def test_bad_letters_are_named():
    with pytest.raises(InvalidApplication) as exc:
        application_from_dict(
            payload(
                committed_followers=[
                    {"refnis": "90004", "letter": "ja"},
                    {"refnis": "90005", "letter_document": 0},
                    {"refnis": "90006", "signed": True},
                ]
            ),
            known_refnis=KNOWN,
        )
    assert {e.field for e in exc.value.errors} == {
        "committed_followers[0].letter",
        "committed_followers[1].letter_document",
        "committed_followers[2].signed",
    }


def test_an_intercommunale_declares_whom_it_represents():
    app = application_from_dict(
        payload(partners=[{"organisation": 3, "type": "intercommunale", "represents": ["90003", "90004"]}]),
        known_refnis=KNOWN,
    )
    assert app.partners[0].represents == ("90003", "90004")
    with pytest.raises(InvalidApplication) as exc:
        application_from_dict(
            payload(
                partners=[
                    {"organisation": 4, "type": "company", "represents": ["90003"]},
                    {"organisation": 5, "type": "intercommunale", "represents": ["99999", "VGC"]},
                ]
            ),
            known_refnis=KNOWN,
        )
    assert {e.field for e in exc.value.errors} == {
        "partners[0].represents",
        "partners[1].represents[0]",
        "partners[1].represents[1]",
    }


def test_deliverable_links_must_be_web_addresses():
    app = application_from_dict(
        payload(deliverables={"open_source": True, "links": {"open_source": "https://github.com/stad/app"}})
    )
    assert app.deliverables.link("open_source") == "https://github.com/stad/app"
    with pytest.raises(InvalidApplication) as exc:
        application_from_dict(
            payload(deliverables={"links": {"open_source": "our repo", "wishes": "https://x.be/y"}})
        )
    assert {e.field for e in exc.value.errors} == {
        "deliverables.links.open_source",
        "deliverables.links.wishes",
    }


def test_checkable_links_and_oslo_specifications():
    assert is_checkable_link("https://github.com/stad/parkeren")
    assert not is_checkable_link("https://github.com")  # a host names no repository
    assert not is_checkable_link("github.com/stad/parkeren")
    assert not is_checkable_link("OSLO Mobiliteit")
    assert is_oslo_specification("https://data.vlaanderen.be/doc/applicatieprofiel/mobiliteit/")
    assert not is_oslo_specification("https://example.com/oslo/mobiliteit")
    assert not is_oslo_specification("https://evilvlaanderen.be/oslo")


def test_backed_cofinancing_and_prior_project_references():
    app = application_from_dict(
        payload(
            cofinancing_backed_cents=2_000_000,
            prior_project_references=["Slimme verlichting, EFRO 2019"],
        )
    )
    assert app.cofinancing_backed_cents == 2_000_000
    assert app.prior_project_references == ("Slimme verlichting, EFRO 2019",)
    with pytest.raises(InvalidApplication) as exc:
        application_from_dict(payload(cofinancing_backed_cents=2_000_001))
    assert [e.field for e in exc.value.errors] == ["cofinancing_backed_cents"]
