"""Audit hash chain: tampering with, removing or reordering an entry shows."""

import hashlib
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.audit import (
    GENESIS_HASH,
    AuditEntry,
    InvalidAuditEntry,
    append_entry,
    entry_hash,
    verify_chain,
)

EVENTS = [
    ("user:3", "score.save", {"application": 12, "criterion": "scalability", "score": 7.5}),
    ("user:3", "score.submit", {"application": 12}),
    ("user:1", "conflict.declare", {"application": 12, "juror": 4, "reason": "oud-collega"}),
    ("user:1", "assignment.withdraw", {"application": 12, "juror": 4}),
    ("user:1", "consensus.record", {"application": 12, "criterion": "scalability", "score": 7}),
]


def build_chain(events=EVENTS):
    chain, prev = [], None
    for i, (actor, action, payload) in enumerate(events):
        entry = append_entry(prev, payload, f"2026-03-0{i + 1}T10:00:00+01:00", actor, action)
        chain.append(entry)
        prev = entry.hash
    return chain


def test_the_hash_is_sha256_of_the_canonical_json():
    expected_text = (
        '{"action":"score.save","actor":"user:3","payload":{"application":12,"score":7.5},'
        '"prev":"' + GENESIS_HASH + '","timestamp":"2026-03-01T10:00:00+01:00","v":1}'
    )
    expected = hashlib.sha256(expected_text.encode("utf-8")).hexdigest()
    # key order of the payload does not matter
    payload = {"score": 7.5, "application": 12}
    assert entry_hash(
        GENESIS_HASH, payload, "2026-03-01T10:00:00+01:00", "user:3", "score.save"
    ) == (expected)


def test_an_untouched_chain_verifies():
    chain = build_chain()
    result = verify_chain(chain, expected_head=chain[-1].hash)
    assert result.to_dict() == {"ok": True, "first_bad_index": None, "reason": None, "checked": 5}
    assert verify_chain([]).ok


def test_a_modified_payload_is_detected_at_its_entry():
    chain = build_chain()
    chain[2] = replace(chain[2], payload={**chain[2].payload, "reason": "geen"})
    result = verify_chain(chain)
    assert (result.ok, result.first_bad_index) == (False, 2)
    assert "entry 2 was modified" in result.reason


def test_a_modified_entry_with_a_recomputed_hash_breaks_the_next_link():
    chain = build_chain()
    forged = append_entry(
        chain[1].hash,
        {"application": 12, "score": 10},
        chain[2].timestamp,
        chain[2].actor,
        chain[2].action,
    )
    chain[2] = forged
    result = verify_chain(chain)
    assert (result.ok, result.first_bad_index) == (False, 3)
    assert "does not follow entry 2" in result.reason


def test_a_deleted_entry_is_detected():
    chain = build_chain()
    del chain[1]
    result = verify_chain(chain)
    assert (result.ok, result.first_bad_index) == (False, 1)
    assert "removed, inserted or reordered" in result.reason


def test_a_deleted_first_entry_and_swapped_entries_are_detected():
    chain = build_chain()
    assert verify_chain(chain[1:]).first_bad_index == 0
    swapped = [chain[0], chain[2], chain[1], *chain[3:]]
    assert verify_chain(swapped).first_bad_index == 1


def test_changed_actor_timestamp_or_action_is_detected():
    for field, value in (
        ("actor", "user:9"),
        ("timestamp", "2026-03-03T11:00:00+01:00"),
        ("action", "score.delete"),
    ):
        chain = build_chain()
        chain[3] = replace(chain[3], **{field: value})
        assert verify_chain(chain).first_bad_index == 3


def test_a_cut_off_tail_shows_only_against_the_expected_head():
    chain = build_chain()
    head = chain[-1].hash
    assert verify_chain(chain[:-2]).ok  # a chain alone cannot know it was longer
    result = verify_chain(chain[:-2], expected_head=head)
    assert not result.ok and "cut off" in result.reason


def test_entries_read_back_as_dicts_verify_the_same():
    rows = [e.to_dict() for e in build_chain()]
    assert verify_chain(rows).ok
    rows[4]["payload"]["score"] = 8
    assert verify_chain(rows).first_bad_index == 4
    assert AuditEntry.from_mapping(rows[0]) == build_chain()[0]


def test_content_that_is_not_canonical_json_is_refused():
    with pytest.raises(InvalidAuditEntry):
        entry_hash(GENESIS_HASH, {"score": float("nan")}, "2026-03-01T10:00:00", "a", "b")
    with pytest.raises(InvalidAuditEntry):
        entry_hash(GENESIS_HASH, {"when": object()}, "2026-03-01T10:00:00", "a", "b")
    with pytest.raises(InvalidAuditEntry):
        entry_hash(GENESIS_HASH, {}, "2026-03-01T10:00:00", 3, "b")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3)
    ),
    max_leaves=10,
)


@given(st.dictionaries(st.text(), json_values, max_size=4), st.text())
def test_any_change_to_a_payload_value_breaks_the_chain(payload, key):
    first = append_entry(None, payload, "2026-03-02T12:00:00Z", "user:2", "score.save")
    second = append_entry(first.hash, {"application": 1}, "2026-03-02T12:01:00Z", "user:2", "x")
    assert verify_chain([first, second]).ok
    changed = {**payload, key: ["changed", payload.get(key)]}
    assert verify_chain([replace(first, payload=changed), second]).first_bad_index == 0
