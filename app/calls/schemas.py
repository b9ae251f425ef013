"""Marshmallow schemas of the calls and applications API (types, lengths, unknown fields).

The schemas check what JSON can get wrong (types, lengths, enumerations, unknown fields); the
rules of a call or an application (weights summing to more than 0, a grant not above the budget,
a partner listed twice, ...) are checked once, in ``evaluation``, after loading.
Money in euro cents (whole numbers), percentages 0-100.
"""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate

from app.core.limits import DECISION_MOTIVATION, MAX_CENTS, MAX_ID, YEAR_RANGE
from app.core.schemas import StrictSchema
from app.models import APPLICATION_STATUSES
from evaluation.applications import DELIVERABLE_LINKS
from evaluation.calls import (
    CALL_TYPES,
    INDICATOR_NAMES,
    LEAD_RULES,
    MAX_FOLLOWER_DISTANCE_KM,
    PRESETS,
)
from evaluation.publication import SELECTION_RULES
from matching.registry import DOMAINS

_money = {"strict": True, "allow_none": True, "validate": validate.Range(max=MAX_CENTS)}
_text = validate.Length(max=5000)


class CriterionInSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z][a-z0-9_-]{0,39}$", error="lower-case letters, digits, - or _, at most 40"))
    name = fields.String(validate=validate.Length(max=200), metadata={"description": "= name_nl"})
    name_nl = fields.String(validate=validate.Length(max=200))
    name_en = fields.String(validate=validate.Length(max=200))
    description = fields.String(validate=_text, metadata={"description": "= description_nl"})
    description_nl = fields.String(validate=_text)
    description_en = fields.String(validate=_text)
    weight = fields.Float(allow_nan=False, validate=validate.Range(min=-1e9, max=1e9))
    scale_min = fields.Float(allow_nan=False, validate=validate.Range(min=-1e6, max=1e6))
    scale_max = fields.Float(allow_nan=False, validate=validate.Range(min=-1e6, max=1e6))
    scale_step = fields.Float(allow_nan=False, validate=validate.Range(min=-1e6, max=1e6))
    threshold = fields.Float(allow_nan=False, allow_none=True, validate=validate.Range(min=-1e6, max=1e6))
    group = fields.String(allow_none=True, validate=validate.Length(max=40))
    indicator = fields.String(allow_none=True, validate=validate.OneOf(INDICATOR_NAMES))


class CallFieldsSchema(StrictSchema):
    """Rules of a call; any field left out keeps the preset's (or is not checked)."""

    name = fields.String(validate=validate.Length(min=1, max=200))
    year = fields.Integer(strict=True, validate=YEAR_RANGE)
    call_type = fields.String(validate=validate.OneOf(CALL_TYPES))
    total_budget_cents = fields.Integer(**_money)
    max_grant_cents = fields.Integer(**_money)
    min_grant_cents = fields.Integer(**_money)
    max_subsidy_pct = fields.Float(allow_none=True, allow_nan=False,
                                   validate=validate.Range(min=-1e6, max=1e6))
    min_cofinancing_pct = fields.Float(allow_none=True, allow_nan=False,
                                       validate=validate.Range(min=-1e6, max=1e6))
    allowed_domains = fields.List(fields.String(validate=validate.OneOf(DOMAINS)), allow_none=True,
                                  validate=validate.Length(max=6))
    min_local_governments = fields.Integer(strict=True, allow_none=True,
                                           validate=validate.Range(max=1000))
    lead_rule = fields.String(validate=validate.OneOf(LEAD_RULES))
    max_applications_per_lead = fields.Integer(strict=True, allow_none=True,
                                               validate=validate.Range(max=1000))
    extra_applications_when_cooperating = fields.Integer(strict=True, validate=validate.Range(max=1000))
    oslo_required = fields.Boolean()
    vloca_required = fields.Boolean()
    follower_distance_km = fields.Float(
        allow_nan=False, validate=validate.Range(min=0, max=MAX_FOLLOWER_DISTANCE_KM, min_inclusive=False),
        metadata={"description": "km; a farther follower without a shared project counts reduced"})
    indicators_folded = fields.Boolean(metadata={
        "description": "jurors see the indicators (scoring page, application page and API) only "
                       "once they saved a first draft score on the application"})
    deadline = fields.Date(allow_none=True)
    pre_registration_deadline = fields.Date(allow_none=True)
    criteria = fields.List(fields.Nested(CriterionInSchema), validate=validate.Length(max=50))
    selection_rule = fields.String(validate=validate.OneOf(SELECTION_RULES), metadata={
        "description": "which selection publication uses: rank-order (default) or optimal; "
                       "set while the call is a draft"})


class CallCreateSchema(CallFieldsSchema):
    """``{"preset": name}`` (other fields override the preset) or a full call with criteria."""

    preset = fields.String(validate=validate.OneOf(tuple(PRESETS)))


class CriteriaPutSchema(StrictSchema):
    criteria = fields.List(fields.Nested(CriterionInSchema), required=True,
                           validate=validate.Length(max=50))


class CriterionSchema(Schema):
    class Meta:
        ordered = True

    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    name_nl = fields.String()
    name_en = fields.String()
    description = fields.String()
    description_nl = fields.String()
    description_en = fields.String()
    weight = fields.Float()
    scale_min = fields.Float()
    scale_max = fields.Float()
    scale_step = fields.Float()
    threshold = fields.Float(allow_none=True)
    group = fields.String(allow_none=True)
    indicator = fields.String(allow_none=True)
    position = fields.Integer()


class CriterionList(Schema):
    items = fields.List(fields.Nested(CriterionSchema))
    editable = fields.Boolean()


class SourceNoteSchema(Schema):
    field = fields.String()
    source = fields.String()
    note = fields.String()
    interpretation = fields.Boolean()


class CallSchema(CallFieldsSchema):
    class Meta:
        ordered = True

    id = fields.Integer()
    preset = fields.String(allow_none=True)
    criteria = fields.List(fields.Nested(CriterionSchema))
    sources = fields.List(fields.Nested(SourceNoteSchema))
    not_checked = fields.List(fields.String())
    is_demo = fields.Boolean()
    criteria_editable = fields.Boolean()
    application_count = fields.Integer()
    phase = fields.String(metadata={"description": "draft, open, closed, eligibility, jury, "
                                                   "decided or published"})
    next_phase = fields.String(allow_none=True)
    phase_changed_at = fields.String(allow_none=True)
    deadline_at = fields.String(allow_none=True, metadata={
        "description": "the deadline day's last second in Europe/Brussels, as UTC"})
    created_at = fields.String()
    updated_at = fields.String()


class CallList(Schema):
    items = fields.List(fields.Nested(CallSchema))


class PartnerInSchema(StrictSchema):
    """A municipality (``refnis``, or ``VGC``) or an organisation (``organisation`` id)."""

    refnis = fields.String(allow_none=True, validate=validate.Length(max=10))
    organisation = fields.Integer(strict=True, allow_none=True, validate=validate.Range(max=MAX_ID))
    type = fields.String(allow_none=True, validate=validate.Length(max=40))
    name = fields.String(allow_none=True, validate=validate.Length(max=200))
    represents = fields.List(fields.String(validate=validate.Length(max=10)), allow_none=True,
                             validate=validate.Length(max=300),
                             metadata={"description": "intercommunale: REFNIS of the municipalities "
                                                      "it represents (count toward the minimum)"})


class FollowerInSchema(StrictSchema):
    """A committed follower with its evidence; ``letter`` is the secretariat's confirmation."""

    refnis = fields.String(required=True, validate=validate.Length(max=10))
    letter = fields.Boolean(truthy={True}, falsy={False},
                            metadata={"description": "a letter of intent names it (admin only)"})
    letter_document = fields.Integer(strict=True, allow_none=True,
                                     validate=validate.Range(min=1, max=MAX_ID))


class FollowerField(fields.Field):
    """A REFNIS string, or a :class:`FollowerInSchema` object (the follower with its letter)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            if len(value) > 10:
                raise ValidationError("Longer than maximum length 10.")
            return value
        if isinstance(value, dict):
            return FollowerInSchema().load(value)
        raise ValidationError("a REFNIS code or an object with refnis and letter")


def _flag() -> fields.Boolean:
    """A JSON true/false only ("yes" or 1 are refused, as evaluation.applications does)."""
    return fields.Boolean(truthy={True}, falsy={False})


class ApplicationDeliverablesSchema(StrictSchema):
    playbook = _flag()
    model_specification = _flag()
    open_source = _flag()
    open_data = _flag()
    oslo = fields.List(fields.String(validate=validate.Length(min=1, max=100)),
                       validate=validate.Length(max=50))
    vloca = _flag()
    links = fields.Dict(keys=fields.String(validate=validate.OneOf(DELIVERABLE_LINKS)),
                        values=fields.String(allow_none=True, validate=validate.Length(max=500)),
                        metadata={"description": "deliverable -> web address of what is delivered; "
                                                 "only a linked deliverable counts in the indicators"})


class ApplicationInSchema(StrictSchema):
    """POST body (PATCH: any subset). Rules are checked by evaluation.applications."""

    lead = fields.String(validate=validate.Length(max=10),
                         metadata={"description": "REFNIS of the lead, or VGC"})
    partners = fields.List(fields.Nested(PartnerInSchema), validate=validate.Length(max=100))
    domains = fields.List(fields.String(validate=validate.Length(max=40)),
                          validate=validate.Length(max=12))
    title = fields.String(validate=validate.Length(max=300))
    summary = fields.String(allow_none=True, validate=validate.Length(max=10000))
    requested_grant_cents = fields.Integer(**_money)
    total_budget_cents = fields.Integer(**_money)
    cofinancing_cents = fields.Integer(**_money, metadata={"description": "default: total - grant"})
    deliverables = fields.Nested(ApplicationDeliverablesSchema)
    prior_projects = fields.List(fields.Integer(strict=True, validate=validate.Range(max=MAX_ID)),
                                 validate=validate.Length(max=50))
    committed_followers = fields.List(
        FollowerField(metadata={"oneOf": [
            {"type": "string", "maxLength": 10},
            {"type": "object", "required": ["refnis"], "additionalProperties": False,
             "properties": {"refnis": {"type": "string", "maxLength": 10},
                            "letter": {"type": "boolean"},
                            "letter_document": {"type": "integer", "nullable": True}}}]}),
        validate=validate.Length(max=300))
    cofinancing_backed_cents = fields.Integer(**_money, metadata={
        "description": "co-financing a budget annex backs or the secretariat confirmed (admin only)"})
    knowledge_sharing = fields.List(fields.String(validate=validate.Length(max=2000)),
                                    validate=validate.Length(max=20))
    prior_project_references = fields.List(
        fields.String(validate=validate.Length(max=500)), validate=validate.Length(max=20),
        metadata={"description": "earlier projects not in the registry (a scaling call verifies them)"})
    status = fields.String(validate=validate.OneOf(("draft", "submitted")),
                           metadata={"description": "draft or submitted (default; submitting "
                                                    "locks it and gives the receipt)"})


class ReceiptSchema(Schema):
    sha256 = fields.String()
    submitted_at = fields.String(allow_none=True)
    pdf = fields.String(metadata={"description": "URL of the receipt PDF"})


class ApplicationSchema(Schema):
    class Meta:
        ordered = True

    id = fields.Integer()
    call_id = fields.Integer()
    lead = fields.String()
    lead_name = fields.String()
    partners = fields.List(fields.Dict())
    domains = fields.List(fields.String())
    title = fields.String()
    summary = fields.String()
    requested_grant_cents = fields.Integer()
    total_budget_cents = fields.Integer()
    cofinancing_cents = fields.Integer()
    deliverables = fields.Dict()
    prior_projects = fields.List(fields.Integer())
    committed_followers = fields.List(fields.String())
    follower_letters = fields.List(fields.String(), metadata={
        "description": "followers with a letter of intent (only these count)"})
    cofinancing_backed_cents = fields.Integer()
    knowledge_sharing = fields.List(fields.String())
    prior_project_references = fields.List(fields.String())
    status = fields.String()
    origin = fields.String()
    submitted_at = fields.String(allow_none=True)
    created_at = fields.String()
    updated_at = fields.String()
    override = fields.Dict(allow_none=True)
    eligibility = fields.Dict(metadata={"description": '{"eligible", "flagged", "final_eligible", '
                                                      '"override", "rules": [{"code", "status", '
                                                      '"passed", "reason", ...}]}'})
    indicators = fields.Dict(allow_none=True, metadata={
        "description": '{"leverage": {"score", "components": [{"name", "value", "contribution", '
                       '"explanation", ...}]}, "scalability": ..., "on_scale": {criterion: '
                       'score}}; null while indicators_folded'})
    indicators_folded = fields.Boolean(metadata={
        "description": "true for a juror of a call that folds the indicators (the default) until "
                       "they saved a first draft score on this application (against anchoring); "
                       "the indicators are then null"})
    receipt = fields.Nested(ReceiptSchema, allow_none=True, metadata={
        "description": "after submission: SHA-256 of the submitted content, time, PDF"})
    withdrawn_at = fields.String(allow_none=True)
    amendments = fields.Integer(metadata={"description": "amendments made after the deadline"})


class ApplicationList(Schema):
    items = fields.List(fields.Nested(ApplicationSchema))
    total = fields.Integer()


class ApplicationListArgs(StrictSchema):
    status = fields.String(validate=validate.OneOf(APPLICATION_STATUSES))
    evaluate = fields.Boolean(load_default=True,
                              metadata={"description": "include eligibility and indicators"})


class TransitionInSchema(StrictSchema):
    to = fields.String(required=True, validate=validate.Length(min=1, max=40),
                       metadata={"description": "the next phase"})


class WithdrawInSchema(StrictSchema):
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class AmendmentInSchema(StrictSchema):
    changes = fields.Dict(keys=fields.String(validate=validate.Length(max=40)), required=True,
                          metadata={"description": "field → new value (API input names)"})
    motivation = fields.String(required=True, validate=validate.Length(max=5000))


class OverrideInSchema(StrictSchema):
    eligible = fields.Boolean(required=True, allow_none=True,
                              metadata={"description": "true/false; null clears the override"})
    motivation = fields.String(required=True, validate=DECISION_MOTIVATION)


class AdviceArgs(StrictSchema):
    max_distance_km = fields.Float(allow_nan=False, validate=validate.Range(min=0, max=1000),
                                   metadata={"description": "default: the call's follower distance"})
    include_far = fields.Boolean(load_default=False,
                                 metadata={"description": "also candidates beyond the distance"})
    max_followers = fields.Integer(load_default=3, validate=validate.Range(min=1, max=3))


class ConsortiumAdviceSchema(Schema):
    base_score = fields.Float(metadata={"description": "leverage + scalability of the draft"})
    final_score = fields.Float()
    max_distance_km = fields.Float(allow_none=True)
    suggestions = fields.List(fields.Dict())


class SensitivityArgs(StrictSchema):
    top_n = fields.Integer(load_default=3, validate=validate.Range(min=1, max=1000))


class SensitivitySchema(Schema):
    top_n = fields.Integer()
    delta = fields.Float()
    weights = fields.Dict()
    baseline = fields.List(fields.Dict())
    scenarios = fields.List(fields.Dict())
    stable_top_n = fields.List(fields.Integer())
    unstable_top_n = fields.List(fields.Integer())
    stable_rank = fields.List(fields.Integer())
    source = fields.String()
    titles = fields.Dict()


class ImportJsonSchema(StrictSchema):
    """JSON body of the import: applications in the API shape; multipart takes a CSV/JSON file."""

    applications = fields.List(fields.Raw(), required=True, validate=validate.Length(max=2000))
    import_valid_rows = fields.Boolean(load_default=False)


class ImportReportSchema(Schema):
    total = fields.Integer()
    valid = fields.Integer()
    invalid = fields.Integer()
    imported = fields.Integer()
    import_valid_rows = fields.Boolean()
    rows = fields.List(fields.Dict())
    created = fields.List(fields.Integer())


class RecomputeInSchema(StrictSchema):
    motivation = fields.String(required=True, validate=DECISION_MOTIVATION,
                               metadata={"description": "why the frozen evaluation is recomputed"})


class DifferenceSchema(Schema):
    path = fields.String(metadata={"description": "e.g. applications.12.indicators.leverage.score"})
    old = fields.Raw(allow_none=True)
    new = fields.Raw(allow_none=True)


class SnapshotAnswer(Schema):
    """The frozen evaluation of a call (docs/jury.md §6b)."""

    call = fields.Integer()
    frozen = fields.Boolean()
    frozen_at = fields.String(allow_none=True)
    reason = fields.String(metadata={"description": "closed, deadline or recomputed"})
    by = fields.Integer(allow_none=True, metadata={"description": "user id of the secretariat"})
    registry_version = fields.List(fields.String())
    weights = fields.Dict()
    applications = fields.List(fields.Integer())
    sha256 = fields.String()
    differences = fields.List(fields.Nested(DifferenceSchema))
# Answers of the call lifecycle and document endpoints (documentation of what the services build).


class PhaseSchema(Schema):
    phase = fields.String()
    next = fields.String(allow_none=True, metadata={"description": "the next phase, if any"})
    name_nl = fields.String()
    name_en = fields.String()
    next_nl = fields.String(allow_none=True)
    next_en = fields.String(allow_none=True)
    deadline_at = fields.String(allow_none=True, metadata={"description": "ISO instant"})
    phase_changed_at = fields.String(allow_none=True)
    selection_rule = fields.String(allow_none=True)


class ReconfirmationStateSchema(Schema):
    juror = fields.Integer()
    reconfirmed_at = fields.String(allow_none=True)


class AmendmentSchema(Schema):
    id = fields.Integer()
    application = fields.Integer()
    changes = fields.List(fields.Dict(), metadata={"description": "{field, old, new} per change"})
    motivation = fields.String()
    by = fields.Integer(allow_none=True)
    at = fields.String()
    reconfirmations = fields.List(fields.Nested(ReconfirmationStateSchema))


class AmendmentList(Schema):
    items = fields.List(fields.Nested(AmendmentSchema))


class ReconfirmedSchema(Schema):
    application = fields.Integer()
    juror = fields.Integer()
    reconfirmed = fields.Integer(metadata={"description": "scores reconfirmed"})


class PendingAmendmentSchema(Schema):
    id = fields.Integer()
    motivation = fields.String()
    at = fields.String()
    fields_ = fields.List(fields.String(), data_key="fields")


class ReconfirmationSchema(Schema):
    application = fields.Integer()
    juror = fields.Integer()
    amendments = fields.List(fields.Nested(PendingAmendmentSchema))


class ReconfirmationList(Schema):
    items = fields.List(fields.Nested(ReconfirmationSchema))


class DocumentUploadSchema(Schema):
    """The multipart body of a document upload (documentation: the view reads it after raising
    the request limit for the file)."""

    file = Upload(required=True, metadata={"description": "a PDF of at most 20 MB"})
    kind = fields.String(required=True, validate=validate.OneOf(("proposal", "letter_of_intent",
                                                                 "budget")))
    refnis = fields.String(metadata={"description": "the follower's REFNIS (letter of intent only)"})


class DocumentSchema(Schema):
    id = fields.Integer()
    application = fields.Integer()
    kind = fields.String()
    refnis = fields.String(allow_none=True)
    sha256 = fields.String()
    size = fields.Integer(metadata={"description": "bytes"})
    pages = fields.Integer(allow_none=True)
    filename = fields.String()
    uploaded_at = fields.String()
    url = fields.String()


class DocumentList(Schema):
    items = fields.List(fields.Nested(DocumentSchema))


class ImportUploadSchema(Schema):
    """The multipart form of an application import."""

    file = Upload(required=True, metadata={"description": "CSV or JSON, at most 1 MB"})
    format = fields.String(validate=validate.OneOf(("csv", "json")),
                           metadata={"description": "default: from the file name"})
    import_valid_rows = fields.Boolean(load_default=False)
