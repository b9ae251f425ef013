"""The ranking's rules and reasons in words, with the criteria's names (not their codes).

``evaluation.ranking`` reports tie-break rules as ``"criterion:scalability desc"`` and reasons with
criterion codes; the pages say them in the UI language with the names the call gave its criteria:
"hoogste score op Opschaalbaarheid eerst", "nog geen consensus of ingediende scores voor
Hefboomeffect". Template globals ``tie_rule_text`` and ``reason_text``.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from app.core.web import bp
from evaluation.ranking import format_number


def _field(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)


def _names(criteria: Any) -> dict[str, str]:
    english = str(get_locale()) == "en"
    out = {}
    for c in criteria or ():
        name = _field(c, "name_en") if english else None
        out[_field(c, "code")] = name or _field(c, "name_nl") or _field(c, "code")
    return out


@bp.app_template_global()
def tie_rule_text(rule: str, criteria: Any) -> str:
    """A tie-break rule (``"criterion:scalability desc"``) as a sentence in the UI language."""
    key, _sep, direction = str(rule).partition(" ")
    if key.startswith("criterion:"):
        name = _names(criteria).get(key.split(":", 1)[1], key.split(":", 1)[1])
        if direction == "asc":
            return _("laagste score op %(name)s eerst", name=name)
        return _("hoogste score op %(name)s eerst", name=name)
    if key == "requested_grant":
        if direction == "desc":
            return _("hoogste gevraagde steun eerst")
        return _("laagste gevraagde steun eerst")
    if key == "application":
        if direction == "desc":
            return _("laatst aangemaakte aanvraag eerst (hoogste aanvraagnummer)")
        return _("eerst aangemaakte aanvraag eerst (laagste aanvraagnummer)")
    return str(rule)


@bp.app_template_global()
def reason_text(reason: Any, criteria: Any, item: Any = None) -> str:
    """Why an application is not fundable, with criterion names; ``item`` (the ranked line or the
    summary) tells which criteria miss scores."""
    nl = str(get_locale()) != "en"
    names = _names(criteria)
    code = _field(reason, "code")
    if code == "missing_scores" and item is not None:
        scores = _field(item, "scores") or _field(item, "criteria") or ()
        missing = [names.get(_field(s, "criterion") or _field(s, "code"), "?") for s in scores
                   if _field(s, "source") is None]
        if missing:
            return _("nog geen consensus of ingediende scores voor %(names)s",
                     names=", ".join(missing))
    if code == "below_criterion_threshold" and _field(reason, "criterion"):
        return _("onder de drempel van %(name)s: %(value)s < %(threshold)s",
                 name=names.get(_field(reason, "criterion"), _field(reason, "criterion")),
                 value=format_number(_field(reason, "value"), nl),
                 threshold=format_number(_field(reason, "threshold"), nl))
    if code == "below_total_threshold":
        return _("onder de drempel op de totaalscore: %(value)s < %(threshold)s",
                 value=format_number(_field(reason, "value"), nl),
                 threshold=format_number(_field(reason, "threshold"), nl))
    return _field(reason, "message_nl") if nl else _field(reason, "message")


def blocker_text(error: dict[str, Any], titles: dict[int, str], criteria: Any,
                 jurors: dict[int, str]) -> str:
    """What still blocks publication, naming the application by its title, the criterion by its
    name and the juror by name (``evaluation.publication`` gives ids and codes)."""
    code = error.get("code")
    app_id = error.get("application")
    title = titles.get(app_id, str(app_id))
    name = _names(criteria).get(error.get("criterion"), error.get("criterion"))
    juror = jurors.get(error.get("juror"), f"#{error.get('juror')}")
    if code == "missing_score":
        return _("“%(title)s”: %(juror)s heeft nog geen score ingediend op %(name)s",
                 title=title, juror=juror, name=name)
    if code == "open_disagreement":
        return _("“%(title)s”: de onenigheid over %(name)s heeft nog geen consensus",
                 title=title, name=name)
    if code == "unreconfirmed_amendment":
        return _("“%(title)s” werd gewijzigd; %(juror)s heeft de scores nog niet herbevestigd",
                 title=title, juror=juror)
    nl = str(get_locale()) != "en"
    return (error.get("message_nl") or error.get("message") or "") if nl else error.get("message", "")
