"""The JSON API under /api/v1. One module per area; each registers its routes on ``bp``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import BadRequest

from app.problems import Problem, flatten_marshmallow, validation_problem

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def parse_args(schema: Schema) -> dict[str, Any]:
    """Validate the query string with a marshmallow schema (unknown parameters are refused)."""
    raw: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        raw[key] = values if len(values) > 1 else values[0]
    try:
        return schema.load(raw)
    except ValidationError as err:
        raise validation_problem(flatten_marshmallow(err.messages)) from None


def json_body(schema: Schema, partial: bool = False) -> dict[str, Any]:
    """Parse and validate a JSON request body; 415 for another media type, 400 for bad JSON."""
    if not request.is_json:
        raise Problem(
            415,
            "Unsupported media type",
            "Send the body as JSON with 'Content-Type: application/json'.",
        )
    try:
        data = request.get_json(force=False, silent=False)
    except BadRequest:
        raise Problem(
            400,
            "Malformed JSON",
            "The request body is not valid JSON; check quotes, commas and brackets.",
            errors=[{"field": "body", "message": "not valid JSON"}],
        ) from None
    if not isinstance(data, dict):
        raise validation_problem([{"field": "body", "message": "must be a JSON object"}])
    try:
        return schema.load(data, partial=partial)
    except ValidationError as err:
        raise validation_problem(flatten_marshmallow(err.messages)) from None


# Route modules register themselves on import.
from app.api import calls, cluster_plans, docs, jury, municipalities, partners, projects  # noqa: E402,F401
