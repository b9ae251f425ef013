"""Calls from their JSON form (the API, the import, the app's forms): one parser, every error."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from evaluation.calls.model import Call, Criterion, FieldError, InvalidCall, finite_number
from evaluation.calls.presets import preset_call

_CALL_FIELDS = {f for f in Call.__dataclass_fields__} - {"criteria", "sources", "not_checked"}
_CRITERION_FIELDS = set(Criterion.__dataclass_fields__)


def criterion_from_dict(payload: Mapping[str, Any], prefix: str = "") -> Criterion:
    """Build a criterion from its JSON form (``name``/``description`` fill the Dutch fields)."""
    if not isinstance(payload, Mapping):
        raise InvalidCall(
            [FieldError(prefix.rstrip(".") or "criterion", "must be an object", "moet een object zijn")]
        )
    data = {k: v for k, v in payload.items() if k in _CRITERION_FIELDS}
    if "name_nl" not in data and "name" in payload:
        data["name_nl"] = payload["name"]
    data.setdefault("name_en", data.get("name_nl", ""))
    data.setdefault("name_nl", data.get("name_en", ""))
    if "description_nl" not in data and "description" in payload:
        data["description_nl"] = payload["description"]
    errors: list[FieldError] = []
    for key in ("weight", "scale_min", "scale_max", "scale_step", "threshold"):
        if key in data and data[key] is not None and not finite_number(data[key]):
            errors.append(FieldError(prefix + key, "must be a number", "moet een getal zijn"))
    for key in ("code", "name_nl", "name_en", "description_nl", "description_en"):
        if key in data and not isinstance(data[key], str):
            errors.append(FieldError(prefix + key, "must be text", "moet tekst zijn"))
    if "code" not in data:
        errors.append(
            FieldError(prefix + "code", "a criterion needs a code", "een criterium heeft een code nodig")
        )
    if errors:
        raise InvalidCall(errors)
    criterion = Criterion(**data)
    errors = criterion.errors(prefix)
    if errors:
        raise InvalidCall(errors)
    return criterion


def call_from_dict(payload: Mapping[str, Any]) -> Call:
    """A call from the API: ``{"preset": name}`` (other keys override the preset) or a full call.

    Raises :class:`InvalidCall` listing every bad field, or :class:`UnknownPreset`.
    """
    if not isinstance(payload, Mapping):
        raise InvalidCall([FieldError("call", "must be an object", "moet een object zijn")])
    base: dict[str, Any] = {}
    if payload.get("preset") is not None:
        preset = preset_call(str(payload["preset"]))
        base = {name: getattr(preset, name) for name in Call.__dataclass_fields__}
    errors: list[FieldError] = []
    data = dict(base)
    for key, value in payload.items():
        if key in ("preset", "criteria"):
            continue
        if key not in _CALL_FIELDS:
            errors.append(FieldError(key, "unknown field", "onbekend veld"))
            continue
        if key in ("deadline", "pre_registration_deadline") and isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                errors.append(FieldError(key, "must be a date YYYY-MM-DD", "moet een datum JJJJ-MM-DD zijn"))
                continue
        if key == "allowed_domains" and value is not None:
            if not isinstance(value, (list, tuple)):
                errors.append(FieldError(key, "must be a list", "moet een lijst zijn"))
                continue
            value = tuple(value)
        data[key] = value
    if "criteria" in payload:
        raw = payload["criteria"]
        if not isinstance(raw, (list, tuple)):
            errors.append(FieldError("criteria", "must be a list", "moet een lijst zijn"))
        else:
            criteria = []
            for i, item in enumerate(raw):
                try:
                    criteria.append(criterion_from_dict(item, f"criteria[{i}]."))
                except InvalidCall as exc:
                    errors.extend(exc.errors)
            data["criteria"] = tuple(criteria)
    for required in ("name", "year"):
        if required not in data:
            errors.append(FieldError(required, "required", "verplicht"))
    if errors:
        raise InvalidCall(errors)
    return Call(**data)
