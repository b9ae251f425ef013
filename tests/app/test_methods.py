"""TRACE and unknown methods answer 405 with an ``Allow`` header naming the methods the resource
has (RFC 9110 15.5.6), on the API (problem+json) and on pages."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("method", ["TRACE", "FOO", "PROPFIND"])
@pytest.mark.parametrize("url, allowed", [("/api/v1/municipalities", {"GET", "HEAD", "OPTIONS"}),
                                          ("/api/v1/projects", {"GET", "HEAD", "OPTIONS", "POST"}),
                                          ("/gemeenten", {"GET", "HEAD", "OPTIONS"})])
def test_an_unsupported_method_is_405_with_allow(client, method, url, allowed):
    resp = client.open(url, method=method)
    assert resp.status_code == 405
    assert {m.strip() for m in resp.headers["Allow"].split(",")} == allowed
    if url.startswith("/api/"):
        assert resp.mimetype == "application/problem+json"
        assert method in resp.json["detail"]
