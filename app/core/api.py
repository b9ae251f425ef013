"""The JSON API blueprint under /api/v1 and its request parsing.

Each feature's ``api`` module registers its routes on ``bp``; ``create_app`` imports them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import BadRequest

from app.core.problems import Problem, flatten_marshmallow, validation_problem

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


def optional_body(schema: Schema) -> dict[str, Any]:
    """A JSON body that may be left out entirely (then every field takes its default)."""
    if not request.get_data(cache=True):
        return schema.load({})
    return json_body(schema)
