"""Hash chain of the jury's audit log: every entry's hash covers its content and the previous hash.

The app stores entries (score, motivation, conflict, assignment change, override, consensus …) in an
append-only table; this module only computes and verifies hashes. Changing, removing, inserting or
reordering an entry breaks the chain at that point: either the entry's own hash no longer matches
its content, or the next entry's ``prev_hash`` no longer matches.

**Hash.** ``sha256`` (hex) of the canonical JSON of
``{"v": 1, "prev": prev_hash, "timestamp": timestamp_iso, "actor": actor, "action": action,
"payload": payload}``: keys sorted, no spaces, UTF-8, NaN and infinity refused. The payload must
be JSON-native (strings, integers, floats, booleans, None, lists, objects with string keys);
convert decimals and dates to strings before hashing, and store the timestamp text exactly as
hashed. The first entry's ``prev_hash`` is ``GENESIS_HASH``.

**Limit.** A chain alone cannot show that its *last* entries were cut off or that the last entry
was rewritten together with its hash. Keep the head hash somewhere else as well (a printed report,
a second store) and pass it as ``expected_head`` to :func:`verify_chain`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: ``prev_hash`` of the first entry of a chain.
GENESIS_HASH = "0" * 64

#: Version of the hashed layout, hashed with it so a future layout cannot collide.
HASH_VERSION = 1


class InvalidAuditEntry(Exception):
    """Content that cannot be hashed canonically (not JSON-native, NaN, a wrong type)."""


def canonical_json(value: Any) -> bytes:
    """The canonical UTF-8 JSON of ``value``: sorted keys, no spaces, no NaN."""
    try:
        text = json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as err:
        raise InvalidAuditEntry(f"not canonical JSON: {err}") from None
    return text.encode("utf-8")


def entry_hash(
    prev_hash: str, payload: Mapping[str, Any], timestamp_iso: str, actor: str, action: str
) -> str:
    """Hex sha256 of an entry chained to ``prev_hash``; see the module docstring."""
    for name, value in (
        ("prev_hash", prev_hash),
        ("timestamp_iso", timestamp_iso),
        ("actor", actor),
        ("action", action),
    ):
        if not isinstance(value, str):
            raise InvalidAuditEntry(f"{name} must be a string")
    if not isinstance(payload, Mapping):
        raise InvalidAuditEntry("payload must be a mapping")
    body = {
        "v": HASH_VERSION,
        "prev": prev_hash,
        "timestamp": timestamp_iso,
        "actor": actor,
        "action": action,
        "payload": dict(payload),
    }
    return hashlib.sha256(canonical_json(body)).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    """One stored entry of the chain."""

    prev_hash: str
    payload: Mapping[str, Any]
    timestamp: str  # ISO 8601 text, exactly as hashed
    actor: str
    action: str
    hash: str

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> AuditEntry:
        return cls(
            prev_hash=data["prev_hash"],
            payload=data["payload"],
            timestamp=data["timestamp"],
            actor=data["actor"],
            action=data["action"],
            hash=data["hash"],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "prev_hash": self.prev_hash,
            "payload": dict(self.payload),
            "timestamp": self.timestamp,
            "actor": self.actor,
            "action": self.action,
            "hash": self.hash,
        }


def append_entry(
    prev_hash: str | None,
    payload: Mapping[str, Any],
    timestamp_iso: str,
    actor: str,
    action: str,
) -> AuditEntry:
    """The next entry after ``prev_hash`` (None: the first entry, after ``GENESIS_HASH``)."""
    prev = GENESIS_HASH if prev_hash is None else prev_hash
    return AuditEntry(
        prev,
        payload,
        timestamp_iso,
        actor,
        action,
        entry_hash(prev, payload, timestamp_iso, actor, action),
    )


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify_chain`; ``first_bad_index`` is 0-based."""

    ok: bool
    first_bad_index: int | None
    reason: str | None
    checked: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "first_bad_index": self.first_bad_index,
            "reason": self.reason,
            "checked": self.checked,
        }


def verify_chain(
    entries: Sequence[AuditEntry | Mapping[str, Any]],
    *,
    expected_head: str | None = None,
    genesis: str = GENESIS_HASH,
) -> VerifyResult:
    """Check every link and every hash, in storage order; stop at the first break.

    ``expected_head``: the last hash as kept elsewhere, to detect a cut-off or rewritten tail.
    ``genesis``: ``prev_hash`` of the first entry (another value verifies a later segment).
    """
    prev = genesis
    for i, raw in enumerate(entries):
        entry = raw if isinstance(raw, AuditEntry) else AuditEntry.from_mapping(raw)
        if entry.prev_hash != prev:
            where = "the start of the chain" if i == 0 else f"entry {i - 1}"
            return VerifyResult(
                False,
                i,
                f"entry {i} does not follow {where}: an entry was removed, inserted or reordered",
                i,
            )
        try:
            actual = entry_hash(
                entry.prev_hash, entry.payload, entry.timestamp, entry.actor, entry.action
            )
        except InvalidAuditEntry as err:
            return VerifyResult(False, i, f"entry {i} cannot be hashed: {err}", i)
        if actual != entry.hash:
            return VerifyResult(
                False, i, f"entry {i} was modified: its hash does not match its content", i
            )
        prev = entry.hash
    n = len(entries)
    if expected_head is not None and prev != expected_head:
        return VerifyResult(
            False,
            n - 1 if n else None,
            "the last entry is not the expected head: entries were cut off or rewritten",
            n,
        )
    return VerifyResult(True, None, None, n)
