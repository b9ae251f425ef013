"""Marshmallow schemas of the partner matching, profile and related-project endpoints.

The argument schemas validate the query strings (unknown parameters refused); the response
schemas document the answers in the OpenAPI document (the views build the dicts directly, in
``app.partners.service``, and the tests check them against these schemas).
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.core.limits import YEAR_RANGE
from app.core.schemas import REFNIS, StrictSchema
from matching.graph import MAX_LIMIT
from matching.partners import FACTOR_NAMES, LOOKING_FOR, MODES
from matching.registry import DOMAINS, ROLES
from matching.similar import MAX_TEXT_LENGTH

#: Enumerated query parameters and their valid values (named in every 400 about them).
VALID_VALUES: dict[str, tuple[str, ...]] = {
    "domain": DOMAINS,
    "looking_for": LOOKING_FOR,
    "mode": MODES,
}


def _one_of(field: str) -> validate.OneOf:
    return validate.OneOf(VALID_VALUES[field],
                          error="unknown value {input!r}; valid values: {choices}")


_LIMIT = validate.Range(min=1, max=MAX_LIMIT, error=f"must be an integer from 1 to {MAX_LIMIT}")


class PartnerSuggestionArgs(StrictSchema):
    valid_values = VALID_VALUES  # a 400 about one of these lists the valid values

    municipality = fields.String(required=True, validate=REFNIS,
                                 metadata={"description": "REFNIS code; a merged-away one "
                                                          "resolves to its successor"})
    domain = fields.String(required=True, validate=_one_of("domain"))
    looking_for = fields.String(required=True, validate=_one_of("looking_for"),
                                metadata={"description": "lighthouse: more experienced ones to "
                                          "follow; followers: less experienced ones to lead; "
                                          "peers: alike in type and size"})
    mode = fields.String(load_default="geographic", validate=_one_of("mode"),
                         metadata={"description": "geographic: neighbours first; similar: type "
                                                  "and size first"})
    limit = fields.Integer(load_default=10, validate=_LIMIT)
    max_distance_km = fields.Float(load_default=None, allow_nan=False,
                                   validate=validate.Range(min=0, error="must be >= 0 km"),
                                   metadata={"description": "only candidates within this many km"})


class ProfileArgs(StrictSchema):
    as_of_year = fields.Integer(validate=YEAR_RANGE,
                                metadata={"description": "year experience is measured in "
                                                         "(default: this year)"})


class SimilarTextArgs(StrictSchema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT_LENGTH),
                         metadata={"description": "an idea or project description; POST it as "
                                                  "JSON when it is longer than a URL allows"})
    limit = fields.Integer(load_default=10, validate=_LIMIT)


class SimilarProjectArgs(StrictSchema):
    limit = fields.Integer(load_default=10, validate=_LIMIT)


class MatchedMunicipality(Schema):
    refnis = fields.String()
    name_nl = fields.String()


class MergedNote(Schema):
    refnis = fields.String()
    name_nl = fields.String()
    merged_on = fields.String(allow_none=True)
    note = fields.String()


class SuggestionFactor(Schema):
    name = fields.String(validate=validate.OneOf(FACTOR_NAMES))
    value = fields.Float(allow_none=True, metadata={
        "description": "experience_gap in experience points, distance_km in km, similarity in "
                       "[0, 1], ties in shared projects, lighthouse_load in clusters led (null: "
                       "unknown)"})
    contribution = fields.Float(metadata={"description": "what the factor adds to the score"})


class SuggestionReasons(Schema):
    nl = fields.String()
    en = fields.String()


class PartnerSuggestionSchema(Schema):
    class Meta:
        ordered = True

    municipality = fields.Nested(MatchedMunicipality)
    score = fields.Float(metadata={"description": "the sum of the factor contributions"})
    factors = fields.List(fields.Nested(SuggestionFactor))
    reasons = fields.Nested(SuggestionReasons)


class SuggestionModeWeights(Schema):
    experience = fields.Float()
    proximity = fields.Float()
    similarity = fields.Float()
    ties = fields.Float()
    lighthouse_load = fields.Float()


class PartnerQuerySchema(Schema):
    class Meta:
        ordered = True

    municipality = fields.Nested(MatchedMunicipality)
    domain = fields.String()
    looking_for = fields.String()
    mode = fields.String()
    limit = fields.Integer()
    max_distance_km = fields.Float(allow_none=True)
    as_of_year = fields.Integer()
    weights = fields.Nested(SuggestionModeWeights)
    lighthouse_load_from_plan = fields.Integer(
        allow_none=True, metadata={"description": "id of the finished cluster plan the lighthouse "
                                                  "load comes from; null when no plan finished"})
    resolved_from = fields.Nested(MergedNote, metadata={"description": "only when a merged-away "
                                                                        "REFNIS was asked"})


class CoLearningPeerSchema(Schema):
    municipality = fields.Nested(MatchedMunicipality)
    distance_km = fields.Float()
    experience = fields.Float(metadata={"description": "experience points in the domain"})
    declared_interest = fields.Boolean(metadata={"description": "declared it wants to lead or "
                                                               "follow in the domain"})


class CoverageSchema(Schema):
    """How much evidence the answer stands on (docs/matching.md, Coverage)."""

    class Meta:
        ordered = True

    domain = fields.String()
    municipalities_with_evidence = fields.Integer(metadata={
        "description": "Flemish municipalities with experience > 0 in the domain"})
    qualified = fields.Integer(metadata={"description": "candidates that met the query"})
    returned = fields.Integer()
    limit = fields.Integer()
    nearest_km = fields.Float(allow_none=True, metadata={
        "description": "nearest qualified candidate; null when none qualified"})
    near_km = fields.Float()
    within_near_km = fields.Integer()
    message = fields.Nested(SuggestionReasons, allow_none=True, metadata={
        "description": "why fewer than limit came back or why the nearest is far (nl, en); "
                       "null when neither"})
    co_learning = fields.List(fields.Nested(CoLearningPeerSchema), metadata={
        "description": "nearby municipalities that start in the same domain"})


class PartnerSuggestionPage(Schema):
    items = fields.List(fields.Nested(PartnerSuggestionSchema))
    coverage = fields.Nested(CoverageSchema, required=True)
    query = fields.Nested(PartnerQuerySchema)


class ExperienceFactorsSchema(Schema):
    role = fields.Float()
    evidence = fields.Float(metadata={"description": "what the evidence levels took off (<= 0)"})
    recency = fields.Float()
    scale = fields.Float()
    adoption = fields.Float()


class ProjectExperienceSchema(Schema):
    class Meta:
        ordered = True

    project_id = fields.Integer()
    title = fields.String()
    year = fields.Integer()
    role = fields.String(validate=validate.OneOf(ROLES))
    age_years = fields.Integer()
    role_weight = fields.Float()
    evidence = fields.String(metadata={"description": "evidence level of the participation: "
                                                      "verified, source-stated, "
                                                      "source-classified or declared"})
    evidence_weight = fields.Float()
    recency = fields.Float()
    grant_cents = fields.Integer(allow_none=True)
    scale = fields.Float()
    adopters = fields.Integer()
    reusable_deliverables = fields.Integer()
    adoption = fields.Float()
    contribution = fields.Float(metadata={"description": "role_weight x evidence_weight x "
                                                         "recency x scale x adoption, experience "
                                                         "points"})


class DomainExperienceSchema(Schema):
    class Meta:
        ordered = True

    domain = fields.String()
    score = fields.Float()
    maturity = fields.String()
    factors = fields.Nested(ExperienceFactorsSchema)
    projects = fields.List(fields.Nested(ProjectExperienceSchema))
    projects_by_role = fields.Dict(keys=fields.String(), values=fields.Integer())
    projects_by_evidence = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "how many of the projects stand on each evidence level"})
    first_year = fields.Integer(allow_none=True)


class MunicipalityProfileSchema(Schema):
    class Meta:
        ordered = True

    municipality = fields.Nested(MatchedMunicipality)
    as_of_year = fields.Integer()
    maturity_classes = fields.List(fields.String())
    domains = fields.List(fields.Nested(DomainExperienceSchema))
    weights = fields.Dict(metadata={"description": "every matching weight, as GET "
                                                   "/api/v1/matching/weights"})
    resolved_from = fields.Nested(MergedNote)


class SimilarProjectSchema(Schema):
    class Meta:
        ordered = True

    id = fields.Integer()
    title = fields.String()
    year = fields.Integer()
    programme = fields.String()
    score = fields.Float(metadata={"description": "cosine similarity in [0, 1]"})
    possible_double_funding = fields.Boolean()


class SimilarProjectPage(Schema):
    items = fields.List(fields.Nested(SimilarProjectSchema))
    double_funding_threshold = fields.Float()
