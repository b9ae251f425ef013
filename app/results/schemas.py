"""Marshmallow schemas of the results API and pages: ranking, funding selection, publication,
evaluation summaries and the audit log. The jury's own (jurors, conflicts, assignments, scores,
settings) are ``app.jury.schemas``.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.core.limits import MAX_CENTS
from app.core.schemas import StrictSchema


class RankedSchema(Schema):
    application = fields.Integer()
    title = fields.String()
    rank = fields.Integer()
    total = fields.Float(allow_none=True)
    fundable = fields.Boolean()
    reasons = fields.List(fields.Dict())
    provisional = fields.Boolean()
    scores = fields.List(fields.Dict())
    requested_grant_cents = fields.Integer()
    tie_broken_by = fields.String(allow_none=True)


class RankingSchema(Schema):
    items = fields.List(fields.Nested(RankedSchema))
    tie_break = fields.List(fields.String())
    total_threshold = fields.Float(allow_none=True)


class SelectionInSchema(StrictSchema):
    budget_cents = fields.Integer(strict=True, allow_none=True,
                                  validate=validate.Range(min=-MAX_CENTS, max=MAX_CENTS),
                                  metadata={"description": "default: the call's budget"})
    max_per_domain = fields.Integer(strict=True, allow_none=True,
                                    validate=validate.Range(min=-1000, max=1000))
    max_per_province = fields.Integer(strict=True, allow_none=True,
                                      validate=validate.Range(min=-1000, max=1000))


class UnfundedSchema(Schema):
    application = fields.Integer()
    rank = fields.Integer()
    code = fields.String()
    reason = fields.String()
    reason_nl = fields.String()


class SelectionSchema(Schema):
    funded = fields.List(fields.Integer())
    total_score = fields.Float()
    spent_cents = fields.Integer()
    remaining_cents = fields.Integer()
    unfunded = fields.List(fields.Nested(UnfundedSchema))
    budget_cents = fields.Integer()
    greedy = fields.Dict()
    difference = fields.Dict()
    status = fields.String()
    limits = fields.Dict()
    params = fields.Dict()
    provisional = fields.List(fields.Integer())
    runtime_s = fields.Float(metadata={"description": "seconds the exact selection took"})
    titles = fields.Dict(keys=fields.String(), values=fields.String(),
                         metadata={"description": "application id -> title"})
    published = fields.Raw(allow_none=True, metadata={
        "description": "what publication would fund under the call's selection rule"})


class PublishedSchema(Schema):
    call = fields.Integer()
    published = fields.Boolean()
    published_at = fields.String()
    rule = fields.String(metadata={"description": "rank-order or optimal (the call's rule)"})
    funded = fields.List(fields.Integer())


class SummarySchema(Schema):
    application = fields.Dict()
    call = fields.Dict()
    published = fields.Boolean()
    published_at = fields.String(allow_none=True)
    evaluated = fields.Boolean()
    rank = fields.Integer(allow_none=True)
    of = fields.Integer(allow_none=True, metadata={"description": "applications ranked"})
    total = fields.Float(allow_none=True)
    fundable = fields.Boolean()
    provisional = fields.Boolean()
    reasons = fields.List(fields.Dict())
    criteria = fields.List(fields.Dict())
    eligibility = fields.Dict()
    indicators = fields.Dict()
    decision = fields.Dict()


class AuditListArgs(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    action = fields.String(validate=validate.Length(min=1, max=60))


class AuditEntrySchema(Schema):
    id = fields.Integer()
    prev_hash = fields.String()
    hash = fields.String()
    timestamp = fields.String()
    actor = fields.String(metadata={"description": "person:<pseudonym>, cli or system"})
    person = fields.Dict(allow_none=True, metadata={
        "description": "who the pseudonym stands for (user, email, name), or erased; null for "
                       "a non-person actor"})
    action = fields.String()
    payload = fields.Dict()


class AuditPage(Schema):
    items = fields.List(fields.Nested(AuditEntrySchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class AuditVerifySchema(Schema):
    ok = fields.Boolean()
    entries = fields.Integer()
    head_hash = fields.String()
    head_entries = fields.Integer()
    first_bad_id = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    message = fields.String()
