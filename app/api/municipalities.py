"""Municipalities and domains."""

from __future__ import annotations

from sqlalchemy import select

from app.api import bp, parse_args
from app.api.schemas import DomainSchema, MunicipalityListArgs, MunicipalitySchema
from app.extensions import db
from app.models import Domain, Municipality
from app.registry import get_municipality, municipality_query, paginate

_list_args = MunicipalityListArgs()
_one = MunicipalitySchema()
_many = MunicipalitySchema(many=True)


@bp.get("/municipalities")
def list_municipalities():
    """List municipalities.
    ---
    get:
      summary: List municipalities (current ones unless include_merged=true)
      parameters:
      - in: query
        schema: MunicipalityListArgs
      responses:
        200:
          content:
            application/json:
              schema: MunicipalityPage
        400: Problem
    """
    args = parse_args(_list_args)
    items, total = paginate(
        municipality_query(args), (Municipality.name_search,), args["page"], args["per_page"]
    )
    return {"items": _many.dump(items), "total": total, "page": args["page"], "per_page": args["per_page"]}


@bp.get("/municipalities/<refnis>")
def show_municipality(refnis: str):
    """One municipality; a merged-away REFNIS answers with its successor and says so.
    ---
    get:
      summary: One municipality by REFNIS code
      parameters:
      - in: path
        name: refnis
        required: true
        schema: {type: string, pattern: '^\\d{5}$'}
      responses:
        200:
          content:
            application/json:
              schema: MunicipalitySchema
        404: Problem
    """
    m = get_municipality(refnis)
    current = m.current()
    body = _one.dump(current)
    if current.id != m.id:
        body["resolved_from"] = {
            "refnis": m.refnis,
            "name_nl": m.name_nl,
            "merged_on": m.merged_on.isoformat() if m.merged_on else None,
            "note": f"{m.name_nl} ({m.refnis}) merged into {current.name_nl} ({current.refnis})",
        }
    return body


@bp.get("/domains")
def list_domains():
    """The six focus domains.
    ---
    get:
      summary: The six smart-city focus domains
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: {type: array, items: DomainSchema}
    """
    domains = db.session.scalars(select(Domain).order_by(Domain.position))
    return {"items": DomainSchema(many=True).dump(domains)}
