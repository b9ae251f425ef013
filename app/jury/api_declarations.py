"""Conflicts v2 through the API: a juror's affiliations (admin) and the per-call declaration of
absence of conflicts the juror signs before the first application opens (docs/jury.md §1)."""

from __future__ import annotations

from app.calls.service import get_call
from app.core.api import bp, problems
from app.core.auth import api_user, require_admin, require_role
from app.core.problems import not_found
from app.jury import service as jury
from app.jury import service_declarations as declarations
from app.jury.schemas import AffiliationsInSchema, JurorDeclarationInSchema, JurorDeclarationSchema


@bp.put("/calls/<int:call_id>/jurors/<int:juror_id>/affiliations")
@require_admin
@bp.arguments(AffiliationsInSchema)
@bp.response(200)
@problems(404, 409)
def set_juror_affiliations(data: dict, call_id: int, juror_id: int):
    """Replace a juror's affiliations (admin, audited); assignments that become conflicted are
    withdrawn and replaced. Answers the affiliations and the reassignment."""
    call = get_call(call_id)
    return declarations.set_affiliations(call, jury.get_juror(call, juror_id, field="juror_id"),
                                         data["affiliations"], api_user())


@bp.get("/calls/<int:call_id>/declaration")
@require_role("admin", "juror")
@bp.response(200, JurorDeclarationSchema)
@problems(404)
def get_declaration(call_id: int):
    """The call's declaration of absence of conflicts: its text, and whether I signed it
    (a juror of the call; the admin sees the text)."""
    call = get_call(call_id)
    user = api_user()
    juror = jury.juror_of(user, call.id)
    if user.role == "juror" and juror is None:
        raise not_found("call", call_id, field="call_id")
    return declarations.declaration_dict(call, juror)


@bp.post("/calls/<int:call_id>/declaration")
@require_role("juror")
@bp.arguments(JurorDeclarationInSchema)
@bp.response(200, JurorDeclarationSchema)
@problems(404, 409)
def sign_declaration(data: dict, call_id: int):
    """Sign the call's declaration on my honour (a juror of the call; once; audited). Until then
    no application of the call opens for me."""
    call = get_call(call_id)
    user = api_user()
    juror = jury.juror_of(user, call.id)
    if juror is None:
        raise not_found("call", call_id, field="call_id")
    declarations.sign_declaration(call, juror, user)
    return declarations.declaration_dict(call, juror)
