"""Marshmallow schemas of the jury API: jurors, conflicts, assignments, scores, results, audit.

The schemas check what JSON can get wrong (types, ranges, unknown fields). The jury's rules (a
score on the scale and its step, a motivation long enough, a budget not below the smallest grant)
are checked once, in ``evaluation``, so their messages name the field in both languages.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.limits import MAX_ID
from app.core.schemas import StrictSchema
from matching.registry import DOMAINS

_id = {"strict": True, "validate": validate.Range(min=1, max=MAX_ID)}


class AffiliationInSchema(StrictSchema):
    refnis = fields.String(validate=validate.Regexp(
        r"^(\d{5}|VGC)$", error="must be a 5-digit REFNIS code or VGC"))
    organisation = fields.Integer(**_id)

    @validates_schema
    def one_of(self, data, **_kwargs):
        if ("refnis" in data) == ("organisation" in data):
            raise ValidationError("give exactly one of refnis or organisation")


class JurorInSchema(StrictSchema):
    email = fields.Email(required=True, validate=validate.Length(max=255))
    expertise = fields.List(fields.String(validate=validate.OneOf(DOMAINS)), load_default=list,
                            validate=validate.Length(max=6))
    affiliation = fields.Nested(AffiliationInSchema, allow_none=True, load_default=None,
                                metadata={"description": "one affiliation (or give affiliations); "
                                                         "default: the user's own"})
    affiliations = fields.List(fields.Nested(AffiliationInSchema), load_default=None,
                               validate=validate.Length(max=20),
                               metadata={"description": "several affiliations; default: the "
                                                        "user's own"})


class AffiliationsInSchema(StrictSchema):
    affiliations = fields.List(fields.Nested(AffiliationInSchema), required=True,
                               validate=validate.Length(max=20))


class JurorDeclarationInSchema(StrictSchema):
    accept = fields.Boolean(required=True, truthy={True}, falsy={False}, validate=validate.Equal(True),
                            metadata={"description": "true: I sign the declaration"})


class JurorDeclarationSchema(Schema):
    call = fields.Integer()
    juror = fields.Integer(allow_none=True)
    text_nl = fields.String()
    text_en = fields.String()
    version = fields.Integer()
    signed = fields.Boolean()
    signed_at = fields.String(allow_none=True)


class JurorSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    name = fields.String(allow_none=True)
    expertise = fields.List(fields.String())
    affiliation = fields.Dict(allow_none=True, metadata={"description": "the first affiliation"})
    affiliations = fields.List(fields.Dict())
    declaration_signed_at = fields.String(allow_none=True)
    load = fields.Integer()
    submitted = fields.Integer(metadata={"description": "applications with submitted scores"})


class JurorList(Schema):
    items = fields.List(fields.Nested(JurorSchema))


class ConflictInSchema(StrictSchema):
    juror = fields.Integer(strict=True, allow_none=True, load_default=None,
                           validate=validate.Range(min=1, max=MAX_ID),
                           metadata={"description": "call juror id; a juror may leave it out"})
    application = fields.Integer(required=True, **_id)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ConflictSchema(Schema):
    application = fields.Integer()
    juror = fields.Integer()
    kind = fields.String()
    reason_nl = fields.String()
    reason_en = fields.String()


class ConflictList(Schema):
    conflicts = fields.List(fields.Nested(ConflictSchema))


class PairSchema(Schema):
    application = fields.Integer()
    juror = fields.Integer()
    fixed = fields.Boolean()


class ConflictDeclared(Schema):
    conflict = fields.Dict()
    withdrawn = fields.List(fields.Nested(PairSchema))
    added = fields.List(fields.Nested(PairSchema))
    reassignment_error = fields.Dict(allow_none=True)


class AssignmentInSchema(StrictSchema):
    reviewers_per_application = fields.Integer(strict=True, validate=validate.Range(max=1000))
    max_load = fields.Integer(strict=True, validate=validate.Range(max=100000))


class LoadSchema(Schema):
    juror = fields.Integer()
    load = fields.Integer()


class AssignmentResultSchema(Schema):
    assignments = fields.List(fields.Nested(PairSchema))
    loads = fields.List(fields.Nested(LoadSchema))
    objective = fields.Dict()
    status = fields.String()
    reviewers_per_application = fields.Integer()
    max_load = fields.Integer()
    costs = fields.Dict()
    added = fields.List(fields.Nested(PairSchema))
    withdrawn = fields.List(fields.Nested(PairSchema))
    runtime_s = fields.Float(metadata={"description": "seconds the assignment took"})


class AssignmentList(Schema):
    assignments = fields.List(fields.Nested(PairSchema))
    loads = fields.List(fields.Nested(LoadSchema))
    reviewers_per_application = fields.Integer()
    max_load = fields.Integer()


class AssignmentFixed(Schema):
    application = fields.Integer()
    juror = fields.Integer()
    fixed = fields.Boolean()
    created = fields.Boolean()
    warnings = fields.List(fields.Dict())


class ScoreInSchema(StrictSchema):
    score = fields.Raw(allow_none=True, load_default=None,
                       metadata={"description": "a number on the criterion's scale; \"7,5\" too"})
    motivation = fields.String(allow_none=True, load_default="",
                               validate=validate.Length(max=10000))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_ID),
                             metadata={"description": "the version you read; 0 for a new score"})


class ScoreSchema(Schema):
    application = fields.Integer()
    juror = fields.Integer()
    criterion = fields.String()
    score = fields.Float(allow_none=True)
    motivation = fields.String()
    status = fields.String()
    version = fields.Integer()
    updated_at = fields.String(allow_none=True)
    submitted_at = fields.String(allow_none=True)


class ScoreList(Schema):
    application = fields.Integer()
    criteria = fields.List(fields.String())
    blind = fields.Boolean(metadata={"description": "true: other jurors' scores are hidden"})
    submitted = fields.Boolean(allow_none=True)
    items = fields.List(fields.Nested(ScoreSchema))


class ConsensusInSchema(StrictSchema):
    score = fields.Raw(allow_none=True, load_default=None)
    motivation = fields.String(allow_none=True, load_default=None,
                               validate=validate.Length(max=10000))


class ConsensusSchema(Schema):
    application = fields.Integer()
    criterion = fields.String()
    score = fields.Float()
    motivation = fields.String()
    by = fields.String(allow_none=True)
    at = fields.String()


class JurySettingsInSchema(StrictSchema):
    disagreement_spread = fields.Float(allow_none=True, allow_nan=False,
                                       validate=validate.Range(min=0, max=1e6))
    total_threshold = fields.Float(allow_none=True, allow_nan=False,
                                   validate=validate.Range(min=-1e6, max=1e6))
    tie_break = fields.List(fields.String(validate=validate.Length(max=100)),
                            validate=validate.Length(max=20))
    reviewers_per_application = fields.Integer(strict=True,
                                               validate=validate.Range(min=1, max=1000))
    max_load = fields.Integer(strict=True, validate=validate.Range(min=1, max=100000))
    scoring_deadline = fields.Date(allow_none=True)


class JurySettingsSchema(Schema):
    disagreement_spread = fields.Float(allow_none=True)
    disagreement_spread_per_criterion = fields.Dict()
    total_threshold = fields.Float(allow_none=True)
    tie_break = fields.List(fields.String())
    reviewers_per_application = fields.Integer()
    max_load = fields.Integer()
    scoring_deadline = fields.String(allow_none=True)
    published = fields.Boolean()
    published_at = fields.String(allow_none=True)


class AggregationSchema(Schema):
    summaries = fields.List(fields.Dict())
    agreement = fields.List(fields.Dict())
    calibration = fields.List(fields.Dict())
    disagreement_spread = fields.Dict()
    disagreements = fields.List(fields.Dict())
    consensus = fields.List(fields.Nested(ConsensusSchema))
