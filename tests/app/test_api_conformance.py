"""The OpenAPI document matches the service (issue 13 item 8).

schemathesis generates requests from ``/api/v1/openapi.json`` and sends them to the app, per role
(anonymous, a city user, a juror on the demo call's jury, the admin), each on the operations that
role may call, with valid-looking data (also aimed at real objects: the demo call, its
applications, jurors and criteria) and with invalid data. Every answer must be a status the
document declares for the operation, with the declared media type and schema, never a 5xx; an
invalid request must be refused. A bounded number of examples per operation keeps the run short
(``CONFORMANCE_EXAMPLES``, default 2, times two draws: under a minute for the four roles on a
loaded two-core machine).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.app.jury_setup import add_jurors, assign, bearer, demo_call, make_user

pytestmark = pytest.mark.conformance

EXAMPLES = int(os.environ.get("CONFORMANCE_EXAMPLES", "2"))
ROLES = ("anonymous", "city", "juror", "admin")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
METHODS = ("get", "post", "put", "patch", "delete")


def _world(app, client, admin_headers) -> tuple[dict[str, dict], dict[str, object]]:
    """Headers per role and the identifiers of real objects to aim at."""
    jury = demo_call(app)
    add_jurors(app, client, admin_headers, jury, 3)
    pairs = assign(client, admin_headers, jury, reviewers=2, max_load=8)["assignments"]
    first = next(iter(jury.jurors))
    mine = next(p for p in pairs if p["juror"] == jury.jurors[first])
    headers = {
        "anonymous": {},
        "city": bearer(make_user(app, "conformance-city@example.org", "city",
                                 **_city_affiliation(app))),
        "juror": jury.h(first),
        "admin": admin_headers,
    }
    real = {"call_id": jury.call_id, "application_id": mine["application"],
            "juror_id": mine["juror"], "criterion": jury.criteria[0], "project_id": 1,
            "refnis": "44021", "other_id": 1, "plan_id": 1, "document_id": 1,
            "declaration_id": 1}
    return headers, real


def _city_affiliation(app) -> dict:
    """The city user of Ghent (44021), the lead of demo applications."""
    from sqlalchemy import select

    from app.core.extensions import db
    from app.models import Municipality

    with app.app_context():
        ident = db.session.scalar(select(Municipality.id).where(Municipality.refnis == "44021"))
        db.session.remove()
    return {"municipality_id": ident}


def _may_call(operation: dict, role: str) -> bool:
    roles = operation.get("x-roles")
    if role == "anonymous":
        return roles is None
    return roles is None or role in roles


@pytest.mark.parametrize("role", ROLES)
def test_the_service_answers_as_its_document_says(app, client, admin_headers, role):
    headers, real = _world(app, client, admin_headers)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    raw = client.get("/api/v1/openapi.json").json
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        spec = raw["paths"][operation.path][operation.method.lower()]
        if not _may_call(spec, role):
            continue
        fixed = {p.name: real[p.name] for p in operation.path_parameters if p.name in real}
        strategies = [operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                      operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)]
        if fixed:
            strategies.append(operation.as_strategy(path_parameters=fixed))
        # identity: the test client does not decompress (GET /boundaries answers gzip if asked)
        sent = {**headers[role], "Accept-Encoding": "identity"}
        failures.extend(_run(operation, st.one_of(strategies), sent))
    distinct = sorted(set(failures))
    assert not distinct, f"{len(distinct)} mismatches as {role}:\n" + "\n".join(distinct)


def _run(operation, strategy, headers: dict) -> list[str]:
    found: list[str] = []

    @settings(max_examples=EXAMPLES * 2, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case):
        checks = list(CHECKS)
        if case.meta is not None and case.meta.generation.mode == GenerationMode.NEGATIVE \
                and _negation_is_sent(case):
            checks.append(negative_data_rejection)
        try:
            case.call_and_validate(headers=headers, checks=checks)
        except (Exception, FailureGroup) as exc:  # collect every operation's mismatch
            found.append(f"{operation.method.upper()} {operation.path}: {_brief(exc)}")

    check()
    return found


def _negation_is_sent(case) -> bool:
    """A query parameter whose generated value is an empty list is not sent at all, so the
    request that reaches the service can be valid: no refusal to expect then."""
    return not any(value == [] for value in (case.query or {}).values())


def _brief(exc: BaseException) -> str:
    """The failure's kind and its first lines of explanation, and the curl to reproduce it."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    keep: list[str] = []
    for i, line in enumerate(lines):
        if line.startswith("- ST"):
            keep.extend(lines[i:i + 5])
        elif line.startswith("curl"):
            keep.append(line[:300])
    return " | ".join(keep)[:900] or repr(exc)[:900]
