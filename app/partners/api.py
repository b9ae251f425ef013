"""Partner suggestions, experience profiles, related projects and the matching weights.

Thin views: the query is parsed with a schema of ``app.partners.schemas``,
``app.partners.service`` runs :mod:`matching` on the cached graph (and maps its errors to
problems), the answer is JSON documented by the same module's response schemas.
"""

from __future__ import annotations

from app.core.api import bp, problems
from app.partners.schemas import (
    MunicipalityProfileSchema,
    PartnerSuggestionArgs,
    PartnerSuggestionPage,
    ProfileArgs,
    SimilarProjectArgs,
    SimilarProjectPage,
    SimilarTextArgs,
)
from app.partners.service import (
    municipality_profile,
    partner_suggestions,
    similar_projects,
)
from app.registry.service import matching_weights


@bp.get("/partner-suggestions")
@bp.arguments(PartnerSuggestionArgs, location="query")
@bp.alt_response(200, schema=PartnerSuggestionPage, success=True)
@problems(404)
def list_partner_suggestions(args: dict):
    """Partner suggestions (lighthouses to follow, followers to lead, or peers).

    The score is the sum of the factor contributions (experience_gap, distance_km, similarity,
    ties, lighthouse_load); every item gives them with a one-line reason in Dutch and English.
    Formula and weights: docs/matching.md and /api/v1/matching/weights.
    """
    return partner_suggestions(args["municipality"], args["domain"], args["looking_for"],
                               args["mode"], args["limit"], args["max_distance_km"])


@bp.get("/municipalities/<refnis>/profile")
@bp.arguments(ProfileArgs, location="query")
@bp.alt_response(200, schema=MunicipalityProfileSchema, success=True)
@problems(404)
def show_municipality_profile(args: dict, refnis: str):
    """Experience and maturity of a municipality per focus domain.

    Per domain the experience score, its maturity class, the score split per factor (role,
    recency, scale, adoption) and every project's contribution with its components. A
    merged-away REFNIS answers for its successor and says so in resolved_from.
    """
    return municipality_profile(refnis, args.get("as_of_year"))


@bp.get("/matching/weights")
@bp.alt_response(200, schema={"type": "object"}, success=True)
def show_matching_weights():
    """The matching weights (one named object; docs/matching.md explains each)."""
    return matching_weights().as_dict()


@bp.get("/projects/similar")
@bp.arguments(SimilarTextArgs, location="query")
@bp.alt_response(200, schema=SimilarProjectPage, success=True)
def list_similar_projects_to_text(args: dict):
    """Projects closest to a free text (TF-IDF), for spotting double funding.

    Score = cosine similarity of character n-gram TF-IDF vectors, municipality names and call
    boilerplate ignored; possible_double_funding from double_funding_threshold on. Texts longer
    than a URL allows: POST {"text", "limit"} as JSON.
    """
    return similar_projects(text=args["text"], limit=args["limit"])


@bp.post("/projects/similar")
@bp.arguments(SimilarTextArgs)
@bp.alt_response(200, schema=SimilarProjectPage, success=True)
def post_similar_projects_to_text(args: dict):
    """Projects closest to a free text sent as JSON (for long texts)."""
    return similar_projects(text=args["text"], limit=args["limit"])


@bp.get("/projects/<int:project_id>/similar")
@bp.arguments(SimilarProjectArgs, location="query")
@bp.alt_response(200, schema=SimilarProjectPage, success=True)
@problems(404)
def list_similar_projects(args: dict, project_id: int):
    """Projects closest to a project (TF-IDF), itself excluded."""
    return similar_projects(project_id=project_id, limit=args["limit"])
