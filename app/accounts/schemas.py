"""Inputs and answers of the personal-data endpoints (docs/privacy.md)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.accounts.personal_data import ERASE_REASONS
from app.core.schemas import StrictSchema


class EraseInSchema(StrictSchema):
    reason = fields.String(load_default="request", validate=validate.OneOf(ERASE_REASONS),
                           metadata={"description": "request (the person asked) or retention"})
    account = fields.Boolean(load_default=False,
                             metadata={"description": "anonymise the user account as well"})


class PersonSchema(Schema):
    pseudonym = fields.String()
    user = fields.Integer(allow_none=True)
    email = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    created_at = fields.String()
    retained_until = fields.String(allow_none=True, metadata={
        "description": "date from which the link may be erased; null while a call it concerns "
                       "is open"})
    expired = fields.Boolean()
    erased_at = fields.String(allow_none=True)
    erased_reason = fields.String(allow_none=True)


class PersonList(Schema):
    items = fields.List(fields.Nested(PersonSchema))
    retention_years = fields.Integer()


class ExportAnswer(Schema):
    """Everything the service holds about one user (``records`` by ``table.column``)."""

    generated_at = fields.String()
    about = fields.String()
    user = fields.Dict()
    audit_identity = fields.Dict(allow_none=True)
    audit_entries = fields.List(fields.Dict())
    login_failures = fields.List(fields.Dict())
    records = fields.Dict()
