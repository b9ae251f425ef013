"""Submission receipts and amendments of an application, as plain data.

**Receipt.** At submission the lead gets a receipt whose ``sha256`` covers the application's
canonical content and its documents: the hex SHA-256 of the canonical JSON (keys sorted, no
spaces, UTF-8; :func:`evaluation.audit.canonical_json`) of
``{"v": 1, "application": content, "documents": [{"kind", "refnis", "sha256"}, ...]}`` with the
documents sorted by kind, REFNIS and hash. Anyone holding the same content and files can
recompute it, so the receipt proves what was submitted without the service's word for it.

**Amendment.** After the deadline only the secretariat changes a submitted application, field by
field, each change with the old value, the new value and a motivation. :func:`amendment_changes`
computes that list and refuses fields that cannot be amended and changes that change nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from evaluation.audit import canonical_json
from evaluation.scoring import InvalidField

#: Version of the hashed receipt layout.
RECEIPT_VERSION = 1

#: Fields of an application the secretariat may amend (the consortium, budget and deliverables).
AMENDABLE_FIELDS: tuple[str, ...] = (
    "title",
    "summary",
    "domains",
    "requested_grant_cents",
    "total_budget_cents",
    "cofinancing_cents",
    "partners",
    "committed_followers",
    "prior_projects",
    "deliverables",
    "knowledge_sharing",
)

#: Shortest motivation of an amendment (characters, after trimming).
MIN_MOTIVATION = 10


class InvalidAmendment(InvalidField):
    """An amendment that cannot be recorded; ``field`` names the input at fault."""


@dataclass(frozen=True)
class DocumentRef:
    """A stored document as the receipt sees it: its kind, the follower's REFNIS and its hash."""

    kind: str
    sha256: str
    refnis: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "refnis": self.refnis, "sha256": self.sha256}


def receipt_hash(content: Mapping[str, Any], documents: Iterable[DocumentRef] = ()) -> str:
    """Hex SHA-256 over the canonical content and the documents' hashes (see module doc)."""
    docs = sorted(documents, key=lambda d: (d.kind, d.refnis or "", d.sha256))
    body = {
        "v": RECEIPT_VERSION,
        "application": dict(content),
        "documents": [d.to_dict() for d in docs],
    }
    return hashlib.sha256(canonical_json(body)).hexdigest()


@dataclass(frozen=True)
class Change:
    """One amended field: the value before and after."""

    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


def amendment_changes(
    current: Mapping[str, Any], changes: Mapping[str, Any], motivation: Any
) -> tuple[Change, ...]:
    """The field changes of an amendment, validated; raises :class:`InvalidAmendment`.

    ``current`` is the application's content as the API shows it; ``changes`` the new values.
    Every field must be amendable and actually change; the motivation must say why.
    """
    if not isinstance(motivation, str) or len(motivation.strip()) < MIN_MOTIVATION:
        raise InvalidAmendment(
            "motivation",
            f"an amendment needs a motivation of at least {MIN_MOTIVATION} characters",
            f"een wijziging heeft een motivering van minstens {MIN_MOTIVATION} tekens nodig",
        )
    if not isinstance(changes, Mapping) or not changes:
        raise InvalidAmendment(
            "changes", "give at least one field to change", "geef minstens één veld om te wijzigen"
        )
    out: list[Change] = []
    for name, value in changes.items():
        if name not in AMENDABLE_FIELDS:
            raise InvalidAmendment(
                f"changes.{name}",
                f"{name} cannot be amended; amendable: {', '.join(AMENDABLE_FIELDS)}",
                f"{name} kan niet gewijzigd worden; wijzigbaar: {', '.join(AMENDABLE_FIELDS)}",
            )
        old = current.get(name)
        if canonical_json(old) == canonical_json(value):
            raise InvalidAmendment(
                f"changes.{name}",
                f"{name} already has this value",
                f"{name} heeft al deze waarde",
            )
        out.append(Change(name, old, value))
    return tuple(out)
