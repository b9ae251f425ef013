"""Receipts cover the content and the documents; amendments name every change and say why."""

import hashlib

import pytest

from evaluation.audit import canonical_json
from evaluation.submission import (
    DocumentRef,
    InvalidAmendment,
    amendment_changes,
    receipt_hash,
)

CONTENT = {"title": "Slimme parking", "requested_grant_cents": 48_000_000, "domains": ["mobility"]}
PROPOSAL = DocumentRef("proposal", "a" * 64)
LETTER = DocumentRef("letter_of_intent", "b" * 64, "44021")


def test_the_receipt_hash_can_be_recomputed_by_anyone():
    body = {
        "v": 1,
        "application": CONTENT,
        "documents": [LETTER.to_dict(), PROPOSAL.to_dict()],
    }
    expected = hashlib.sha256(canonical_json(body)).hexdigest()
    assert receipt_hash(CONTENT, [PROPOSAL, LETTER]) == expected
    assert receipt_hash(dict(reversed(CONTENT.items())), [LETTER, PROPOSAL]) == expected


def test_the_receipt_changes_with_the_content_or_a_document():
    base = receipt_hash(CONTENT, [PROPOSAL])
    assert receipt_hash({**CONTENT, "requested_grant_cents": 53_000_000}, [PROPOSAL]) != base
    assert receipt_hash(CONTENT, [PROPOSAL, LETTER]) != base
    assert receipt_hash(CONTENT, [DocumentRef("proposal", "c" * 64)]) != base


def test_an_amendment_lists_old_and_new_values():
    changes = amendment_changes(
        CONTENT, {"requested_grant_cents": 53_000_000}, "Budget correction agreed on 3 July"
    )
    assert [c.to_dict() for c in changes] == [
        {"field": "requested_grant_cents", "old": 48_000_000, "new": 53_000_000}
    ]


@pytest.mark.parametrize(
    ("changes", "motivation", "field"),
    [
        ({"requested_grant_cents": 1}, "short", "motivation"),
        ({"requested_grant_cents": 1}, None, "motivation"),
        ({}, "a long enough motivation", "changes"),
        ({"status": "draft"}, "a long enough motivation", "changes.status"),
        ({"title": "Slimme parking"}, "a long enough motivation", "changes.title"),
    ],
)
def test_a_bad_amendment_names_the_field(changes, motivation, field):
    with pytest.raises(InvalidAmendment) as err:
        amendment_changes(CONTENT, changes, motivation)
    assert err.value.field == field
    assert err.value.message_nl
