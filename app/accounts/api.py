"""Personal data through the API: a user's export (their own, or any for the secretariat), the
pseudonyms of the audit chain with their retention, and erasure (docs/privacy.md)."""

from __future__ import annotations

from flask import current_app

from app.accounts import personal_data
from app.accounts.schemas import EraseInSchema, ExportAnswer, PersonList, PersonSchema
from app.core.api import bp, problems
from app.core.auth import api_user, require_admin, require_role
from app.core.extensions import db
from app.core.limits import valid_id
from app.core.problems import not_found
from app.models import User


@bp.get("/account/export")
@require_role("admin", "city", "juror")
@bp.response(200, ExportAnswer)
def export_own_data():
    """Everything the service holds about me, as JSON (GDPR right of access)."""
    return personal_data.export_user(api_user())


@bp.get("/users/<int:user_id>/export")
@require_admin
@bp.response(200, ExportAnswer)
@problems(404)
def export_user_data(user_id: int):
    """Everything the service holds about one user (admin)."""
    user = db.session.get(User, user_id) if valid_id(user_id) else None
    if user is None:
        raise not_found("user", user_id, field="user_id")
    return personal_data.export_user(user)


@bp.get("/personal-data")
@require_admin
@bp.response(200, PersonList)
def list_pseudonyms():
    """The audit chain's pseudonyms: who each stands for and until when that is kept (admin)."""
    return {"items": [personal_data.person_dict(p) for p in personal_data.people()],
            "retention_years": current_app.config["PERSONAL_DATA_RETENTION_YEARS"]}


@bp.post("/personal-data/<pseudonym>/erase")
@require_admin
@bp.arguments(EraseInSchema, location="optional_json")
@bp.response(200, PersonSchema)
@problems(404, 409)
def erase_pseudonym(data: dict, pseudonym: str):
    """Erase who a pseudonym stands for (admin, audited); the audit chain still verifies."""
    person = personal_data.get_person(pseudonym)
    personal_data.erase(person, api_user(), data["reason"], account=data["account"])
    return personal_data.person_dict(person)
