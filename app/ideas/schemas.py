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


class ProposalArgs(StrictSchema):
    min_size = fields.Integer(load_default=2, strict=True, validate=validate.Range(min=2, max=50),
                              metadata={"description": "fewest ideas in a consortium, lead included"})
    max_size = fields.Integer(load_default=8, strict=True, validate=validate.Range(min=2, max=50))
    time_limit_s = fields.Float(load_default=30.0, validate=validate.Range(min=0.1, max=600),
                                metadata={"description": "seconds the solver may take"})
    fixed_pairs = fields.List(fields.List(fields.Integer(strict=True),
                                          validate=validate.Length(equal=2)),
                              load_default=list, metadata={
                                  "description": "pairs of idea ids that already agreed"})
    forbidden_pairs = fields.List(fields.List(fields.Integer(strict=True),
                                              validate=validate.Length(equal=2)),
                                  load_default=list)


class RunCreated(Schema):
    id = fields.Integer()
    status = fields.String()


class ProposalMember(Schema):
    idea = fields.Integer()
    refnis = fields.String()
    name_nl = fields.String()
    title = fields.String()
    role = fields.String(metadata={"description": "lead or partner"})
    relatedness = fields.Float(allow_none=True, metadata={
        "description": "the member's relatedness to the lead's idea"})
    reasons = fields.Nested(Reasons, allow_none=True)
    response = fields.String(allow_none=True, metadata={"description": "accepted, declined or null"})


class Proposal(Schema):
    index = fields.Integer()
    lead = fields.Integer(metadata={"description": "the idea of the lead"})
    lead_refnis = fields.String()
    members = fields.List(fields.Nested(ProposalMember))
    score = fields.Float(metadata={"description": "the consortium's share of the objective"})
    reasons = fields.Nested(Reasons)


class RunSchema(Schema):
    id = fields.Integer()
    call = fields.Integer()
    status = fields.String(metadata={"description": "queued, running, done or failed"})
    params = fields.Dict()
    progress = fields.Dict(metadata={"description": "elapsed_s, objective, bound, gap"})
    gap = fields.Float(allow_none=True, metadata={"description": "(bound - objective) / objective"})
    error = fields.String(allow_none=True)
    proposals = fields.List(fields.Nested(Proposal))
    alone = fields.List(fields.Integer(), metadata={"description": "ideas no consortium fits"})
    created_at = fields.String()
    finished_at = fields.String(allow_none=True)


class ResponseInSchema(StrictSchema):
    idea = fields.Integer(required=True, strict=True, metadata={
        "description": "the member's idea it answers for"})
    response = fields.String(required=True, validate=validate.OneOf(("accepted", "declined")))


class ResponseAnswer(Schema):
    run = fields.Integer()
    proposal = fields.Integer()
    idea = fields.Integer()
    response = fields.String()
    application = fields.Integer(allow_none=True, metadata={
        "description": "the lead's draft application, once the lead and a partner accepted"})


class SeedSessionArgs(StrictSchema):
    rounds = fields.Integer(load_default=2, validate=validate.Range(min=1, max=5))
    table_size = fields.Integer(load_default=4, validate=validate.Range(min=2, max=12),
                                metadata={"description": "most ideas at one table"})


class SeatedIdea(Schema):
    idea = fields.Integer()
    title = fields.String()
    refnis = fields.String()
    name_nl = fields.String()


class SeedTable(Schema):
    table = fields.Integer()
    ideas = fields.List(fields.Nested(SeatedIdea))
    relatedness = fields.Float(metadata={"description": "sum over the pairs at the table"})
    repeated_pairs = fields.Integer(metadata={"description": "pairs that met in an earlier round"})


class SeedRound(Schema):
    round = fields.Integer()
    tables = fields.List(fields.Nested(SeedTable))


class SeedDomain(Schema):
    domain = fields.String()
    rounds = fields.List(fields.Nested(SeedRound))


class SeedSessionSchema(Schema):
    call = fields.Integer()
    rounds = fields.Integer()
    table_size = fields.Integer()
    domains = fields.List(fields.Nested(SeedDomain))
