"""Schema building blocks shared by every feature, and the problem details schema."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import INCLUDE, RAISE, Schema, fields, validate

REFNIS = validate.Regexp(r"^\d{5}$", error="must be a 5-digit REFNIS code, e.g. 44021")


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


class PageArgs(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class ProblemSchema(Schema):
    """RFC 9457 problem details; extension members (``report``, ``reason``...) may follow."""

    class Meta:
        unknown = INCLUDE

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String()
    errors = fields.List(fields.Dict())


class UploadSchema(Schema):
    """A multipart/form-data body with one file (documentation: the view reads it after its size
    check)."""

    file = Upload(required=True, metadata={"description": "the file (CSV, XLSX or PDF as the "
                                                          "operation says); at most 1 MB"})
