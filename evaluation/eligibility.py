"""Eligibility of an application against every rule of its call, with reasons a city understands.

Each rule gives a :class:`RuleResult` with a status:

- ``passed`` / ``failed``: the call sets the rule and the application meets it or not;
- ``not_applicable``: the call sets no figure for it (``None`` in :class:`~evaluation.calls.Call`)
  or the input needed is missing. It is listed with the reason, never counted as passed
  (``passed`` is ``None``);
- ``flagged``: possible double funding. Text similarity cannot prove double funding, so a flag
  does not make the application ineligible; it asks the secretariat to compare the two projects.

``eligible`` is True when no rule failed. Reasons name the figures in Belgian notation
("maximum steun €1.000.000, gevraagd €1.250.000").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from evaluation.applications import Application
from evaluation.calls import VGC, Call
from evaluation.money import euro_en, euro_nl, percent_en, percent_nl
from matching.registry import Municipality, Project

STATUSES: tuple[str, ...] = ("passed", "failed", "not_applicable", "flagged")

#: Rule codes in the order they are checked and reported.
RULE_CODES: tuple[str, ...] = (
    "deadline",
    "lead_allowed",
    "partnership_minimum",
    "max_grant",
    "min_grant",
    "call_budget",
    "max_subsidy_pct",
    "min_cofinancing_pct",
    "domain_allowed",
    "prior_project",
    "oslo",
    "vloca",
    "applications_per_lead",
    "double_funding",
)


@dataclass(frozen=True)
class RuleResult:
    """Outcome of one rule. ``passed`` is None when the rule is not applicable."""

    code: str
    status: str
    reason_nl: str
    reason_en: str
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        if self.status == "not_applicable":
            return None
        return self.status == "passed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.status,
            "passed": self.passed,
            "reason": self.reason_nl,
            "reason_nl": self.reason_nl,
            "reason_en": self.reason_en,
            "details": dict(self.details),
        }


@dataclass(frozen=True)
class EligibilityResult:
    """All rule outcomes; ``eligible`` is False as soon as one rule failed."""

    eligible: bool
    rules: tuple[RuleResult, ...]

    @property
    def failed(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.rules if r.status == "failed")

    @property
    def flagged(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.rules if r.status == "flagged")

    def rule(self, code: str) -> RuleResult:
        for r in self.rules:
            if r.code == code:
                return r
        raise KeyError(code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "flagged": bool(self.flagged),
            "rules": [r.to_dict() for r in self.rules],
        }


@dataclass(frozen=True)
class EligibilityContext:
    """What the check needs besides the call and the application.

    - ``municipalities``: REFNIS -> current municipality (for the lead rule and names).
    - ``other_applications_of_lead``: the lead's *other* applications in the same call.
    - ``projects``: known prior projects by id (evidence for scaling calls); None = not known.
    - ``similar_funded``: ``(project_id, title, score)`` of already funded projects, as the
      caller's text-similarity index returns them for this application (score 0..1).
    - ``double_funding_threshold``: score from which a similar project is flagged (the caller
      passes the similarity module's documented threshold); None = not checked.
    - ``submitted_on``: date of submission, for the deadline; None = not checked.
    """

    municipalities: Mapping[str, Municipality] = field(default_factory=dict)
    other_applications_of_lead: Sequence[Application] = ()
    projects: Mapping[int, Project] | None = None
    similar_funded: Sequence[tuple[int, str, float]] = ()
    double_funding_threshold: float | None = None
    submitted_on: date | None = None


def _na(code: str, nl: str, en: str, **details: Any) -> RuleResult:
    return RuleResult(code, "not_applicable", nl, en, details)


def _result(code: str, ok: bool, nl: str, en: str, **details: Any) -> RuleResult:
    return RuleResult(code, "passed" if ok else "failed", nl, en, details)


def _name(refnis: str, municipalities: Mapping[str, Municipality]) -> str:
    if refnis == VGC:
        return "VGC"
    m = municipalities.get(refnis)
    return m.name_nl if m else refnis


def _pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def check_deadline(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    if call.deadline is None:
        return _na(
            "deadline",
            "De oproep heeft geen deadline; niet gecontroleerd.",
            "The call has no deadline; not checked.",
        )
    if ctx.submitted_on is None:
        return _na(
            "deadline",
            "Geen indieningsdatum bekend; niet gecontroleerd.",
            "No submission date known; not checked.",
            deadline=call.deadline.isoformat(),
        )
    ok = ctx.submitted_on <= call.deadline
    d, s = call.deadline.strftime("%d/%m/%Y"), ctx.submitted_on.strftime("%d/%m/%Y")
    return _result(
        "deadline",
        ok,
        f"Deadline {d}, ingediend op {s}.",
        f"Deadline {d}, submitted on {s}.",
        deadline=call.deadline.isoformat(),
        submitted_on=ctx.submitted_on.isoformat(),
    )


def check_lead(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    name = _name(app.lead, ctx.municipalities)
    if app.lead == VGC:
        return _result(
            "lead_allowed", True, "De VGC mag indienen.", "The VGC may apply.", lead=app.lead
        )
    m = ctx.municipalities.get(app.lead)
    if m is None:
        return _result(
            "lead_allowed",
            False,
            f"Indiener {app.lead} is geen gekende gemeente.",
            f"Lead {app.lead} is not a known municipality.",
            lead=app.lead,
        )
    if call.lead_rule == "centrumsteden_and_vgc":
        ok = m.is_centrumstad
        return _result(
            "lead_allowed",
            ok,
            f"Alleen centrumsteden en de VGC mogen indienen; {name} is "
            f"{'een' if ok else 'geen'} centrumstad.",
            f"Only centrumsteden and the VGC may apply; {name} is "
            f"{'a' if ok else 'not a'} centrumstad.",
            lead=app.lead,
            rule=call.lead_rule,
        )
    ok = m.region == "flanders"
    return _result(
        "lead_allowed",
        ok,
        f"Vlaamse gemeenten en de VGC mogen indienen; {name} is "
        f"{'een' if ok else 'geen'} Vlaamse gemeente.",
        f"Flemish municipalities and the VGC may apply; {name} is "
        f"{'a' if ok else 'not a'} Flemish municipality.",
        lead=app.lead,
        rule=call.lead_rule,
    )


def check_partnership(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    if call.min_local_governments is None:
        return _na(
            "partnership_minimum",
            "De oproep legt geen minimum aantal lokale besturen op; niet gecontroleerd.",
            "The call sets no minimum number of local governments; not checked.",
        )
    members = app.local_governments
    n, need = len(members), call.min_local_governments
    names = ", ".join(_name(r, ctx.municipalities) for r in members)
    are_nl = "er is er" if n == 1 else "er zijn er"
    return _result(
        "partnership_minimum",
        n >= need,
        f"Minimaal {need} lokale besturen in het consortium, {are_nl} {n} ({names}).",
        f"At least {need} local governments in the consortium, there are {n} ({names}).",
        required=need,
        actual=n,
        members=list(members),
    )


def _grant_rule(
    code: str, limit: int | None, asked: int, ok: bool, label: tuple[str, str, str, str]
) -> RuleResult:
    """A rule comparing the requested grant with one amount of the call.

    ``label``: Dutch and English name of the limit, then Dutch and English for "the call sets none".
    """
    nl_name, en_name, nl_none, en_none = label
    if limit is None:
        return _na(code, f"{nl_none}; niet gecontroleerd.", f"{en_none}; not checked.")
    return _result(
        code,
        ok,
        f"{nl_name} {euro_nl(limit)}, gevraagd {euro_nl(asked)}.",
        f"{en_name} {euro_en(limit)}, requested {euro_en(asked)}.",
        limit_cents=limit,
        requested_cents=asked,
    )


def check_max_grant(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    cap, asked = call.max_grant_cents, app.requested_grant_cents
    return _grant_rule(
        "max_grant",
        cap,
        asked,
        cap is not None and asked <= cap,
        (
            "Maximum steun",
            "Maximum grant",
            "De oproep legt geen maximumsteun per project op",
            "The call sets no maximum grant per project",
        ),
    )


def check_min_grant(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    floor, asked = call.min_grant_cents, app.requested_grant_cents
    return _grant_rule(
        "min_grant",
        floor,
        asked,
        floor is not None and asked >= floor,
        (
            "Minimum steun",
            "Minimum grant",
            "De oproep legt geen minimumsteun per project op",
            "The call sets no minimum grant per project",
        ),
    )


def check_call_budget(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    budget, asked = call.total_budget_cents, app.requested_grant_cents
    return _grant_rule(
        "call_budget",
        budget,
        asked,
        budget is not None and asked <= budget,
        (
            "Budget van de oproep",
            "Call budget",
            "De oproep heeft geen totaal budget",
            "The call has no total budget",
        ),
    )


def check_subsidy_pct(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    if call.max_subsidy_pct is None:
        return _na(
            "max_subsidy_pct",
            "De oproep legt geen maximaal steunpercentage op; niet gecontroleerd.",
            "The call sets no maximum subsidy percentage; not checked.",
        )
    total, asked, pct = app.total_budget_cents, app.requested_grant_cents, call.max_subsidy_pct
    # Exact in integers: asked / total <= pct / 100.
    ok = asked * 100 <= pct * total
    limit = int(pct * total) // 100
    return _result(
        "max_subsidy_pct",
        ok,
        f"Maximaal {percent_nl(pct)} steun op een totaal budget van {euro_nl(total)} "
        f"(= {euro_nl(limit)}), gevraagd {euro_nl(asked)} ({percent_nl(_pct(asked, total))}).",
        f"At most {percent_en(pct)} grant on a total budget of {euro_en(total)} "
        f"(= {euro_en(limit)}), requested {euro_en(asked)} ({percent_en(_pct(asked, total))}).",
        limit_pct=pct,
        actual_pct=round(_pct(asked, total), 4),
        total_budget_cents=total,
        requested_cents=asked,
    )


def check_cofinancing(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    if call.min_cofinancing_pct is None:
        return _na(
            "min_cofinancing_pct",
            "De oproep legt geen minimale cofinanciering op; niet gecontroleerd.",
            "The call sets no minimum co-financing; not checked.",
        )
    total, own, pct = app.total_budget_cents, app.own_financing_cents, call.min_cofinancing_pct
    ok = own * 100 >= pct * total
    return _result(
        "min_cofinancing_pct",
        ok,
        f"Minimaal {percent_nl(pct)} cofinanciering, voorzien {euro_nl(own)} van "
        f"{euro_nl(total)} ({percent_nl(_pct(own, total))}).",
        f"At least {percent_en(pct)} co-financing, planned {euro_en(own)} of "
        f"{euro_en(total)} ({percent_en(_pct(own, total))}).",
        limit_pct=pct,
        actual_pct=round(_pct(own, total), 4),
        cofinancing_cents=own,
        total_budget_cents=total,
    )


def check_domains(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    if call.allowed_domains is None:
        return _na(
            "domain_allowed",
            "De oproep beperkt de domeinen niet; niet gecontroleerd.",
            "The call does not restrict domains; not checked.",
        )
    outside = [d for d in app.domains if d not in call.allowed_domains]
    allowed = ", ".join(call.allowed_domains)
    if outside:
        return _result(
            "domain_allowed",
            False,
            f"Toegelaten domeinen: {allowed}; niet toegelaten: {', '.join(outside)}.",
            f"Allowed domains: {allowed}; not allowed: {', '.join(outside)}.",
            allowed=list(call.allowed_domains),
            outside=outside,
        )
    return _result(
        "domain_allowed",
        True,
        f"Toegelaten domeinen: {allowed}.",
        f"Allowed domains: {allowed}.",
        allowed=list(call.allowed_domains),
    )


def check_prior_project(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    if call.call_type != "scaling":
        return _na(
            "prior_project",
            "Geen opschalingsoproep: een eerder project is niet vereist.",
            "Not a scaling call: a prior project is not required.",
        )
    ids = list(app.prior_projects)
    if ctx.projects is not None:
        known = [pid for pid in ids if pid in ctx.projects]
        titles = [ctx.projects[pid].title for pid in known]
    else:
        known, titles = ids, []
    if not known:
        return _result(
            "prior_project",
            False,
            "Opschalingsoproep: de aanvraag moet voortbouwen op een eerder project; er is er "
            "geen opgegeven" + (" dat gekend is." if ids else "."),
            "Scaling call: the application must build on a prior project; none was given"
            + (" that is known." if ids else "."),
            given=ids,
        )
    listed = "; ".join(titles) if titles else ", ".join(str(i) for i in known)
    return _result(
        "prior_project",
        True,
        f"Opschalingsoproep: bouwt voort op {listed}.",
        f"Scaling call: builds on {listed}.",
        projects=known,
    )


def check_oslo(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    if not call.oslo_required:
        return _na(
            "oslo",
            "OSLO-afstemming is niet verplicht in deze oproep.",
            "OSLO alignment is not required in this call.",
        )
    used = list(app.deliverables.oslo)
    if used:
        return _result(
            "oslo",
            True,
            f"OSLO verplicht; gebruikte standaarden: {', '.join(used)}.",
            f"OSLO required; standards used: {', '.join(used)}.",
            standards=used,
        )
    return _result(
        "oslo",
        False,
        "OSLO-afstemming is verplicht, maar er is geen OSLO-standaard opgegeven.",
        "OSLO alignment is required, but no OSLO standard is given.",
        standards=[],
    )


def check_vloca(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    if not call.vloca_required:
        return _na(
            "vloca",
            "VLOCA-afstemming is niet verplicht in deze oproep.",
            "VLOCA alignment is not required in this call.",
        )
    ok = app.deliverables.vloca
    return _result(
        "vloca",
        ok,
        "VLOCA-afstemming is verplicht"
        + ("; de aanvraag volgt VLOCA." if ok else ", maar de aanvraag volgt VLOCA niet."),
        "VLOCA alignment is required"
        + ("; the application follows VLOCA." if ok else ", but the application does not."),
    )


def check_applications_per_lead(
    call: Call, app: Application, ctx: EligibilityContext
) -> RuleResult:
    """At most ``max`` applications per lead, plus ``extra`` more only when cooperating.

    Checked on the lead's whole set (this one and the others in the context): the total must not
    exceed ``max + extra`` and applications without another municipality as partner must not
    exceed ``max``. A set that breaks it fails every member; the secretariat asks which to drop.
    """
    if call.max_applications_per_lead is None:
        return _na(
            "applications_per_lead",
            "De oproep beperkt het aantal aanvragen per indiener niet; niet gecontroleerd.",
            "The call does not limit applications per lead; not checked.",
        )
    mine = [app] + [
        a
        for a in ctx.other_applications_of_lead
        if a.lead == app.lead and a is not app and (app.id is None or a.id != app.id)
    ]
    total = len(mine)
    solo = sum(1 for a in mine if not a.is_cooperation)
    cap, extra = call.max_applications_per_lead, call.extra_applications_when_cooperating
    ok = total <= cap + extra and solo <= cap
    name = _name(app.lead, ctx.municipalities)
    nl_extra = (
        f", plus {extra} extra bij samenwerking met andere steden of gemeenten" if extra else ""
    )
    en_extra = f", plus {extra} more when cooperating with other municipalities" if extra else ""
    return _result(
        "applications_per_lead",
        ok,
        f"Maximaal {cap} aanvra{'ag' if cap == 1 else 'gen'} per indiener{nl_extra}; {name} "
        f"heeft er {total} in deze oproep, waarvan {solo} zonder samenwerking.",
        f"At most {cap} application{'s' if cap != 1 else ''} per lead{en_extra}; {name} has "
        f"{total} in this call, {solo} of them without cooperation.",
        max=cap,
        extra_when_cooperating=extra,
        total=total,
        without_cooperation=solo,
    )


def check_double_funding(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    """Flag funded projects whose text similarity to this application reaches the threshold."""
    threshold = ctx.double_funding_threshold
    if threshold is None:
        return _na(
            "double_funding",
            "Geen tekstvergelijking met gefinancierde projecten beschikbaar; niet gecontroleerd.",
            "No text comparison with funded projects available; not checked.",
        )
    ranked = sorted(ctx.similar_funded, key=lambda t: (-t[2], t[0]))
    matches = [
        {"project_id": pid, "title": title, "score": round(score, 4)}
        for pid, title, score in ranked
        if score >= threshold
    ]
    if matches:
        best = matches[0]
        others = len(matches) - 1
        more_nl = f" (en {others} andere)" if others else ""
        more_en = f" (and {others} more)" if others else ""
        return RuleResult(
            "double_funding",
            "flagged",
            f"Mogelijke dubbele financiering: lijkt op het gefinancierde project "
            f"'{best['title']}' (gelijkenis {best['score']:.2f}, drempel {threshold:.2f})"
            f"{more_nl}. Het secretariaat vergelijkt beide projecten.",
            f"Possible double funding: resembles the funded project '{best['title']}' "
            f"(similarity {best['score']:.2f}, threshold {threshold:.2f}){more_en}. The "
            f"secretariat compares both projects.",
            {"threshold": threshold, "matches": matches},
        )
    top = ranked[0][2] if ranked else 0.0
    return _result(
        "double_funding",
        True,
        f"Geen gefinancierd project met gelijkenis vanaf {threshold:.2f} (hoogste {top:.2f}).",
        f"No funded project with similarity from {threshold:.2f} (highest {top:.2f}).",
        threshold=threshold,
        highest=round(top, 4),
    )


_CHECKS = (
    check_deadline,
    check_lead,
    check_partnership,
    check_max_grant,
    check_min_grant,
    check_call_budget,
    check_subsidy_pct,
    check_cofinancing,
    check_domains,
    check_prior_project,
    check_oslo,
    check_vloca,
    check_applications_per_lead,
    check_double_funding,
)


def check_eligibility(
    call: Call, application: Application, context: EligibilityContext | None = None
) -> EligibilityResult:
    """Check every rule of ``call`` for ``application``; see the module docstring for statuses."""
    ctx = context or EligibilityContext()
    rules = tuple(check(call, application, ctx) for check in _CHECKS)
    return EligibilityResult(eligible=not any(r.status == "failed" for r in rules), rules=rules)
