"""Calls and their criteria: between the tables and ``evaluation.calls`` (pure), for API, web, CLI.

A call row is turned into the pure :class:`evaluation.calls.Call` with :func:`call_from_row`;
every write goes through ``evaluation.calls.call_from_dict`` first, so the rules (weights that sum
to more than 0, a threshold on the scale, ...) live in one place and the tables only store
validated calls. Errors become 400 problems naming the field (``criteria[1].threshold``), with the
Dutch message beside the English one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.extensions import db
from app.core.limits import MAX_CENTS, MAX_COUNT, MIN_SCALE_STEP, SCALE_BOUND, YEAR_MAX, YEAR_MIN, valid_id
from app.core.problems import Problem, not_found, validation_problem
from app.core.transaction import transactional
from app.models import Call as CallRow
from app.models import Criterion as CriterionRow
from evaluation import calls as ev
from evaluation.calls import FieldError, InvalidInput

#: Columns of the ``call`` table named as the fields of evaluation.calls.Call.
RULE_FIELDS: tuple[str, ...] = (
    "name", "year", "call_type", "total_budget_cents", "max_grant_cents", "min_grant_cents",
    "max_subsidy_pct", "min_cofinancing_pct", "allowed_domains", "min_local_governments",
    "lead_rule", "max_applications_per_lead", "extra_applications_when_cooperating",
    "oslo_required", "vloca_required", "follower_distance_km", "indicators_folded", "deadline",
    "pre_registration_deadline",
)


def call_has_scores(call_id: int) -> bool:
    """True once a juror has saved a score (draft or submitted) on an application of the call;
    the criteria are frozen then. The one place that decides it."""
    from app.models import Application, Score  # jury tables (app/models/jury.py)

    stmt = (select(Score.id).join(Application, Score.application_id == Application.id)
            .where(Application.call_id == call_id).limit(1))
    return db.session.scalar(stmt) is not None


# --------------------------------------------------------------------------------------------
# Errors


def field_errors(errors: Iterable[FieldError]) -> list[dict[str, str]]:
    """FieldErrors as the API's ``errors`` list (``field``, ``message``, ``message_nl``)."""
    return [{"field": e.field, "message": e.message, "message_nl": e.message_nl} for e in errors]


def invalid_input(exc: InvalidInput) -> Problem:
    """A 400 problem from a pure module's InvalidInput, one error per field."""
    return validation_problem(field_errors(exc.errors))


def bracket_path(field: str) -> str:
    """Marshmallow's ``partners.0.refnis`` as the pure modules name it: ``partners[0].refnis``."""
    out: list[str] = []
    for part in field.split("."):
        if part.isdigit() and out:
            out[-1] += f"[{part}]"
        else:
            out.append(part)
    return ".".join(out)


# --------------------------------------------------------------------------------------------
# Rows <-> pure calls


def get_call(call_id: int) -> CallRow:
    row = db.session.get(CallRow, call_id) if valid_id(call_id) else None
    if row is None:
        raise not_found("call", call_id, field="id")
    return row


def list_calls() -> list[CallRow]:
    stmt = select(CallRow).options(selectinload(CallRow.criteria)).order_by(CallRow.year.desc(), CallRow.id)
    return list(db.session.scalars(stmt))


def criterion_from_row(row: CriterionRow) -> ev.Criterion:
    return ev.Criterion(
        code=row.code, name_nl=row.name_nl, name_en=row.name_en,
        description_nl=row.description_nl or "", description_en=row.description_en or "",
        weight=row.weight, scale_min=row.scale_min, scale_max=row.scale_max,
        scale_step=row.scale_step, threshold=row.threshold, group=row.group_name,
        indicator=row.indicator,
    )


def call_from_row(row: CallRow) -> ev.Call:
    """The pure call of a row (sources as stored notes)."""
    data: dict[str, Any] = {name: getattr(row, name) for name in RULE_FIELDS}
    data["allowed_domains"] = tuple(row.allowed_domains) if row.allowed_domains else None
    return ev.Call(
        **data,
        criteria=tuple(criterion_from_row(c) for c in row.criteria),
        preset=row.preset,
        sources=tuple(ev.SourceNote(**s) for s in row.sources or []),
        not_checked=tuple(row.not_checked or []),
    )


def _write(row: CallRow, call: ev.Call, *, criteria: bool, sources: bool) -> CallRow:
    for name in RULE_FIELDS:
        value = getattr(call, name)
        if name == "allowed_domains":
            value = list(value) if value else None
        setattr(row, name, value)
    if sources:
        row.preset = call.preset
        row.sources = [s.to_dict() for s in call.sources]
        row.not_checked = list(call.not_checked)
    if criteria:
        with db.session.no_autoflush:
            row.criteria.clear()
            if row.id is not None:
                db.session.flush()
            for i, c in enumerate(call.criteria):
                row.criteria.append(CriterionRow(
                    code=c.code, name_nl=c.name_nl, name_en=c.name_en,
                    description_nl=c.description_nl, description_en=c.description_en,
                    weight=float(c.weight), scale_min=float(c.scale_min),
                    scale_max=float(c.scale_max), scale_step=float(c.scale_step),
                    threshold=None if c.threshold is None else float(c.threshold),
                    group_name=c.group, indicator=c.indicator, position=i,
                ))
    return row


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _limit_errors(payload: dict[str, Any]) -> list[dict[str, str]]:
    errors = []

    def err(field: str, en: str, nl: str) -> None:
        errors.append({"field": field, "message": en, "message_nl": nl})

    year = payload.get("year")
    if _is_number(year) and not YEAR_MIN <= year <= YEAR_MAX:
        err("year", f"year must lie between {YEAR_MIN} and {YEAR_MAX}",
            f"jaar moet tussen {YEAR_MIN} en {YEAR_MAX} liggen")
    for name in ("total_budget_cents", "max_grant_cents", "min_grant_cents"):
        if _is_number(payload.get(name)) and payload[name] > MAX_CENTS:
            err(name, "amount is too large", "bedrag is te groot")
    for name in ("min_local_governments", "max_applications_per_lead",
                 "extra_applications_when_cooperating"):
        if _is_number(payload.get(name)) and payload[name] > MAX_COUNT:
            err(name, f"at most {MAX_COUNT}", f"hoogstens {MAX_COUNT}")
    criteria = payload.get("criteria")
    for i, c in enumerate(criteria if isinstance(criteria, (list, tuple)) else []):
        if not isinstance(c, dict):
            continue
        for name in ("scale_min", "scale_max", "threshold", "weight"):
            if _is_number(c.get(name)) and abs(c[name]) > SCALE_BOUND:
                err(f"criteria[{i}].{name}", f"must lie between -{SCALE_BOUND:g} and {SCALE_BOUND:g}",
                    f"moet tussen -{SCALE_BOUND:g} en {SCALE_BOUND:g} liggen")
        step = c.get("scale_step")
        if _is_number(step) and 0 < step < MIN_SCALE_STEP:
            err(f"criteria[{i}].scale_step", f"must be at least {MIN_SCALE_STEP:g}",
                f"moet minstens {MIN_SCALE_STEP:g} zijn")
    return errors


def parse_call(payload: dict[str, Any]) -> ev.Call:
    """``evaluation.calls.call_from_dict`` with its errors as a 400 problem."""
    errors = _limit_errors(payload)
    if errors:
        raise validation_problem(errors)
    try:
        return ev.call_from_dict(payload)
    except ev.UnknownPreset as exc:
        raise validation_problem([{
            "field": "preset", "message": f"unknown preset; known: {', '.join(exc.known)}",
            "message_nl": f"onbekende voorinstelling; gekend: {', '.join(exc.known)}",
        }]) from None
    except InvalidInput as exc:
        raise invalid_input(exc) from None


def _call_audit(row: CallRow, **_: Any) -> dict[str, Any]:
    return {"call": row.id, "name": row.name, "phase": row.phase}


@transactional("call.create", payload=_call_audit)
def create_call(payload: dict[str, Any], actor: Any = None, *, is_demo: bool = False) -> CallRow:
    """A new call from ``{"preset": ...}`` (other keys override it) or a full call."""
    payload = dict(payload)
    rule = payload.pop("selection_rule", None) or "rank-order"
    call = parse_call(payload)
    row = _write(CallRow(is_demo=is_demo, phase="draft", selection_rule=rule), call, criteria=True,
                 sources=True)
    db.session.add(row)
    return row


def _editable_dict(row: CallRow) -> dict[str, Any]:
    """The row as a ``call_from_dict`` payload without preset, sources and notes."""
    d = call_from_row(row).to_dict()
    for key in ("preset", "sources", "not_checked"):
        d.pop(key)
    return d


@transactional("call.update", payload=lambda _result, row, changes, **_: {
    "call": row.id, "fields": sorted(changes)})
def update_call(row: CallRow, changes: dict[str, Any], actor: Any = None) -> CallRow:
    """Apply validated changes to a call (criteria only before the first score; the deadline
    until the call closes; the selection rule while it is a draft)."""
    from evaluation.phases import reached

    changes = dict(changes)
    if "criteria" in changes:
        ensure_criteria_editable(row)
    if "selection_rule" in changes:
        rule = changes.pop("selection_rule")
        if rule != row.selection_rule and row.phase != "draft":
            raise Problem(409, "Conflict", "The selection rule is announced with the call; it "
                          "changes only while the call is a draft.",
                          errors=[{"field": "selection_rule", "message": "the call is no longer a draft",
                                   "message_nl": "de oproep is geen ontwerp meer"}])
        row.selection_rule = rule
    if "deadline" in changes and changes["deadline"] != row.deadline and reached(row.phase, "closed"):
        raise Problem(409, "Conflict", "The call is closed; its deadline can no longer change.",
                      errors=[{"field": "deadline", "message": "the call is closed",
                               "message_nl": "de oproep is gesloten"}])
    merged = {**_editable_dict(row), **changes}
    call = parse_call(merged)
    return _write(row, call, criteria="criteria" in changes, sources=False)


def ensure_criteria_editable(row: CallRow) -> None:
    if call_has_scores(row.id):
        raise Problem(
            409, "Conflict",
            "The criteria of this call are frozen: jurors have scored applications with them.",
            errors=[{"field": "criteria", "message": "frozen after the first score",
                     "message_nl": "vast na de eerste score"}],
        )


def call_dict(row: CallRow, application_count: int | None = None) -> dict[str, Any]:
    """The API form of a call: its rules, criteria and where every preset figure comes from."""
    d: dict[str, Any] = {"id": row.id}
    d.update(call_from_row(row).to_dict())
    d["criteria"] = [criterion_dict(c) for c in row.criteria]
    d["is_demo"] = row.is_demo
    d["criteria_editable"] = not call_has_scores(row.id)
    from app.calls.service_lifecycle import phase_dict

    phase = phase_dict(row)
    d["phase"], d["next_phase"] = phase["phase"], phase["next"]
    d["phase_changed_at"], d["deadline_at"] = phase["phase_changed_at"], phase["deadline_at"]
    d["selection_rule"] = row.selection_rule
    if application_count is not None:
        d["application_count"] = application_count
    d["created_at"] = row.created_at.isoformat() if row.created_at else None
    d["updated_at"] = row.updated_at.isoformat() if row.updated_at else None
    return d


def criterion_dict(row: CriterionRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "code": row.code,
        "name": row.name_nl,
        "name_nl": row.name_nl,
        "name_en": row.name_en,
        "description": row.description_nl,
        "description_nl": row.description_nl,
        "description_en": row.description_en,
        "weight": row.weight,
        "scale_min": row.scale_min,
        "scale_max": row.scale_max,
        "scale_step": row.scale_step,
        "threshold": row.threshold,
        "group": row.group_name,
        "indicator": row.indicator,
        "position": row.position,
    }
