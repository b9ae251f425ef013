"""Marshmallow schemas of the cluster-plan endpoints (request body, query strings, answers).

``ClusterPlanInSchema`` checks the shape of a plan request (types, ranges, fields that
contradict each other within the request itself); whether the municipalities exist and whether
the pins fit the candidates is checked against the registry by :mod:`app.planning.service`, which builds
the optimizer's model up front. The response schemas document the answers in the OpenAPI
document (the views build the dicts in :mod:`app.planning.service`).
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.schemas import REFNIS, StrictSchema
from app.models import JOB_STATUSES
from app.planning.service import DEFAULT_MIN_MATURITY
from matching.experience import MATURITY_CLASSES
from matching.registry import DOMAINS

#: Longest time limit a plan may ask for (seconds): one hour.
MAX_TIME_LIMIT_S = 3600
#: Default time limit (seconds) of a plan; the issue's CLI example uses 60.
DEFAULT_TIME_LIMIT_S = 60
#: Most municipalities a list parameter may hold (all current ones fit: 285 + 19).
MAX_LIST = 400
#: Most lighthouses per domain a plan may ask for (sanity bound, far above any real plan).
MAX_LIGHTHOUSES = 300

_DOMAIN = validate.OneOf(DOMAINS, error="unknown domain {input!r}; valid values: {choices}")
_COUNT = validate.Range(min=1, max=MAX_LIGHTHOUSES,
                        error=f"must be an integer from 1 to {MAX_LIGHTHOUSES}")
_CAPACITY = validate.Range(min=0, max=MAX_LIST, error=f"must be an integer from 0 to {MAX_LIST} "
                                                      "(a capacity cannot be negative)")


class AssignmentSchema(StrictSchema):
    """A follower-lighthouse pair in a domain (forced or forbidden)."""

    domain = fields.String(required=True, validate=_DOMAIN)
    follower = fields.String(required=True, validate=REFNIS)
    lighthouse = fields.String(required=True, validate=REFNIS)


class ClusterPlanInSchema(StrictSchema):
    """Body of ``POST /api/v1/cluster-plans``: what to plan and under which constraints."""

    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200),
                         metadata={"description": "a label for the plan"})
    domains = fields.List(fields.String(validate=_DOMAIN), required=True,
                          validate=validate.Length(min=1, max=len(DOMAINS)),
                          metadata={"description": "focus domains to plan, each with its own "
                                                   "lighthouses and clusters"})
    lighthouses = fields.Integer(load_default=None, allow_none=True, strict=True, validate=_COUNT,
                                 metadata={"description": "exact number of lighthouses per "
                                                          "domain (k)"})
    min_lighthouses = fields.Integer(load_default=None, allow_none=True, strict=True,
                                     validate=_COUNT,
                                     metadata={"description": "or: at least this many per domain"})
    max_lighthouses = fields.Integer(load_default=None, allow_none=True, strict=True,
                                     validate=_COUNT,
                                     metadata={"description": "and/or: at most this many per "
                                                              "domain"})
    lighthouse_cost = fields.Float(load_default=None, allow_none=True, allow_nan=False,
                                   validate=validate.Range(min=0, max=1e9),
                                   metadata={"description": "fixed cost per lighthouse (in "
                                             "objective units) when the solver chooses the number "
                                             "itself; without lighthouses/min/max only"})
    max_followers = fields.Integer(load_default=None, allow_none=True, strict=True,
                                   validate=_CAPACITY,
                                   metadata={"description": "at most this many followers per "
                                                            "lighthouse (null: no limit)"})
    min_followers = fields.Integer(load_default=0, strict=True, validate=_CAPACITY,
                                   metadata={"description": "at least this many followers per "
                                                            "lighthouse"})
    max_distance_km = fields.Float(load_default=None, allow_none=True, allow_nan=False,
                                   validate=validate.Range(min=0, max=1000, min_inclusive=False,
                                                           error="must be more than 0 and at "
                                                                 "most 1000 km"),
                                   metadata={"description": "no follower farther than this from "
                                                            "its lighthouse (km)"})
    participants = fields.List(fields.String(validate=REFNIS), load_default=None,
                               allow_none=True, validate=validate.Length(min=1, max=MAX_LIST),
                               metadata={"description": "REFNIS codes of the municipalities to "
                                                        "plan (default: the Flemish ones)"})
    participants_from = fields.String(
        load_default="declared", validate=validate.OneOf(("declared", "all")),
        metadata={"description": "without participants: `declared` (default) = per planned "
                                 "domain, the municipalities that declared they want to lead or "
                                 "follow in that domain (plus that domain's pinned lighthouses), "
                                 "stored as params.domain_participants; "
                                 "`all` = every Flemish municipality in every domain, an explicit "
                                 "choice that the plan's `warnings` repeat (the sources let cities "
                                 "choose their cluster bottom-up)"})
    pinned_lighthouses = fields.Dict(
        keys=fields.String(validate=_DOMAIN),
        values=fields.List(fields.String(validate=REFNIS), validate=validate.Length(max=MAX_LIST)),
        load_default=dict,
        metadata={"description": "per domain, municipalities that must be lighthouses"})
    excluded = fields.List(fields.String(validate=REFNIS), load_default=list,
                           validate=validate.Length(max=MAX_LIST),
                           metadata={"description": "municipalities left out of the plan"})
    forced = fields.List(fields.Nested(AssignmentSchema), load_default=list,
                         validate=validate.Length(max=MAX_LIST),
                         metadata={"description": "assignments that must hold"})
    forbidden = fields.List(fields.Nested(AssignmentSchema), load_default=list,
                            validate=validate.Length(max=MAX_LIST),
                            metadata={"description": "assignments that must not hold"})
    min_maturity = fields.String(load_default=DEFAULT_MIN_MATURITY,
                                 validate=validate.OneOf(MATURITY_CLASSES,
                                                         error="unknown maturity class {input!r}; "
                                                               "valid values: {choices}"),
                                 metadata={"description": "lighthouse candidates need at least "
                                           "this maturity in the domain (pinned ones excepted)"})
    one_domain_per_lighthouse = fields.Boolean(load_default=True,
                                               metadata={"description": "a municipality is "
                                                         "lighthouse in at most one domain"})
    time_limit_s = fields.Float(load_default=DEFAULT_TIME_LIMIT_S, allow_nan=False,
                                validate=validate.Range(min=1, max=MAX_TIME_LIMIT_S,
                                                        error=f"must be from 1 to "
                                                              f"{MAX_TIME_LIMIT_S} seconds"),
                                metadata={"description": "stop with the best plan found after "
                                                         "this many seconds"})

    @validates_schema
    def check_request(self, data, **kwargs):
        """Fields of the request that contradict each other (the registry is checked later)."""
        errors: dict[str, list[str]] = {}

        def add(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        domains = data.get("domains") or []
        if len(set(domains)) != len(domains):
            add("domains", "a domain is listed twice")
        k, low, high = (data.get("lighthouses"), data.get("min_lighthouses"),
                        data.get("max_lighthouses"))
        if k is not None and (low is not None or high is not None):
            add("lighthouses", "give either lighthouses (exact) or min_lighthouses/"
                               "max_lighthouses (a range), not both")
        if low is not None and high is not None and low > high:
            add("min_lighthouses", f"must not exceed max_lighthouses ({high})")
        if data.get("lighthouse_cost") is not None and (k is not None or low is not None
                                                         or high is not None):
            add("lighthouse_cost", "only when the solver chooses the number of lighthouses "
                                   "(without lighthouses, min_lighthouses, max_lighthouses)")
        low_f, high_f = data.get("min_followers") or 0, data.get("max_followers")
        if high_f is not None and low_f > high_f:
            add("min_followers", f"must not exceed max_followers ({high_f})")
        for field in ("participants", "excluded"):
            values = data.get(field) or []
            twice = sorted({v for v in values if values.count(v) > 1})
            if twice:
                add(field, f"listed twice: {', '.join(twice)}")
        for domain, pins in (data.get("pinned_lighthouses") or {}).items():
            if domain in DOMAINS and domain not in domains:
                add(f"pinned_lighthouses.{domain}", f"{domain} is not one of the planned domains")
            twice = sorted({v for v in pins if pins.count(v) > 1})
            if twice:
                add(f"pinned_lighthouses.{domain}", f"listed twice: {', '.join(twice)}")
        if errors:
            raise ValidationError(errors)


class ClusterPlanListArgs(StrictSchema):
    status = fields.String(validate=validate.OneOf(JOB_STATUSES,
                                                   error="unknown status {input!r}; valid "
                                                         "values: {choices}"))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class CoverageArgs(StrictSchema):
    max_distance_km = fields.Float(allow_nan=False,
                                   validate=validate.Range(min=0, max=1000, min_inclusive=False),
                                   metadata={"description": "distance limit for coverage "
                                                            "(default: the plan's)"})


class PlanMunicipality(Schema):
    refnis = fields.String()
    name = fields.String()


class PlanFollower(Schema):
    class Meta:
        ordered = True

    refnis = fields.String()
    name = fields.String()
    distance_km = fields.Float(metadata={"description": "great-circle km to the lighthouse"})


class PlanCluster(Schema):
    class Meta:
        ordered = True

    domain = fields.String()
    lighthouse = fields.Nested(PlanMunicipality)
    followers = fields.List(fields.Nested(PlanFollower))
    cost = fields.Float(allow_none=True, metadata={"description": "the cluster's share of the "
                                                                  "objective"})


class PlanResultSchema(Schema):
    class Meta:
        ordered = True

    status = fields.String(
        validate=validate.OneOf(("optimal", "time_limit", "infeasible", "cancelled", "feasible")),
        metadata={"description": "optimal (proven); time_limit (stopped by the time limit: the "
                                 "best plan found with its gap, or none yet; never a proof of "
                                 "infeasibility); infeasible (proven, with the reason); "
                                 "cancelled (the best plan found before the cancel); feasible "
                                 "only in plans stored before these statuses"})
    reason = fields.String(allow_none=True, metadata={"description": "why infeasible or why "
                                                                     "no plan yet, plainly"})
    reason_nl = fields.String(allow_none=True, metadata={"description": "the reason in Dutch"})
    objective = fields.Float(allow_none=True)
    lower_bound = fields.Float(allow_none=True)
    gap = fields.Float(allow_none=True, metadata={"description": "(objective - lower_bound) / "
                                                                 "objective; 0 = proven optimal"})
    seconds = fields.Float()
    clusters = fields.List(fields.Nested(PlanCluster))
    cluster_count = fields.Integer(metadata={"description": "in the list instead of clusters"})
    costs = fields.Dict(metadata={"description": "the cost weights the plan was solved with"})
    coverage = fields.List(fields.Dict(), metadata={
        "description": "per domain: municipalities_with_evidence, participants, candidates, "
                       "lighthouses_asked, status (ok, thin: fewer than twice as many candidates "
                       "as lighthouses, refused), message {nl, en} and co_learning {near_km, "
                       "far_followers, groups: [[{refnis, name, distance_km, experience, "
                       "declared_interest}]], message}: followers farther than near_km from "
                       "their lighthouse that start in the domain, grouped as neighbours "
                       "(docs/matching.md)"})


class PlanProgressSchema(Schema):
    class Meta:
        ordered = True

    elapsed_s = fields.Float()
    best_objective = fields.Float(allow_none=True)
    bound = fields.Float(allow_none=True)
    gap = fields.Float(allow_none=True)


class ClusterPlanSchema(Schema):
    class Meta:
        ordered = True

    id = fields.Integer()
    name = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(JOB_STATUSES))
    params = fields.Dict(metadata={"description": "the request, with defaults filled in"})
    progress = fields.Nested(PlanProgressSchema, allow_none=True)
    result = fields.Nested(PlanResultSchema, allow_none=True)
    error = fields.String(allow_none=True, metadata={"description": "why the job failed"})
    backend = fields.String()
    created_by = fields.String(allow_none=True)
    created_at = fields.String()
    started_at = fields.String(allow_none=True)
    finished_at = fields.String(allow_none=True)
    url = fields.String()
    warnings = fields.List(fields.Dict(), metadata={
        "description": "what the planner should know about the request before reading the "
                       "result: [{field, message, message_nl}], e.g. participants_from `all` "
                       "plans municipalities that did not ask to take part"})


class ClusterPlanPage(Schema):
    items = fields.List(fields.Nested(ClusterPlanSchema))


class PlanChangeSchema(Schema):
    class Meta:
        ordered = True

    refnis = fields.String()
    name = fields.String()
    lighthouse = fields.Nested(PlanMunicipality, allow_none=True)
    other_lighthouse = fields.Nested(PlanMunicipality, allow_none=True)


class DomainComparisonSchema(Schema):
    class Meta:
        ordered = True

    domain = fields.String()
    lighthouses_only_here = fields.List(fields.Nested(PlanMunicipality))
    lighthouses_only_other = fields.List(fields.Nested(PlanMunicipality))
    changed = fields.List(fields.Nested(PlanChangeSchema))


class PlanComparisonSchema(Schema):
    class Meta:
        ordered = True

    plan = fields.Integer()
    other = fields.Integer()
    objective = fields.Float(allow_none=True)
    other_objective = fields.Float(allow_none=True)
    objective_difference = fields.Float(allow_none=True,
                                        metadata={"description": "other minus this plan"})
    changed_count = fields.Integer()
    domains = fields.List(fields.Nested(DomainComparisonSchema))


class CoverageCounts(Schema):
    class Meta:
        ordered = True

    municipalities = fields.Integer()
    covered = fields.Integer(metadata={"description": "with a lighthouse within the limit"})
    small = fields.Integer(metadata={"description": "fewer than 10,000 inhabitants"})
    small_covered = fields.Integer()


class ProvinceCoverageSchema(CoverageCounts):
    province = fields.String(metadata={"description": "province code; brussels for Brussels"})
    left_out = fields.List(fields.Nested(PlanMunicipality))


class DomainCoverageSchema(CoverageCounts):
    domain = fields.String()
    provinces = fields.List(fields.Nested(ProvinceCoverageSchema))


class PlanCoverageSchema(Schema):
    class Meta:
        ordered = True

    plan = fields.Integer()
    max_distance_km = fields.Float(allow_none=True)
    small_max_population = fields.Integer()
    domains = fields.List(fields.Nested(DomainCoverageSchema))
