"""Partner suggestions, experience profiles, related projects and the matching weights.

Thin views: parse the query with a schema of ``app.partners.schemas``, call
``app.partners.service`` (which runs :mod:`matching` on the cached graph and maps its errors to
problems), answer JSON.
"""

from __future__ import annotations

from flask import request

from app.core.api import bp, json_body, parse_args
from app.core.problems import Problem
from app.partners.schemas import (
    VALID_VALUES,
    PartnerSuggestionArgs,
    ProfileArgs,
    SimilarProjectArgs,
    SimilarTextArgs,
)
from app.partners.service import (
    municipality_profile,
    partner_suggestions,
    similar_projects,
)
from app.registry.service import matching_weights

_suggestion_args = PartnerSuggestionArgs()
_profile_args = ProfileArgs()
_similar_text_args = SimilarTextArgs()
_similar_project_args = SimilarProjectArgs()


def _args(schema) -> dict:
    """``parse_args`` that also lists the valid values of an enumerated parameter it refuses."""
    try:
        return parse_args(schema)
    except Problem as problem:
        for error in problem.errors:
            if error.get("field") in VALID_VALUES:
                error["valid"] = list(VALID_VALUES[error["field"]])
        raise


@bp.get("/partner-suggestions")
def list_partner_suggestions():
    """Ranked cluster partners for a municipality in a domain, each explained factor by factor.
    ---
    get:
      summary: Partner suggestions (lighthouses to follow, followers to lead, or peers)
      description: >
        The score is the sum of the factor contributions (experience_gap, distance_km,
        similarity, ties, lighthouse_load); every item gives them with a one-line reason in
        Dutch and English. Formula and weights: docs/matching.md and /api/v1/matching/weights.
      parameters:
      - in: query
        schema: PartnerSuggestionArgs
      responses:
        200:
          content:
            application/json:
              schema: PartnerSuggestionPage
        400: Problem
        404: Problem
    """
    args = _args(_suggestion_args)
    return partner_suggestions(args["municipality"], args["domain"], args["looking_for"],
                               args["mode"], args["limit"], args["max_distance_km"])


@bp.get("/municipalities/<refnis>/profile")
def show_municipality_profile(refnis: str):
    """Experience and maturity per focus domain, with every component.
    ---
    get:
      summary: Experience and maturity of a municipality per focus domain
      description: >
        Per domain the experience score, its maturity class, the score split per factor (role,
        recency, scale, adoption) and every project's contribution with its components. A
        merged-away REFNIS answers for its successor and says so in resolved_from.
      parameters:
      - in: path
        name: refnis
        required: true
        schema: {type: string, pattern: '^\\d{5}$'}
      - in: query
        schema: ProfileArgs
      responses:
        200:
          content:
            application/json:
              schema: MunicipalityProfileSchema
        400: Problem
        404: Problem
    """
    args = _args(_profile_args)
    return municipality_profile(refnis, args.get("as_of_year"))


@bp.get("/matching/weights")
def show_matching_weights():
    """Every tuning weight of experience, maturity, similarity and suggestions.
    ---
    get:
      summary: The matching weights (one named object; docs/matching.md explains each)
      responses:
        200:
          content:
            application/json:
              schema: {type: object}
    """
    return matching_weights().as_dict()


@bp.route("/projects/similar", methods=["GET", "POST"])
def list_similar_projects_to_text():
    """Projects whose text is closest to a free text (an idea), for spotting double funding.
    ---
    get:
      summary: Projects closest to a free text (TF-IDF)
      description: >
        Score = cosine similarity of character n-gram TF-IDF vectors, municipality names and
        call boilerplate ignored; possible_double_funding from double_funding_threshold on.
        Texts longer than a URL allows: POST {"text", "limit"} as JSON.
      parameters:
      - in: query
        schema: SimilarTextArgs
      responses:
        200:
          content:
            application/json:
              schema: SimilarProjectPage
        400: Problem
    post:
      summary: Projects closest to a free text sent as JSON (for long texts)
      requestBody:
        required: true
        content:
          application/json:
            schema: SimilarTextArgs
      responses:
        200:
          content:
            application/json:
              schema: SimilarProjectPage
        400: Problem
        415: Problem
    """
    if request.method == "POST":
        args = json_body(SimilarTextArgs())
    else:
        args = _args(_similar_text_args)
    return similar_projects(text=args["text"], limit=args["limit"])


@bp.get("/projects/<int:project_id>/similar")
def list_similar_projects(project_id: int):
    """Projects whose text is closest to a project's (itself excluded).
    ---
    get:
      summary: Projects closest to a project (TF-IDF)
      parameters:
      - in: path
        name: project_id
        required: true
        schema: {type: integer}
      - in: query
        schema: SimilarProjectArgs
      responses:
        200:
          content:
            application/json:
              schema: SimilarProjectPage
        400: Problem
        404: Problem
    """
    args = _args(_similar_project_args)
    return similar_projects(project_id=project_id, limit=args["limit"])
