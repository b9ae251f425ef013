"""Marshmallow schemas of the follow-up API: the one validation of every input, and the shapes the
OpenAPI document shows."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.schemas import REFNIS, StrictSchema, Upload
from app.models import ADOPTION_STATUSES, REPORT_KINDS, RESULT_KINDS
from evaluation.applications import is_checkable_link, is_oslo_specification
from matching.registry import DOMAINS

_URL = fields.Url(schemes={"http", "https"}, validate=validate.Length(max=2000))


class AdoptionInSchema(StrictSchema):
    refnis = fields.String(required=True, validate=REFNIS, metadata={
        "description": "the adopting municipality (a city user: its own)"})
    status = fields.String(required=True, validate=validate.OneOf(ADOPTION_STATUSES))
    evidence_url = fields.Url(load_default=None, allow_none=True, schemes={"http", "https"},
                              validate=validate.Length(max=2000), metadata={
                                  "description": "a public page that shows the adoption"})
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=2000),
                           metadata={"description": "why it was dropped (required then)"})

    @validates_schema
    def check_reason(self, data, **kwargs):
        if data["status"] == "dropped" and not (data.get("reason") or "").strip():
            raise ValidationError("give the reason why the adoption was dropped", "reason")


class AdoptionSchema(Schema):
    id = fields.Integer()
    project = fields.Integer()
    refnis = fields.String()
    name_nl = fields.String()
    status = fields.String()
    evidence_url = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    committed = fields.Boolean(metadata={"description": "a follower named in the application"})
    counts = fields.Boolean(metadata={"description": "implemented and not rejected by the "
                                                     "secretariat: delivered"})
    implemented_at = fields.String(allow_none=True)
    updated_at = fields.String()


class AdoptionList(Schema):
    items = fields.List(fields.Nested(AdoptionSchema))


class ResultInSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(RESULT_KINDS))
    url = _URL
    title = fields.String(load_default="", validate=validate.Length(max=300))

    @validates_schema
    def check_url(self, data, **kwargs):
        """The same rule as the indicators' (evaluation.applications): a link to the thing
        itself, and an OSLO specification under vlaanderen.be."""
        url = data.get("url")
        if not url:
            raise ValidationError("a delivered result needs a link somebody can check", "url")
        if not is_checkable_link(url):
            raise ValidationError("link the repository, dataset or page itself, not a bare site",
                                  "url")
        if data["kind"] == "oslo_specification" and not is_oslo_specification(url):
            raise ValidationError("an OSLO specification is published under vlaanderen.be", "url")


class ReportInSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(REPORT_KINDS))
    text = fields.String(required=True, validate=validate.Length(min=10, max=50000))
    results = fields.List(fields.Nested(ResultInSchema), load_default=list,
                          validate=validate.Length(max=50))


class ReportReviewInSchema(StrictSchema):
    decision = fields.String(required=True, validate=validate.OneOf(("approved", "changes")))
    motivation = fields.String(required=True, validate=validate.Length(min=3, max=5000))


class MilestoneInSchema(StrictSchema):
    due_date = fields.Date(required=True, allow_none=True)


class MilestoneSchema(Schema):
    id = fields.Integer()
    project = fields.Integer()
    code = fields.String(metadata={"description": "a deliverable or final_report"})
    due_date = fields.String(allow_none=True)
    delivered_at = fields.String(allow_none=True)
    overdue = fields.Boolean()


class MilestoneList(Schema):
    items = fields.List(fields.Nested(MilestoneSchema))


class ReportUploadSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(REPORT_KINDS))
    text = fields.String(required=True)
    results = fields.String(metadata={"description": "JSON list of {kind, url, title}"})
    file = Upload(metadata={"description": "the report as PDF (optional), at most 20 MB"})


class CreatedProjects(Schema):
    created = fields.List(fields.Integer(), metadata={"description": "ids of the new projects"})


class ExPostArgs(StrictSchema):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "xlsx")))


class ReportSchema(Schema):
    id = fields.Integer()
    project = fields.Integer()
    kind = fields.String()
    text = fields.String()
    results = fields.List(fields.Dict())
    status = fields.String(metadata={"description": "submitted, approved or changes"})
    document = fields.Dict(allow_none=True)
    submitted_at = fields.String()
    reviewed_at = fields.String(allow_none=True)
    review_motivation = fields.String(allow_none=True)


class ReportList(Schema):
    items = fields.List(fields.Nested(ReportSchema))


class FollowUpSchema(Schema):
    project = fields.Integer()
    application = fields.Integer()
    call = fields.Integer()
    lead = fields.String(allow_none=True)
    status = fields.String()
    milestones = fields.List(fields.Nested(MilestoneSchema))
    reports = fields.List(fields.Nested(ReportSchema))
    adoptions = fields.List(fields.Nested(AdoptionSchema))
    balance_due_at = fields.String(allow_none=True)
    indicators_at_decision = fields.Dict(allow_none=True)


class ExPostSchema(Schema):
    call = fields.Integer()
    name = fields.String()
    year = fields.Integer()
    totals = fields.Dict()
    items = fields.List(fields.Dict())


class ClusterAdoptInSchema(StrictSchema):
    clusters = fields.List(fields.Integer(strict=True, validate=validate.Range(min=0)),
                           load_default=None, allow_none=True, validate=validate.Length(max=500),
                           metadata={"description": "positions in the plan's cluster list; "
                                                    "left out: every cluster"})


class ClusterMemberInSchema(StrictSchema):
    refnis = fields.String(required=True, validate=REFNIS)
    role = fields.String(required=True, validate=validate.OneOf(("follower", "observer")))


class SessionInSchema(StrictSchema):
    held_on = fields.Date(required=True)
    topic = fields.String(required=True, validate=validate.Length(min=3, max=300))
    attendance = fields.List(fields.String(validate=REFNIS), load_default=list,
                             validate=validate.Length(max=400),
                             metadata={"description": "REFNIS codes of the members present"})
    material_url = fields.Url(load_default=None, allow_none=True, schemes={"http", "https"},
                              validate=validate.Length(max=2000))


class ClusterListArgs(StrictSchema):
    domain = fields.String(validate=validate.OneOf(DOMAINS))


class ClusterMemberSchema(Schema):
    refnis = fields.String()
    name_nl = fields.String()
    role = fields.String(metadata={"description": "lighthouse, follower or observer"})
    population = fields.Integer(allow_none=True)


class SessionSchema(Schema):
    id = fields.Integer()
    cluster = fields.Integer()
    held_on = fields.String()
    topic = fields.String()
    attendance = fields.List(fields.String())
    material_url = fields.String(allow_none=True)


class ClusterSchema(Schema):
    id = fields.Integer()
    plan = fields.Integer(allow_none=True)
    domain = fields.String()
    lighthouse = fields.String()
    adopted_at = fields.String()
    members = fields.List(fields.Nested(ClusterMemberSchema))
    sessions = fields.List(fields.Nested(SessionSchema))
    adoptions = fields.List(fields.Dict(), metadata={
        "description": "adoptions by members of projects the lighthouse led in the domain"})


class ClusterList(Schema):
    items = fields.List(fields.Dict())


class ProgrammeSchema(Schema):
    as_of = fields.String()
    small_population = fields.Integer()
    domains = fields.List(fields.Dict())


class OpenDataArgs(StrictSchema):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


class OpenDataSchema(Schema):
    licence = fields.String()
    generated_at = fields.String()
    items = fields.List(fields.Dict())
