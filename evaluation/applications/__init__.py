"""Applications: the model (``model``) and the payload parser (``parsing``). Import from here."""

from evaluation.applications.model import (
    DELIVERABLE_LINKS,
    EVIDENCE_KINDS,
    ORGANISATION_TYPES,
    Application,
    Deliverables,
    Evidence,
    InvalidApplication,
    Partner,
    is_checkable_link,
    is_oslo_specification,
)
from evaluation.applications.parsing import application_from_dict

__all__ = [
    "DELIVERABLE_LINKS",
    "EVIDENCE_KINDS",
    "ORGANISATION_TYPES",
    "Application",
    "Deliverables",
    "Evidence",
    "InvalidApplication",
    "Partner",
    "application_from_dict",
    "is_checkable_link",
    "is_oslo_specification",
]
