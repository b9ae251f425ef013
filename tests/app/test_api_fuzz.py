"""Property-based run against the OpenAPI document: whatever we send, never a 5xx.

Every operation in /api/v1/openapi.json is called with generated path values, query strings
and JSON bodies (valid-looking and hostile), as anonymous and as admin.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                         st.floats(allow_nan=False), st.text(max_size=40))
json_values = st.recursive(json_scalars, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=12), c, max_size=4),
                           max_leaves=12)
path_values = st.one_of(st.from_regex(r"\A\d{5}\Z"), st.integers(min_value=-5, max_value=2**40).map(str),
                        st.text(alphabet="abcXYZ019-_%.", min_size=1, max_size=12))


def operations(spec):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method in ("get", "post", "patch", "put", "delete"):
                yield path, method, op


def _query_value(schema):
    if schema.get("enum"):
        return st.one_of(st.sampled_from(schema["enum"]), st.text(max_size=8))
    if schema.get("type") == "integer":
        return st.one_of(st.integers(min_value=-10, max_value=10**12).map(str), st.text(max_size=6))
    if schema.get("type") == "boolean":
        return st.sampled_from(["true", "false", "1", "0", "maybe", ""])
    return st.text(max_size=20)


@settings(max_examples=20, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data())
def test_no_operation_answers_5xx(client, admin_headers, data):
    spec = client.get("/api/v1/openapi.json").json
    for path, method, op in operations(spec):
        url = re.sub(r"\{[^}]+\}", lambda _: data.draw(path_values), path)
        query = {}
        for prm in op.get("parameters", []):
            if prm.get("in") == "query" and data.draw(st.booleans()):
                query[prm["name"]] = data.draw(_query_value(prm.get("schema", {})))
        if data.draw(st.booleans()):
            query[data.draw(st.text(alphabet="abcdefgh", min_size=1, max_size=5))] = "1"
        headers = admin_headers if data.draw(st.booleans()) else {}
        kwargs = {"query_string": query, "headers": headers}
        if method in ("post", "patch", "put"):
            body = data.draw(st.one_of(json_values, st.fixed_dictionaries({}, optional={
                "title": json_scalars, "programme": json_scalars, "year": json_scalars,
                "grant_cents": json_scalars, "domains": json_values, "participations": json_values})))
            kwargs["json"] = body
        resp = client.open(url, method=method.upper(), **kwargs)
        assert resp.status_code < 500, (method, url, query, kwargs.get("json"), resp.data[:300])
        if resp.status_code >= 400:
            assert resp.mimetype == "application/problem+json"
