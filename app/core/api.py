"""The JSON API blueprint under /api/v1: flask-smorest parses, validates and documents it.

Each feature's ``api`` module registers its routes on ``bp`` with the decorators that both check
the request and write the OpenAPI document (docs/api.md, docs/architecture.md)::

    @bp.post("/projects")
    @require_admin                              # 401/403, documented with the bearer scheme
    @bp.arguments(ProjectInSchema)              # the JSON body; bad input -> 400 problem+json
    @bp.response(201, ProjectSchema)            # serialises and documents the answer
    @problems(409)                              # other answers the view can give
    def create_project(data): ...

Query strings use ``location="query"``; a body that may be left out ``"optional_json"`` (every
field takes its default); an upload ``"files"`` (documentation only: the view reads
``request.files`` after its size check); JSON or an upload ``"json_or_upload"`` (the view gets
``None`` for an upload) beside a ``"files"`` arguments for the form. A view whose service builds
the answer documents it with ``@bp.alt_response(200, schema=..., success=True)``, a download with
``content_type=`` and ``TEXT``/``BINARY``. ``checked_first`` answers who may act (403/404) before
the body is parsed. Errors are the problem details of :mod:`app.core.problems`, with the field
names the hand-written parsing gave.
"""

from __future__ import annotations

import http
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

import flask_smorest
from flask import request
from marshmallow import Schema, ValidationError
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import BadRequest

from app.core.problems import Problem, flatten_marshmallow, validation_problem
from app.core.schemas import ProblemSchema

PROBLEM_MEDIA_TYPE = "application/problem+json"
#: Response schemas of the downloads (``@bp.alt_response(200, schema=TEXT, content_type=...)``).
TEXT = {"type": "string"}
BINARY = {"type": "string", "format": "binary"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ProblemParser(FlaskParser):
    """webargs' Flask parser answering with our problem details.

    - Unknown fields are refused everywhere (the schemas say ``unknown = RAISE``), query included.
    - A query parameter given twice is a list, so ``?page=1&page=2`` is refused for an integer
      (webargs would silently take the first value).
    - A JSON body must be sent as JSON (415), parse (400 "Malformed JSON") and be an object.
    - Errors name the field as ``a.b`` (a schema may rename with an ``error_field`` function and
      list the allowed values of a refused parameter with ``valid_values``).
    """

    DEFAULT_UNKNOWN_BY_LOCATION: dict[str, str | None] = {}  # the schema's own Meta.unknown
    DEFAULT_VALIDATION_STATUS = 400

    def load_querystring(self, req: Any, schema: Schema) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        for key in req.args:
            values = req.args.getlist(key)
            raw[key] = values if len(values) > 1 else values[0]
        return raw

    def load_json(self, req: Any, schema: Schema) -> dict[str, Any]:
        if not req.is_json:
            raise Problem(415, "Unsupported media type",
                          "Send the body as JSON with 'Content-Type: application/json'.")
        try:
            data = req.get_json(force=False, silent=False)
        except BadRequest:
            raise Problem(400, "Malformed JSON",
                          "The request body is not valid JSON; check quotes, commas and brackets.",
                          errors=[{"field": "body", "message": "not valid JSON"}]) from None
        if not isinstance(data, dict):
            raise validation_problem([{"field": "body", "message": "must be a JSON object"}])
        return data

    def load_optional_json(self, req: Any, schema: Schema) -> dict[str, Any]:
        """A JSON body that may be left out entirely (then every field takes its default)."""
        if not req.get_data(cache=True):
            return {}
        return self.load_json(req, schema)

    def parse(self, argmap: Any, req: Any = None, *, location: str | None = None,
              **kwargs: Any) -> Any:
        if location == "json_or_upload":
            if (req or request).mimetype == "multipart/form-data":
                return None  # the view reads the upload itself
            location = "json"
        return super().parse(argmap, req, location=location, **kwargs)

    def handle_error(self, error: ValidationError, req: Any, schema: Schema, *,
                     error_status_code: int | None, error_headers: Any) -> None:
        messages = error.messages
        if isinstance(messages, dict) and len(messages) == 1:
            messages = next(iter(messages.values()))  # drop webargs' location level
        errors = flatten_marshmallow(messages)
        rename: Callable[[str], str] | None = getattr(schema, "error_field", None)
        valid: dict[str, Iterable[str]] = getattr(schema, "valid_values", None) or {}
        for e in errors:
            if e["field"] in valid:
                e["valid"] = list(valid[e["field"]])
            if rename is not None:
                e["field"] = rename(e["field"])
        raise validation_problem(errors)


ProblemParser.__location_map__ = {**FlaskParser.__location_map__,
                                  "optional_json": "load_optional_json"}


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = ProblemParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "optional_json": "application/json",
        "json_or_upload": "application/json",
    }

    def _prepare_arguments_doc(self, doc: dict, doc_info: dict, **kwargs: Any) -> dict:
        """flask-smorest documents one body; a second one (the multipart form of an endpoint that
        also takes JSON) becomes a second media type of the same request body."""
        operation = doc_info.get("arguments")
        extra = []
        if operation:
            bodies = [p for p in operation["parameters"] if isinstance(p, dict)
                      and p["in"] in self.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING]
            for param in bodies[1:]:
                operation["parameters"].remove(param)
                extra.append(param)
        doc = super()._prepare_arguments_doc(doc, doc_info, **kwargs)
        for param in extra:
            content_type = (param.get("content_type")
                            or self.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING[param["in"]])
            doc["requestBody"]["content"][content_type] = {"schema": param["schema"]}
        return doc

    def arguments(self, schema: Any, *, location: str = "json", **kwargs: Any) -> Callable:
        """``flask_smorest.Blueprint.arguments``; bad input answers 400 (documented so)."""
        kwargs.setdefault("error_status_code", 400)
        if location == "optional_json":
            kwargs.setdefault("required", False)
        if location == "files":
            return self._document_upload(schema, **kwargs)
        return super().arguments(schema, location=location, **kwargs)

    def _document_upload(self, schema: Any, **kwargs: Any) -> Callable:
        """A multipart body, documented only: the view reads ``request.files`` itself after the
        upload's size check (a parser would read the whole form first)."""
        doc = {"in": "files", "required": kwargs.get("required", True), "schema": schema}
        if "description" in kwargs:
            doc["description"] = kwargs["description"]

        def decorator(func: Callable) -> Callable:
            apidoc = dict(getattr(func, "_apidoc", {}))
            arguments = dict(apidoc.get("arguments", {}))
            arguments["parameters"] = [*arguments.get("parameters", []), doc]
            arguments["responses"] = {**arguments.get("responses", {}), 400: "BAD_REQUEST"}
            apidoc["arguments"] = arguments
            func._apidoc = apidoc  # type: ignore[attr-defined]
            return func

        return decorator


bp = Blueprint("api", __name__, url_prefix="/api/v1",
               description="Vuurtoren API: registry, partners, plans, calls, jury and results")


def problems(*codes: int) -> Callable:
    """Document the problem+json answers a view gives besides its success (404, 409, 422...)."""

    def decorator(func: Callable) -> Callable:
        for code in codes:
            func = bp.alt_response(code, response=http.HTTPStatus(code).name)(func)
        return func

    return decorator


def checked_first(check: Callable[..., Any]) -> Callable:
    """Run ``check(**path_parameters)`` before the request is parsed, so that who may act is
    answered (403/404) before what they sent (400). Goes above ``@bp.arguments``."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            check(**kwargs)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def document_auth(func: Callable, roles: Iterable[str]) -> None:
    """Mark ``func`` as needing a bearer token of one of ``roles`` (401 without, 403 with another
    role); used by :func:`app.core.auth.require_role`."""
    apidoc = dict(getattr(func, "_apidoc", {}))
    manual = dict(apidoc.get("manual_doc", {}))
    manual["security"] = [{"bearerAuth": []}]
    manual["x-roles"] = list(roles)  # openapi.py says it in the description too
    apidoc["manual_doc"] = manual
    response = dict(apidoc.get("response", {}))
    responses = {k: list(v) for k, v in response.get("responses", {}).items()}
    for code in (401, 403):
        responses.setdefault(code, []).append(http.HTTPStatus(code).name)
    response["responses"] = responses
    apidoc["response"] = response
    func._apidoc = apidoc  # type: ignore[attr-defined]


class Api(flask_smorest.Api):
    """flask-smorest's ``Api`` with our problem details as the error answer of every status.

    Errors are handled by the app (``app._register_error_handlers``), not by flask-smorest."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # every status is declared, none hides behind 'default'

    def _register_error_handlers(self) -> None:
        pass

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["description"] = (f"{status.phrase}: RFC 9457 problem details; `errors` "
                                           "lists {field, message} to fix")
                response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": ProblemSchema}}
            self.spec.components.response(status.name, response, lazy=True)
