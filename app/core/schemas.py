"""Schema building blocks shared by every feature, and the problem details schema."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_smorest.fields import Upload
from marshmallow import INCLUDE, RAISE, Schema, ValidationError, fields, validate

REFNIS = validate.Regexp(r"^\d{5}$", error="must be a 5-digit REFNIS code, e.g. 44021")


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE
        ordered = True


class PageArgs(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class ProblemSchema(Schema):
    """RFC 9457 problem details; extension members (``report``, ``reason``...) may follow."""

    class Meta:
        unknown = INCLUDE

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String()
    errors = fields.List(fields.Dict())


class UploadSchema(Schema):
    """A multipart/form-data body with one file (documentation: the view reads it after its size
    check)."""

    file = Upload(required=True, metadata={"description": "the file (CSV, XLSX or PDF as the "
                                                          "operation says); at most 1 MB"})


# --------------------------------------------------------------------------------------------
# HTML forms through the same schemas as the API


def form_value(field: fields.Field, text: str) -> Any:
    """One form text as the JSON value the field reads: '' is null, '1,5' is 1.5, '12' is 12; a
    text that is no number stays text, so the schema's own message names the field."""
    text = text.strip()
    if isinstance(field, fields.List):  # one item per line; an empty box is an empty list
        return [line.strip() for line in text.splitlines() if line.strip()]
    if text == "":
        return None
    if isinstance(field, fields.Integer):
        return int(text) if re.fullmatch(r"[+-]?\d{1,18}", text) else text
    if isinstance(field, (fields.Float, fields.Decimal)):
        try:
            return float(text.replace(",", "."))
        except ValueError:
            return text
    return text


def form_input(schema: Schema, form: Mapping[str, str]) -> dict[str, Any]:
    """The fields of ``schema`` that ``form`` posts, as the JSON body the API would receive."""
    out: dict[str, Any] = {}
    for name, field in schema.fields.items():
        if name in form:
            value = form_value(field, form.get(name) or "")
            if value is not None or field.allow_none:
                out[name] = value
    return out


#: marshmallow's messages in Dutch, for the pages (the API answers them in English).
_DUTCH = (
    (re.compile(r"Not a valid (number|integer)\."), lambda m: "geef een getal"),
    (re.compile(r"Special numeric values \(nan or infinity\) are not permitted\."),
     lambda m: "geef een eindig getal"),
    (re.compile(r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\."),
     lambda m: f"moet tussen {m.group(1)} en {m.group(2)} liggen"),
    (re.compile(r"Must be greater than or equal to (\S+)\."),
     lambda m: f"moet minstens {m.group(1)} zijn"),
    (re.compile(r"Must be less than or equal to (\S+)\."), lambda m: f"hoogstens {m.group(1)}"),
    (re.compile(r"Not a valid date\."), lambda m: "geef een datum als JJJJ-MM-DD"),
    (re.compile(r"Field may not be null\."), lambda m: "verplicht"),
    (re.compile(r"Missing data for required field\."), lambda m: "verplicht"),
    (re.compile(r"Longer than maximum length (\d+)\."), lambda m: f"hoogstens {m.group(1)} tekens"),
    (re.compile(r"Shorter than minimum length (\d+)\."), lambda m: f"minstens {m.group(1)} tekens"),
    (re.compile(r"Length must be between (\d+) and (\d+)\."),
     lambda m: f"kies er minstens {m.group(1)} en hoogstens {m.group(2)}"),
    (re.compile(r"must be an integer from (\d+) to (\d+)"),
     lambda m: f"geef een geheel getal van {m.group(1)} tot {m.group(2)}"),
    (re.compile(r"must be an integer from (\d+) to (\d+) \(a capacity cannot be negative\)"),
     lambda m: f"geef een geheel getal van {m.group(1)} tot {m.group(2)} (een capaciteit is "
               "nooit negatief)"),
    (re.compile(r"must be more than 0 and at most (\d+) km"),
     lambda m: f"moet meer dan 0 en hoogstens {m.group(1)} km zijn"),
    (re.compile(r"must be from 1 to (\d+) seconds"),
     lambda m: f"geef 1 tot {m.group(1)} seconden"),
    (re.compile(r"must be a 5-digit REFNIS code, e\.g\. (\d+)"),
     lambda m: f"geef een NIS-code van 5 cijfers, bv. {m.group(1)}"),
    (re.compile(r"unknown domain '([^']*)'; valid values: (.*)"),
     lambda m: f"onbekend domein '{m.group(1)}'; kies uit {m.group(2)}"),
    (re.compile(r"Not a valid boolean\."), lambda m: "kies ja of nee"),
    (re.compile(r"Not a valid string\."), lambda m: "geef een tekst"),
    # The rest of marshmallow's own messages, so no validator can put English on a Dutch page.
    (re.compile(r"Not a valid email address\."), lambda m: "geef een geldig e-mailadres"),
    (re.compile(r"Must be one of: (.*)\."), lambda m: f"kies uit {m.group(1)}"),
    (re.compile(r"One or more of the choices you made was not in: (.*)\."),
     lambda m: f"kies enkel uit {m.group(1)}"),
    (re.compile(r"Length must be (\d+)\."), lambda m: f"precies {m.group(1)} tekens"),
    (re.compile(r"Must be greater than (\S+) and less than or equal to (\S+)\."),
     lambda m: f"moet meer dan {m.group(1)} en hoogstens {m.group(2)} zijn"),
    (re.compile(r"Must be greater than (\S+)\."), lambda m: f"moet meer dan {m.group(1)} zijn"),
    (re.compile(r"Must be less than (\S+)\."), lambda m: f"moet minder dan {m.group(1)} zijn"),
    (re.compile(r"Not a valid list\."), lambda m: "geef een lijst"),
    (re.compile(r"Not a valid datetime\."), lambda m: "geef een datum en tijd"),
    (re.compile(r"Not a valid time\."), lambda m: "geef een tijd als UU:MM"),
    (re.compile(r"Unknown field\."), lambda m: "onbekend veld"),
    (re.compile(r"Not a valid URL\."), lambda m: "geef een geldige URL"),
    (re.compile(r"String does not match expected pattern\."),
     lambda m: "heeft niet de verwachte vorm"),
    (re.compile(r"Not a valid mapping type\."), lambda m: "geef velden met hun waarde"),
    (re.compile(r"Invalid input type\."), lambda m: "ongeldig soort invoer"),
    (re.compile(r"Not a valid UUID\."), lambda m: "geef een geldige UUID"),
    (re.compile(r"Invalid value\."), lambda m: "ongeldige waarde"),
)


def dutch_messages(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add ``message_nl`` to marshmallow's English field errors where a Dutch one is known."""
    for e in errors:
        if "message_nl" in e:
            continue
        for pattern, dutch in _DUTCH:
            found = pattern.fullmatch(e["message"])
            if found:
                e["message_nl"] = dutch(found)
                break
    return errors


def load_form(schema: Schema, form: Mapping[str, str]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Validate a posted form with the API's schema: ``(data, [])`` or ``({}, errors)``, the
    errors as the API names them (``{field, message}``) with ``message_nl`` beside them."""
    return validate_input(schema, form_input(schema, form))


def validate_input(schema: Schema, data: dict[str, Any], *, partial: bool = False
                   ) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """``schema.load(data)`` as ``(data, [])`` or ``({}, errors)``: the API's field errors, with
    ``message_nl`` beside marshmallow's English for the pages."""
    from app.core.problems import flatten_marshmallow

    try:
        return schema.load(data, partial=partial), []
    except ValidationError as err:
        errors = flatten_marshmallow(err.messages)
    return {}, dutch_messages(errors)
