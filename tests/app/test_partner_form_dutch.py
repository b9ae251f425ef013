"""No English schema text on a Dutch page: every marshmallow message has its Dutch reading
(app.core.schemas._DUTCH), and the partner finder's number fields say their range in Dutch
('geef een geheel getal van 1 tot 100', not WTForms' 'Nummer moet tussen ...') and in English."""

from __future__ import annotations

import re

import pytest
from marshmallow import Schema, ValidationError, fields, validate

from app.core.schemas import dutch_messages

ERROR = re.compile(r'class="error"[^>]*>([^<]*)<')
BASE = "/partners?municipality=Lubbeek&domain=mobility&"

#: One call per kind of marshmallow message a schema of ours can produce.
MARSHMALLOW = [
    lambda: fields.Email().deserialize("x"), lambda: validate.OneOf(["a", "b"])("c"),
    lambda: validate.ContainsOnly(["a"])(["b"]), lambda: validate.Length(equal=3)("ab"),
    lambda: validate.Length(min=1)([]), lambda: validate.Length(max=1)("ab"),
    lambda: validate.Length(min=1, max=2)("abc"),
    lambda: validate.Range(min=1, min_inclusive=False)(0),
    lambda: validate.Range(max=1, max_inclusive=False)(2), lambda: validate.Range(min=1)(0),
    lambda: validate.Range(max=1)(2), lambda: validate.Range(min=1, max=5)(9),
    lambda: validate.Range(min=1, max=5, min_inclusive=False)(0),
    lambda: fields.List(fields.Int()).deserialize("x"), lambda: fields.DateTime().deserialize("x"),
    lambda: fields.Date().deserialize("x"), lambda: fields.Time().deserialize("x"),
    lambda: Schema.from_dict({})().load({"x": 1}), lambda: fields.Url().deserialize("x"),
    lambda: validate.Regexp("a+")("b"), lambda: fields.Dict().deserialize("x"),
    lambda: fields.Decimal().deserialize("x"), lambda: fields.Int().deserialize("x"),
    lambda: fields.Float(allow_nan=False).deserialize("nan"),
    lambda: fields.Nested(Schema.from_dict({})).deserialize("x"),
    lambda: fields.Str().deserialize(None), lambda: fields.Str().deserialize(3),
    lambda: fields.Bool().deserialize("x"), lambda: fields.UUID().deserialize("x"),
    lambda: Schema.from_dict({"a": fields.Int(required=True)})().load({}),
]


def _messages(messages) -> list[str]:
    if isinstance(messages, dict):
        return [m for v in messages.values() for m in _messages(v)]
    return list(messages)


@pytest.mark.parametrize("call", MARSHMALLOW)
def test_every_marshmallow_message_has_a_dutch_reading(call):
    with pytest.raises(ValidationError) as raised:
        call()
    for message in _messages(raised.value.messages):
        [error] = dutch_messages([{"field": "x", "message": message}])
        assert "message_nl" in error, message


@pytest.mark.parametrize(("query", "nl", "en"), [
    ("limit=500", "geef een geheel getal van 1 tot 100", "give a whole number from 1 to 100"),
    ("limit=0", "geef een geheel getal van 1 tot 100", "give a whole number from 1 to 100"),
    ("max_distance_km=-3", "geef een afstand van 0 tot 1000 km", "give a distance from 0 to 1000 km"),
])
def test_partner_finder_number_fields_say_their_range(client, query, nl, en):
    resp = client.get(BASE + query, headers={"Accept-Language": "nl"})
    assert resp.status_code == 400
    assert nl in ERROR.findall(resp.get_data(as_text=True))
    resp = client.get(BASE + query + "&lang=en", headers={"Accept-Language": "en"})
    assert en in ERROR.findall(resp.get_data(as_text=True))
