"""The OpenAPI 3 document, generated from the marshmallow schemas and the view docstrings."""

from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.yaml_utils import load_operations_from_docstring
from flask import current_app

from app.core import schemas  # noqa: F401  (register ProblemSchema by name)
from app.core.api import bp

_PATH_PARAM = re.compile(r"<(?:[a-z]+:)?([a-zA-Z_]+)>")


def build_spec() -> dict:
    spec = APISpec(
        title="Vuurtoren API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Municipality registry, partner matching, cluster plans and City of Things "
            "call evaluation for Flanders' smart-region programme. Errors are "
            "application/problem+json (RFC 9457) with an `errors` list of {field, message}."
        },
        servers=[{"url": "/"}],
    )
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    # Every error answer has the same shape; view docstrings name it as `4xx: Problem`.
    spec.components.response("Problem", {
        "description": "RFC 9457 problem details; `errors` lists {field, message} to fix",
        "content": {"application/problem+json": {"schema": "ProblemSchema"}},
    })
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api."):
            continue
        view = current_app.view_functions[rule.endpoint]
        operations = load_operations_from_docstring(view.__doc__ or "")
        operations = {k: v for k, v in operations.items() if k.upper() in (rule.methods or set())}
        if not operations:
            continue
        path = _PATH_PARAM.sub(r"{\1}", rule.rule)
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI document itself (not listed in it)."""
    return build_spec()
