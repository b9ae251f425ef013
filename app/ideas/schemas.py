"""Marshmallow schemas of the ideas API: the one validation of every input, and the shapes the
OpenAPI document shows."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.core.schemas import REFNIS, StrictSchema
from app.models import IDEA_SEEKS
from matching.registry import DOMAINS

_TEXT = validate.Length(max=5000)
_CENTS = validate.Range(min=0, max=10**12)


class IdeaInSchema(StrictSchema):
    refnis = fields.String(load_default=None, validate=REFNIS, metadata={
        "description": "the municipality of the idea (the secretariat names it; a city user "
                       "files for its own)"})
    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    problem = fields.String(load_default="", validate=_TEXT)
    solution = fields.String(load_default="", validate=_TEXT)
    domains = fields.List(fields.String(validate=validate.OneOf(DOMAINS)), required=True,
                          validate=validate.Length(min=1, max=len(DOMAINS)))
    brings = fields.String(load_default="", validate=_TEXT, metadata={
        "description": "what the municipality brings: its own projects and data"})
    seeks = fields.List(fields.String(validate=validate.OneOf(IDEA_SEEKS)), load_default=list,
                        metadata={"description": "what it looks for: " + ", ".join(IDEA_SEEKS)})
    preferred_region = fields.String(load_default=None, allow_none=True,
                                     validate=validate.Length(max=200))
    budget_min_cents = fields.Integer(load_default=None, allow_none=True, strict=True,
                                      validate=_CENTS)
    budget_max_cents = fields.Integer(load_default=None, allow_none=True, strict=True,
                                      validate=_CENTS)
    visible_to_others = fields.Boolean(load_default=True, metadata={
        "description": "whether other local governments may see it (the secretariat always can)"})


class IdeaPatchSchema(IdeaInSchema):
    """Every field optional (only the fields sent change); the municipality stays."""

    def __init__(self, *args, **kwargs):
        kwargs["partial"] = True
        kwargs["exclude"] = ("refnis",)
        super().__init__(*args, **kwargs)


class IdeaSchema(Schema):
    id = fields.Integer()
    call = fields.Integer()
    refnis = fields.String()
    name_nl = fields.String()
    title = fields.String()
    problem = fields.String()
    solution = fields.String()
    domains = fields.List(fields.String())
    brings = fields.String()
    seeks = fields.List(fields.String())
    preferred_region = fields.String(allow_none=True)
    budget_min_cents = fields.Integer(allow_none=True)
    budget_max_cents = fields.Integer(allow_none=True)
    visible_to_others = fields.Boolean()
    application = fields.Integer(allow_none=True, metadata={
        "description": "the draft application an accepted consortium proposal made of it"})
    created_at = fields.String()
    updated_at = fields.String()


class IdeaList(Schema):
    items = fields.List(fields.Nested(IdeaSchema))


class RelatedArgs(StrictSchema):
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))


class RelatedFactor(Schema):
    name = fields.String(metadata={"description": "text_similarity, shared_domains, "
                                   "complementary_roles or distance_km"})
    value = fields.Float(metadata={"description": "text_similarity and shared_domains in [0, 1], "
                                   "complementary_roles in [0, 1] (the experience gap, "
                                   "saturated, or the peer similarity), distance_km in km"})
    contribution = fields.Float(metadata={"description": "what the factor adds to the score"})


class Reasons(Schema):
    nl = fields.String()
    en = fields.String()


class RelatedIdeaSchema(Schema):
    class Meta:
        ordered = True

    idea = fields.Integer()
    refnis = fields.String()
    name_nl = fields.String()
    title = fields.String()
    score = fields.Float(metadata={"description": "the sum of the factor contributions"})
    factors = fields.List(fields.Nested(RelatedFactor))
    reasons = fields.Nested(Reasons)


class RelatedList(Schema):
    idea = fields.Integer()
    items = fields.List(fields.Nested(RelatedIdeaSchema))
    weights = fields.Dict(keys=fields.String(), values=fields.Float(), metadata={
        "description": "the weight of each factor (matching.ideas.relatedness.RelatednessWeights)"})
