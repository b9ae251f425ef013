"""The secretariat's page of a call's frozen evaluation: what is stored, what a recomputation
would change (leaf by leaf), and the recompute button with its motivation."""

from __future__ import annotations

from flask import abort, flash, request
from flask_babel import gettext as _
from flask_login import current_user

from app.calls import service_snapshot as snapshots
from app.calls.pages import _render
from app.calls.pages_lifecycle import _message
from app.calls.service import get_call
from app.core.problems import Problem
from app.core.web import admin_required, bp

#: The page lists at most this many differences (the API answers all of them).
SHOWN = 300


def _call(call_id: int):
    try:
        return get_call(call_id)
    except Problem:
        abort(404)


@bp.route("/oproepen/<int:call_id>/bevroren-beoordeling", methods=["GET", "POST"])
@admin_required
def call_snapshot(call_id: int):
    row = _call(call_id)
    applied, errors, status = None, {}, 200
    if request.method == "POST":
        try:
            applied = snapshots.recompute(row, request.form.get("motivation", ""),
                                          current_user._get_current_object())
            flash(_("De beoordeling is herberekend: %(n)s verschillen.",
                    n=len(applied["differences"])), "success")
        except Problem as exc:
            errors["motivation"] = _message(exc)
            status = 400 if exc.status == 400 else 409
    view = applied or snapshots.preview(row)
    return _render("calls/snapshot.html", status, call=row, view=view, applied=applied is not None,
                   differences=view["differences"][:SHOWN], total=len(view["differences"]),
                   errors=errors, motivation=request.form.get("motivation", "") if errors else "")
