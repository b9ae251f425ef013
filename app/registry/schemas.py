"""Marshmallow schemas of the registry (municipalities, domains, projects)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.limits import ID_RANGE, MAX_CENTS, YEAR_RANGE
from app.core.schemas import REFNIS, PageArgs, StrictSchema, UploadSchema  # noqa: F401
from app.models import (
    EVIDENCE_LEVELS,
    INTERESTS,
    PARTICIPATION_ROLES,
    PROGRAMMES,
    PROJECT_STATUSES,
    PROVINCES,
    REGIONS,
)
from matching.registry import DOMAINS


class MunicipalityListArgs(PageArgs):
    region = fields.String(validate=validate.OneOf(REGIONS))
    province = fields.String(validate=validate.OneOf(PROVINCES))
    centrumstad = fields.Boolean()
    q = fields.String(validate=validate.Length(min=1, max=100))
    include_merged = fields.Boolean(load_default=False)


class BoundaryArgs(StrictSchema):
    region = fields.String(validate=validate.OneOf(REGIONS), metadata={
        "description": "flanders (285 municipalities) or brussels (19); left out: both"})


class BoundaryProperties(Schema):
    refnis = fields.String(metadata={"description": "REFNIS code of the current municipality"})
    name = fields.String(metadata={"description": "Dutch name"})
    region = fields.String()


class BoundaryFeature(Schema):
    type = fields.Constant("Feature")
    properties = fields.Nested(BoundaryProperties)
    geometry = fields.Dict(metadata={
        "description": "GeoJSON Polygon or MultiPolygon, WGS84 [longitude, latitude], simplified to about 30 m"})


class BoundaryCollection(Schema):
    type = fields.Constant("FeatureCollection")
    source = fields.String(metadata={"description": "where the outlines come from and how they were simplified"})
    features = fields.List(fields.Nested(BoundaryFeature))


class MunicipalityRef(Schema):
    refnis = fields.String()
    name_nl = fields.String()
    name_fr = fields.String(allow_none=True)


class MunicipalitySchema(Schema):
    class Meta:
        ordered = True

    refnis = fields.String()
    name_nl = fields.String()
    name_fr = fields.String(allow_none=True)
    province = fields.String(allow_none=True)
    province_refnis = fields.String(allow_none=True)
    region = fields.String()
    is_centrumstad = fields.Boolean()
    population = fields.Integer(allow_none=True)
    population_source = fields.String(allow_none=True)
    population_date = fields.Date(allow_none=True, metadata={"description": "reference date of population (Statbel, 2020-01-01)"})
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    coordinates_source = fields.String(allow_none=True)
    is_current = fields.Boolean()
    merged_into = fields.Method("get_merged_into", allow_none=True)
    merged_on = fields.Date(allow_none=True)
    predecessors = fields.Method("get_predecessors")

    def get_merged_into(self, obj):
        if obj.merged_into is None:
            return None
        return {"refnis": obj.merged_into.refnis, "name_nl": obj.merged_into.name_nl}

    def get_predecessors(self, obj):
        return [
            {"refnis": p.refnis, "name_nl": p.name_nl, "merged_on": p.merged_on.isoformat() if p.merged_on else None}
            for p in sorted(obj.predecessors, key=lambda p: p.refnis)
        ]


class ResolvedFrom(Schema):
    refnis = fields.String()
    name_nl = fields.String()
    merged_on = fields.String(allow_none=True, metadata={"description": "ISO date"})
    note = fields.String()


class MunicipalityAnswer(MunicipalitySchema):
    """One municipality; ``resolved_from`` when the REFNIS asked for merged into this one."""

    resolved_from = fields.Nested(ResolvedFrom, dump_only=True, metadata={
        "description": "the merged-away municipality that was asked for"})


class MunicipalityPage(Schema):
    items = fields.List(fields.Nested(MunicipalitySchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class DomainSchema(Schema):
    class Meta:
        ordered = True

    code = fields.String()
    name_nl = fields.String()
    name_en = fields.String()
    description_nl = fields.String()
    description_en = fields.String()
    source_ref = fields.String(allow_none=True)


class DomainList(Schema):
    items = fields.List(fields.Nested(DomainSchema))


class DeliverablesSchema(StrictSchema):
    playbook = fields.Boolean(load_default=False)
    model_specification = fields.Boolean(load_default=False)
    open_source = fields.Boolean(load_default=False)
    open_data = fields.Boolean(load_default=False)
    oslo = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=list,
                       validate=validate.Length(max=50))
    vloca = fields.Boolean(load_default=False)


class ParticipationInSchema(StrictSchema):
    refnis = fields.String(required=True, validate=REFNIS)
    role = fields.String(required=True, validate=validate.OneOf(PARTICIPATION_ROLES))
    evidence_level = fields.String(
        validate=validate.OneOf(EVIDENCE_LEVELS),
        metadata={"description": "default: kept for a participation that stays, `verified` for "
                                 "a new one (the secretariat enters it)"})


class ParticipationOutSchema(Schema):
    refnis = fields.String()
    name_nl = fields.String()
    role = fields.String()
    evidence_level = fields.String(metadata={"description": ", ".join(EVIDENCE_LEVELS)})
    review_status = fields.String(allow_none=True, metadata={
        "description": "a city's declaration: pending, verified or rejected; null otherwise"})
    review_note = fields.String(allow_none=True)
    source_url = fields.String(allow_none=True, metadata={
        "description": "the page that states this participation"})
    recorded_as = fields.Dict(allow_none=True, metadata={"description": "the historical municipality when merged since"})


class ProjectInSchema(StrictSchema):
    """Body of POST /projects (all required fields) and PATCH (any subset)."""

    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    title_en = fields.String(allow_none=True, validate=validate.Length(max=300))
    summary = fields.String(load_default="", validate=validate.Length(max=10000))
    programme = fields.String(required=True, validate=validate.OneOf(PROGRAMMES))
    year = fields.Integer(required=True, strict=True, validate=YEAR_RANGE)
    grant_cents = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=0, max=MAX_CENTS))
    total_budget_cents = fields.Integer(
        allow_none=True, strict=True, validate=validate.Range(min=0, max=MAX_CENTS)
    )
    status = fields.String(load_default="unknown", validate=validate.OneOf(PROJECT_STATUSES))
    deliverables = fields.Nested(DeliverablesSchema, load_default=dict)
    source_ref = fields.String(allow_none=True, validate=validate.Length(max=1000))
    curated = fields.Boolean(load_default=False)
    domains = fields.List(fields.String(validate=validate.OneOf(DOMAINS)), load_default=list,
                          validate=validate.Length(max=6))
    domains_curated = fields.Boolean(load_default=False)
    participations = fields.List(fields.Nested(ParticipationInSchema), load_default=list,
                                 validate=validate.Length(max=400))

    @validates_schema
    def check_amounts(self, data, **kwargs):
        grant, total = data.get("grant_cents"), data.get("total_budget_cents")
        if grant is not None and total is not None and grant > total:
            raise ValidationError("must not exceed total_budget_cents", "grant_cents")
        parts = data.get("participations") or []
        seen = set()
        for p in parts:
            if p["refnis"] in seen:
                raise ValidationError(f"municipality {p['refnis']} is listed twice", "participations")
            seen.add(p["refnis"])
        if len(set(data.get("domains") or [])) != len(data.get("domains") or []):
            raise ValidationError("a domain is listed twice", "domains")


class ProjectSchema(Schema):
    class Meta:
        ordered = True

    id = fields.Integer()
    key = fields.String(allow_none=True)
    title = fields.String()
    title_en = fields.String(allow_none=True)
    summary = fields.String()
    programme = fields.String()
    year = fields.Integer()
    grant_cents = fields.Integer(allow_none=True)
    total_budget_cents = fields.Integer(allow_none=True)
    status = fields.String()
    deliverables = fields.Method("get_deliverables")
    source_ref = fields.String(allow_none=True)
    programme_note = fields.String(allow_none=True)
    curated = fields.Boolean()
    domains = fields.Method("get_domains")
    domains_curated = fields.Boolean()
    domain_basis = fields.String(allow_none=True, metadata={
        "description": "stated (a source states the domain) or classified (from the title)"})
    domain_reason = fields.String(allow_none=True)
    sources = fields.Method("get_sources")
    participations = fields.Method("get_participations")
    application = fields.Method("get_application", allow_none=True, metadata={
        "description": "the funded application the project was created from (app/followup)"})
    call = fields.Method("get_call", allow_none=True, metadata={
        "description": "the call that funded it, for a project created at publication"})
    evidence = fields.Method("get_evidence", allow_none=True, metadata={
        "description": "evidence level of the project's own record: its lead's participation "
                       "(verified for a funded project: the secretariat's decision)"})

    def get_application(self, obj):
        funding = getattr(obj, "funding", None)
        return funding.application_id if funding is not None else None

    def get_call(self, obj):
        funding = getattr(obj, "funding", None)
        return funding.call_id if funding is not None else None

    def get_evidence(self, obj):
        if getattr(obj, "funding", None) is not None:
            return "verified"
        leads = [p.evidence_level for p in obj.participations if p.role == "lead"]
        return leads[0] if leads else None

    def get_sources(self, obj):
        return [{"url": s.url, "citation": s.citation, "date": s.source_date, "note": s.note}
                for s in obj.sources]

    def get_deliverables(self, obj):
        return obj.deliverables()

    def get_domains(self, obj):
        return [d.code for d in obj.domains]

    def get_participations(self, obj):
        out = []
        for p in obj.participations:
            cur = p.municipality.current()
            item = {"refnis": cur.refnis, "name_nl": cur.name_nl, "role": p.role,
                    "evidence_level": p.evidence_level, "review_status": p.review_status,
                    "review_note": p.review_note,
                    "source_url": p.source.url if p.source is not None else None,
                    "promised": bool(p.promised), "recorded_as": None}
            if cur.id != p.municipality.id:
                item["recorded_as"] = {"refnis": p.municipality.refnis, "name_nl": p.municipality.name_nl}
            out.append(item)
        return out


class ProjectListArgs(PageArgs):
    programme = fields.String(validate=validate.OneOf(PROGRAMMES))
    year = fields.Integer(validate=YEAR_RANGE)
    domain = fields.String(validate=validate.OneOf(DOMAINS))
    municipality = fields.String(validate=REFNIS)
    q = fields.String(validate=validate.Length(min=1, max=100))
    call = fields.Integer(validate=ID_RANGE, metadata={
        "description": "only the projects created from this call's funded applications"})


class ProjectPage(Schema):
    items = fields.List(fields.Nested(ProjectSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class ProjectImportArgs(StrictSchema):
    dry_run = fields.Boolean(load_default=False, metadata={
        "description": "true: only say what the import would do"})


class ImportRowSchema(Schema):
    row = fields.Integer(metadata={"description": "row number in the file (header = 1)"})
    key = fields.String()
    action = fields.String(metadata={"description": "create, update, unchanged or error"})
    changes = fields.List(fields.String(), metadata={"description": "columns an update changes"})
    errors = fields.List(fields.Dict(), metadata={"description": "{field, message} per error"})


class ProjectImportResult(Schema):
    dry_run = fields.Boolean()
    written = fields.Boolean(metadata={"description": "whether this request wrote anything"})
    summary = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "rows per action, and `left`: projects the file does not mention"})
    rows = fields.List(fields.Nested(ImportRowSchema))


class InterestsSchema(StrictSchema):
    interests = fields.Dict(
        keys=fields.String(validate=validate.OneOf(DOMAINS)),
        values=fields.String(validate=validate.OneOf(INTERESTS)), required=True,
        metadata={"description": "domain -> lead (wants to lead), follow (wants to follow) or "
                                 "not_now"})


class DeclaredProjectInSchema(StrictSchema):
    """A project a city declares for its own municipality."""

    title = fields.String(required=True, validate=validate.Length(min=3, max=300))
    summary = fields.String(load_default="", validate=validate.Length(max=10000))
    programme = fields.String(load_default="not-stated", validate=validate.OneOf(PROGRAMMES))
    year = fields.Integer(required=True, strict=True, validate=YEAR_RANGE)
    grant_cents = fields.Integer(allow_none=True, strict=True,
                                 validate=validate.Range(min=0, max=MAX_CENTS))
    domains = fields.List(fields.String(validate=validate.OneOf(DOMAINS)), load_default=list,
                          validate=validate.Length(max=6))
    role = fields.String(load_default="lead", validate=validate.OneOf(PARTICIPATION_ROLES),
                         metadata={"description": "the municipality's own role"})
    source_url = fields.Url(load_default=None, allow_none=True, schemes={"http", "https"},
                            metadata={"description": "a public page about the project"})


class DeclaredParticipationInSchema(StrictSchema):
    project_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    role = fields.String(required=True, validate=validate.OneOf(PARTICIPATION_ROLES))


class ReviewInSchema(StrictSchema):
    decision = fields.String(required=True, validate=validate.OneOf(("verify", "reject")))
    motivation = fields.String(required=True, validate=validate.Length(min=3, max=2000),
                               metadata={"description": "why (kept and shown to the city)"})


class DeclarationListArgs(StrictSchema):
    status = fields.String(load_default="pending",
                           validate=validate.OneOf(("pending", "verified", "rejected", "all")))


class DeclarationSchema(Schema):
    id = fields.Integer()
    project = fields.Dict()
    municipality = fields.Dict()
    role = fields.String()
    evidence_level = fields.String()
    review_status = fields.String()
    review_note = fields.String(allow_none=True)
    reviewed_at = fields.String(allow_none=True)


class DeclarationPage(Schema):
    items = fields.List(fields.Nested(DeclarationSchema))
