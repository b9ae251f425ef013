"""RFC 9457 problem details for the API.

Every 4xx/5xx under ``/api/`` is ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail`` and, for bad input, ``errors``: a list of ``{"field", "message"}`` that say what to fix.
"""

from __future__ import annotations

from typing import Any

from flask import Response, json, request
from werkzeug.exceptions import HTTPException

PROBLEM_BASE = "https://vuurtoren.example/problems/"


class Problem(Exception):
    """Raise anywhere in a request to answer with a problem+json document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        type_: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail or title
        self.errors = errors or []
        self.type = type_ or PROBLEM_BASE + title.lower().replace(" ", "-")
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if request:
            body["instance"] = request.path
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


def problem_response(problem: Problem) -> Response:
    resp = Response(json.dumps(problem.to_dict()), status=problem.status)
    resp.mimetype = "application/problem+json"
    return resp


def validation_problem(errors: list[dict[str, Any]], detail: str | None = None) -> Problem:
    if detail is None:
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "Invalid input"
    return Problem(400, "Invalid input", detail, errors=errors)


#: Dutch names of what ``not_found`` reports, so the field message reaches the Dutch pages too.
NOT_FOUND_NL = {
    "application": "aanvraag", "application of this call": "aanvraag van deze oproep",
    "assignment": "toewijzing", "call": "oproep", "cluster plan": "clusterplan",
    "declaration": "aangifte",
    "criterion of this call": "criterium van deze oproep", "juror of this call": "jurylid van deze oproep",
    "idea": "idee", "consortium proposal run": "berekening van consortiumvoorstellen",
    "consortium proposal": "consortiumvoorstel", "idea of this proposal": "idee van dit voorstel",
    "municipality": "gemeente", "organisation": "organisatie", "project": "project", "user": "gebruiker",
}


def not_found(what: str, ident: Any, field: str | None = None) -> Problem:
    errors = [{"field": field, "message": f"no {what} {ident}"}] if field else None
    if errors and what in NOT_FOUND_NL:
        errors[0]["message_nl"] = f"geen {NOT_FOUND_NL[what]} {ident}"
    return Problem(404, "Not found", f"No {what} with identifier {ident!r}", errors=errors)


def flatten_marshmallow(messages: Any, prefix: str = "") -> list[dict[str, str]]:
    """Turn marshmallow's nested error dict into ``[{"field": "a.b", "message": ...}]``."""
    out: list[dict[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = str(key) if key != "_schema" else (prefix.rstrip(".") or "body")
            path = f"{prefix}{name}" if key != "_schema" else name
            if isinstance(value, (dict, list)) and not (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            ):
                out.extend(flatten_marshmallow(value, path + "."))
            elif isinstance(value, list):
                for v in value:
                    out.append({"field": path, "message": _friendly(v)})
            else:
                out.append({"field": path, "message": _friendly(str(value))})
    elif isinstance(messages, list):
        for v in messages:
            if isinstance(v, (dict, list)):
                out.extend(flatten_marshmallow(v, prefix))
            else:
                out.append({"field": prefix.rstrip(".") or "body", "message": _friendly(str(v))})
    return out


def _friendly(message: str) -> str:
    if message == "Unknown field.":
        return "unknown field; remove it (see /api/v1/openapi.json for the accepted fields)"
    return message


def http_exception_problem(exc: HTTPException) -> Problem:
    code = exc.code or 500
    titles = {
        400: "Bad request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not found",
        405: "Method not allowed",
        409: "Conflict",
        413: "Payload too large",
        415: "Unsupported media type",
        429: "Too many requests",
    }
    detail = exc.description or exc.name
    if code == 413:
        detail = "The request body is too large; the limit is 1 MB."
    elif code == 404:
        detail = f"No API resource at {request.path}; see /api/v1/openapi.json."
    elif code == 405:
        detail = f"{request.method} is not allowed on {request.path}."
    return Problem(code, titles.get(code, exc.name), detail)
