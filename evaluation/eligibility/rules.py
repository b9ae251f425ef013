"""The non-money rules of a call: deadline, lead, partnership, domains, prior project, OSLO,
VLOCA, applications per lead, double funding."""

from __future__ import annotations

from collections.abc import Mapping

from evaluation.applications import Application
from evaluation.calls import VGC, Call
from evaluation.eligibility.result import (
    EligibilityContext,
    RuleResult,
    name_of,
    not_applicable,
    outcome,
)
from matching.registry import Municipality


def check_deadline(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    if call.deadline is None:
        return not_applicable(
            "deadline",
            "De oproep heeft geen deadline; niet gecontroleerd.",
            "The call has no deadline; not checked.",
        )
    if ctx.submitted_on is None:
        return not_applicable(
            "deadline",
            "Geen indieningsdatum bekend; niet gecontroleerd.",
            "No submission date known; not checked.",
            deadline=call.deadline.isoformat(),
        )
    ok = ctx.submitted_on <= call.deadline
    d, s = call.deadline.strftime("%d/%m/%Y"), ctx.submitted_on.strftime("%d/%m/%Y")
    return outcome(
        "deadline",
        ok,
        f"Deadline {d}, ingediend op {s}.",
        f"Deadline {d}, submitted on {s}.",
        deadline=call.deadline.isoformat(),
        submitted_on=ctx.submitted_on.isoformat(),
    )


def check_lead(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    name = name_of(app.lead, ctx.municipalities)
    if app.lead == VGC:
        return outcome("lead_allowed", True, "De VGC mag indienen.", "The VGC may apply.", lead=app.lead)
    m = ctx.municipalities.get(app.lead)
    if m is None:
        return outcome(
            "lead_allowed",
            False,
            f"Indiener {app.lead} is geen gekende gemeente.",
            f"Lead {app.lead} is not a known municipality.",
            lead=app.lead,
        )
    if call.lead_rule == "centrumsteden_and_vgc":
        ok = m.is_centrumstad
        return outcome(
            "lead_allowed",
            ok,
            f"Alleen centrumsteden en de VGC mogen indienen; {name} is "
            f"{'een' if ok else 'geen'} centrumstad.",
            f"Only centrumsteden and the VGC may apply; {name} is {'a' if ok else 'not a'} centrumstad.",
            lead=app.lead,
            rule=call.lead_rule,
        )
    ok = m.region == "flanders"
    return outcome(
        "lead_allowed",
        ok,
        f"Vlaamse gemeenten en de VGC mogen indienen; {name} is {'een' if ok else 'geen'} Vlaamse gemeente.",
        f"Flemish municipalities and the VGC may apply; {name} is "
        f"{'a' if ok else 'not a'} Flemish municipality.",
        lead=app.lead,
        rule=call.lead_rule,
    )


def counted_local_governments(
    app: Application, municipalities: Mapping[str, Municipality]
) -> tuple[list[str], list[str]]:
    """(counted, not counted) local governments of the consortium for a Flemish minimum.

    Counted: the lead and municipal partners, the VGC, and the municipalities an intercommunale
    partner declares it represents (the call allows representation by an umbrella body), each
    once. Not counted: Brussels municipalities, which fall outside Flemish competence (the VGC
    is the Flemish partner there).
    """
    codes = list(app.local_governments)
    for p in app.partners:
        if p.organisation_type == "intercommunale":
            codes.extend(p.represents)
    counted, skipped = [], []
    for r in dict.fromkeys(codes):
        m = municipalities.get(r)
        (skipped if m is not None and m.region == "brussels" else counted).append(r)
    return counted, skipped


def check_partnership(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    if call.min_local_governments is None:
        return not_applicable(
            "partnership_minimum",
            "De oproep legt geen minimum aantal lokale besturen op; niet gecontroleerd.",
            "The call sets no minimum number of local governments; not checked.",
        )
    members, brussels = counted_local_governments(app, ctx.municipalities)
    represented = [r for p in app.partners if p.organisation_type == "intercommunale" for r in p.represents]
    n, need = len(members), call.min_local_governments
    names = ", ".join(name_of(r, ctx.municipalities) for r in members)
    are_nl = "er is er" if n == 1 else "er zijn er"
    nl = f"Minimaal {need} lokale besturen in het consortium, {are_nl} {n} ({names})."
    en = f"At least {need} local governments in the consortium, there are {n} ({names})."
    if represented:
        listed = ", ".join(name_of(r, ctx.municipalities) for r in dict.fromkeys(represented))
        nl += f" Vertegenwoordigd door een intercommunale: {listed}."
        en += f" Represented by an intercommunale: {listed}."
    if brussels:
        listed = ", ".join(name_of(r, ctx.municipalities) for r in brussels)
        nl += f" Brusselse gemeenten tellen niet mee (de VGC is de Vlaamse partner): {listed}."
        en += f" Brussels municipalities do not count (the VGC is the Flemish partner): {listed}."
    return outcome(
        "partnership_minimum",
        n >= need,
        nl,
        en,
        required=need,
        actual=n,
        members=members,
        not_counted=brussels,
    )


def check_domains(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    if call.allowed_domains is None:
        return not_applicable(
            "domain_allowed",
            "De oproep beperkt de domeinen niet; niet gecontroleerd.",
            "The call does not restrict domains; not checked.",
        )
    outside = [d for d in app.domains if d not in call.allowed_domains]
    allowed = ", ".join(call.allowed_domains)
    if outside:
        return outcome(
            "domain_allowed",
            False,
            f"Toegelaten domeinen: {allowed}; niet toegelaten: {', '.join(outside)}.",
            f"Allowed domains: {allowed}; not allowed: {', '.join(outside)}.",
            allowed=list(call.allowed_domains),
            outside=outside,
        )
    return outcome(
        "domain_allowed",
        True,
        f"Toegelaten domeinen: {allowed}.",
        f"Allowed domains: {allowed}.",
        allowed=list(call.allowed_domains),
    )


def check_prior_project(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    """A scaling call needs a prior project: known in the registry, or a reference to verify."""
    if call.call_type != "scaling":
        return not_applicable(
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
    unknown = [pid for pid in ids if pid not in known]
    references = list(app.prior_project_references) + [f"#{pid}" for pid in unknown]
    if known:
        listed = "; ".join(titles) if titles else ", ".join(str(i) for i in known)
        return outcome(
            "prior_project",
            True,
            f"Opschalingsoproep: bouwt voort op {listed}.",
            f"Scaling call: builds on {listed}.",
            projects=known,
        )
    if references:
        listed = "; ".join(references)
        return RuleResult(
            "prior_project",
            "to_verify",
            f"Opschalingsoproep: het opgegeven eerdere project staat niet in het register "
            f"({listed}); het secretariaat gaat het na.",
            f"Scaling call: the prior project given is not in the registry ({listed}); the "
            f"secretariat verifies it.",
            {"references": references},
        )
    return outcome(
        "prior_project",
        False,
        "Opschalingsoproep: de aanvraag moet voortbouwen op een eerder project; er is er geen opgegeven.",
        "Scaling call: the application must build on a prior project; none was given.",
        given=ids,
    )


def check_oslo(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    if not call.oslo_required:
        return not_applicable(
            "oslo",
            "OSLO-afstemming is niet verplicht in deze oproep.",
            "OSLO alignment is not required in this call.",
        )
    used = list(app.deliverables.oslo)
    if used:
        return outcome(
            "oslo",
            True,
            f"OSLO verplicht; gebruikte standaarden: {', '.join(used)}.",
            f"OSLO required; standards used: {', '.join(used)}.",
            standards=used,
        )
    return outcome(
        "oslo",
        False,
        "OSLO-afstemming is verplicht, maar er is geen OSLO-standaard opgegeven.",
        "OSLO alignment is required, but no OSLO standard is given.",
        standards=[],
    )


def check_vloca(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    if not call.vloca_required:
        return not_applicable(
            "vloca",
            "VLOCA-afstemming is niet verplicht in deze oproep.",
            "VLOCA alignment is not required in this call.",
        )
    ok = app.deliverables.vloca
    return outcome(
        "vloca",
        ok,
        "VLOCA-afstemming is verplicht"
        + ("; de aanvraag volgt VLOCA." if ok else ", maar de aanvraag volgt VLOCA niet."),
        "VLOCA alignment is required"
        + ("; the application follows VLOCA." if ok else ", but the application does not."),
    )


def check_applications_per_lead(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    """At most ``max`` applications per lead, plus ``extra`` more only when cooperating.

    Checked on the lead's whole set (this one and the others in the context): the total must not
    exceed ``max + extra`` and applications without another municipality as partner must not
    exceed ``max``. A set that breaks it fails every member; the secretariat asks which to drop.
    """
    if call.max_applications_per_lead is None:
        return not_applicable(
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
    name = name_of(app.lead, ctx.municipalities)
    nl_extra = f", plus {extra} extra bij samenwerking met andere steden of gemeenten" if extra else ""
    en_extra = f", plus {extra} more when cooperating with other municipalities" if extra else ""
    return outcome(
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
        return not_applicable(
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
    return outcome(
        "double_funding",
        True,
        f"Geen gefinancierd project met gelijkenis vanaf {threshold:.2f} (hoogste {top:.2f}).",
        f"No funded project with similarity from {threshold:.2f} (highest {top:.2f}).",
        threshold=threshold,
        highest=round(top, 4),
    )
