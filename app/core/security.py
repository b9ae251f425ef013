"""Security at the edge of every request (OWASP ASVS level 2), in one place.

- **Headers** (Flask-Talisman): a Content-Security-Policy without inline scripts that forbids
  framing, ``nosniff``, a Referrer-Policy, and in production HSTS and a redirect to https.
- **Proxies**: behind ``TRUSTED_PROXIES`` reverse proxies, ProxyFix takes the client's address,
  scheme and host from their ``X-Forwarded-*`` headers (the login lockout keys on that address);
  with none configured those headers are ignored, so a client cannot forge its address.
- **Cross-site writes**: every state-changing request whose ``Origin`` (or, without it, its
  ``Referer``) is another site is refused (403). An API write authenticated by the session cookie
  needs the page's CSRF token in an ``X-CSRFToken`` header; a bearer token needs none (a browser
  never sends it by itself). An API write sends JSON or no content type at all (multipart only to
  the endpoints that take a file), so a cross-site HTML form cannot reach it.
- **Input at the edge**: a NUL byte or a lone surrogate in the path, a query or form field or any
  JSON text (key or value) is a 400 naming the field (PostgreSQL refuses NUL in text, and a lone
  surrogate cannot be encoded); JSON nested deeper than ``MAX_JSON_DEPTH`` is a 400 before it is
  parsed (the parser would recurse until it crashes).
- **Redirects**: :func:`safe_next` is the one check of every ``next`` parameter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, current_app, request
from flask_login import current_user
from flask_wtf.csrf import ValidationError as CSRFValidationError
from flask_wtf.csrf import validate_csrf

from app.core.problems import Problem, validation_problem

#: Deepest JSON nesting accepted in a request body. Our bodies nest three levels at most; 32 is
#: far beyond that and far below the parser's recursion limit.
MAX_JSON_DEPTH = 32
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADERS = ("X-CSRFToken", "X-CSRF-Token")

_BAD_TEXT = re.compile(r"[\x00\ud800-\udfff]")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")


def accepts_upload(view: Callable) -> Callable:
    """Mark a view that takes a file upload: an API view accepts ``multipart/form-data`` besides
    JSON, and every marked view (API or page) gets ``UPLOAD_MAX_CONTENT_LENGTH`` as its body limit
    instead of ``MAX_CONTENT_LENGTH``, set by :func:`check_request` before anything reads the body
    (the CSRF check of a page reads the form first)."""
    view.accepts_upload = True  # type: ignore[attr-defined]
    return view


def safe_next(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site, else ``default``.

    Refused: anything with a scheme or host, a second leading slash or backslash (browsers read
    ``/\\evil`` as ``//evil``), and control characters (browsers drop tabs and newlines, which
    turns ``/<TAB>/evil`` into ``//evil``). The fragment is dropped.
    """
    if not target or not isinstance(target, str):
        return default
    if any(ord(c) < 0x20 or ord(c) == 0x7F or c == "\\" for c in target):
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return urlunsplit(("", "", parts.path, parts.query, "")) or default


def init_security(app: Flask) -> None:
    """Wire headers, proxies and the request checks into ``app`` (before CSRFProtect)."""
    from flask_talisman import Talisman
    from werkzeug.middleware.proxy_fix import ProxyFix

    production = app.config["VUURTOREN_ENV"] == "production"
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,  # type: ignore[method-assign]
                                x_port=proxies)
    Talisman(
        app,
        force_https=production,
        strict_transport_security=production,
        strict_transport_security_max_age=365 * 24 * 3600,
        strict_transport_security_include_subdomains=True,
        session_cookie_secure=production,
        session_cookie_http_only=True,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        content_security_policy=CONTENT_SECURITY_POLICY,
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
    app.before_request(check_request)


#: Scripts and styles from this site only; inline styles stay allowed (style attributes of the
#: charts), inline scripts do not. Nothing may frame a page.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def check_request() -> None:
    """The edge checks of every request; raises :class:`Problem` (403/400/415)."""
    _check_text(request.path, "path")
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "accepts_upload", False):
        # the upload limit, before the form is read here or by the CSRF check after this
        request.max_content_length = current_app.config["UPLOAD_MAX_CONTENT_LENGTH"]
    reads_form = request.method in UNSAFE_METHODS
    sources = [request.args] + ([request.form] if reads_form else [])
    for source in sources:
        for key, values in source.lists():
            _check_text(key, key)
            for value in values:
                _check_text(value, key)
    if _is_api() and request.headers.get("Authorization"):
        from app.core.auth import api_user

        api_user()  # a bad or expired token is a 401 everywhere; a good one records its use
    if request.method not in UNSAFE_METHODS:
        return
    _check_origin()
    if _is_api():
        _check_api_csrf()
        _check_api_media_type()
        if request.is_json:
            _check_json_body()


def _is_api() -> bool:
    """By path, not blueprint: the API may be served by several blueprints."""
    return request.path.startswith("/api/")


def _check_text(value: str, field: str) -> None:
    if _BAD_TEXT.search(value):
        raise validation_problem([{
            "field": _clean(field),
            "message": "contains a NUL byte or a lone surrogate, which no text may hold",
            "message_nl": "bevat een NUL-teken of een los surrogaat, dat geen tekst mag bevatten"}])


def _clean(text: str) -> str:
    return _BAD_TEXT.sub("\ufffd", text)


def _own_origin() -> str:
    return request.host_url.rstrip("/").lower()


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def _check_origin() -> None:
    """Refuse a write that a browser says comes from another site (OWASP: verify the origin
    with standard headers). Clients that send neither header (scripts, the CLI) pass."""
    origin = request.headers.get("Origin")
    source = "Origin"
    if origin is None:
        referer = request.headers.get("Referer")
        if referer is None:
            return
        origin, source = _origin_of(referer) or "null", "Referer"
    allowed = {_own_origin(), *(o.rstrip("/").lower() for o in current_app.config.get("TRUSTED_ORIGINS", ()))}
    if origin.rstrip("/").lower() not in allowed:
        raise Problem(403, "Forbidden",
                      f"Cross-origin request refused: the {source} header names {origin[:100]!r}, "
                      f"not this site's origin {_own_origin()}.")


def _check_api_csrf() -> None:
    if request.headers.get("Authorization"):
        return  # a bearer token: a browser never sends it cross-site by itself
    if not current_user.is_authenticated:
        return  # anonymous: nothing to forge
    token = next((request.headers[h] for h in CSRF_HEADERS if request.headers.get(h)), None)
    try:
        validate_csrf(token)
    except CSRFValidationError:
        raise Problem(403, "Forbidden",
                      "A write with the session cookie needs the page's CSRF token in an "
                      "'X-CSRFToken' header (or use 'Authorization: Bearer <token>').",
                      errors=[{"field": "X-CSRFToken", "message": "CSRF token missing or invalid",
                               "message_nl": "CSRF-token ontbreekt of klopt niet"}]) from None


def _check_api_media_type() -> None:
    mimetype = request.mimetype
    if not mimetype or mimetype == "application/json" or mimetype.endswith("+json"):
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if mimetype == "multipart/form-data" and getattr(view, "accepts_upload", False):
        return
    raise Problem(415, "Unsupported media type",
                  f"Send JSON ('Content-Type: application/json') or no body; not {mimetype}.")


def _check_json_body() -> None:
    raw = request.get_data(cache=True)
    if not raw:
        return
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise validation_problem([{"field": "body", "message": "the body is not UTF-8",
                                   "message_nl": "de inhoud is geen UTF-8"}]) from None
    if json_depth(text) > MAX_JSON_DEPTH:
        raise validation_problem([{
            "field": "body", "message": f"JSON nested deeper than {MAX_JSON_DEPTH} levels",
            "message_nl": f"JSON dieper genest dan {MAX_JSON_DEPTH} niveaus"}])
    try:
        data = json.loads(text)
    except ValueError:
        return  # the endpoint answers "Malformed JSON"
    for path, value in _strings(data, ""):
        _check_text(value, path or "body")


def json_depth(text: str) -> int:
    """Deepest nesting of arrays and objects in JSON text, without parsing it (strings, where
    brackets do not count, are skipped)."""
    depth = deepest = 0
    for m in _BRACKET.finditer(_JSON_STRING.sub('""', text)):
        if m.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _strings(data: Any, prefix: str) -> Iterator[tuple[str, str]]:
    """Every text in a parsed JSON document with its dotted path; a key is checked as text and
    reported at its own path."""
    if isinstance(data, str):
        yield prefix, data
    elif isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{_clean(key)}" if prefix else _clean(key)
            yield path, key
            yield from _strings(value, path)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, f"{prefix}.{i}" if prefix else str(i))
