"""The money and percentage rules of a call, exact: integer cents and decimal percentages.

8.2 % of €250,000 is exactly €20,500: a percentage is taken as the decimal it was typed in
(``Decimal(str(8.2))``), never as the binary float 8.1999…, and compared in whole cents.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from evaluation.applications import Application
from evaluation.calls import Call
from evaluation.eligibility.result import (
    EligibilityContext,
    RuleResult,
    not_applicable,
    outcome,
    share_pct,
)
from evaluation.money import euro_en, euro_nl, percent_en, percent_nl
from evaluation.scoring import to_decimal


def exact_pct(pct: float) -> Decimal:
    """A percentage as the decimal it was typed in (8.2 -> Decimal("8.2"), not 8.1999...)."""
    return to_decimal(pct)


def pct_of_cents(pct: float, total_cents: int, *, round_up: bool) -> int:
    """``pct`` % of ``total_cents``, exact, rounded to a whole cent down (a cap) or up (a floor)."""
    exact = exact_pct(pct) * total_cents / 100
    return int(exact.to_integral_value(rounding=ROUND_CEILING if round_up else ROUND_FLOOR))


def _grant_rule(
    code: str, limit: int | None, asked: int, ok: bool, label: tuple[str, str, str, str]
) -> RuleResult:
    """A rule comparing the requested grant with one amount of the call.

    ``label``: Dutch and English name of the limit, then Dutch and English for "the call sets none".
    """
    nl_name, en_name, nl_none, en_none = label
    if limit is None:
        return not_applicable(code, f"{nl_none}; niet gecontroleerd.", f"{en_none}; not checked.")
    return outcome(
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
        return not_applicable(
            "max_subsidy_pct",
            "De oproep legt geen maximaal steunpercentage op; niet gecontroleerd.",
            "The call sets no maximum subsidy percentage; not checked.",
        )
    total, asked, pct = app.total_budget_cents, app.requested_grant_cents, call.max_subsidy_pct
    # Exact: asked / total <= pct / 100, with pct as the decimal it was typed in.
    ok = asked * 100 <= exact_pct(pct) * total
    limit = pct_of_cents(pct, total, round_up=False)
    return outcome(
        "max_subsidy_pct",
        ok,
        f"Maximaal {percent_nl(pct)} steun op een totaal budget van {euro_nl(total)} "
        f"(= {euro_nl(limit)}), gevraagd {euro_nl(asked)} ({percent_nl(share_pct(asked, total))}).",
        f"At most {percent_en(pct)} grant on a total budget of {euro_en(total)} "
        f"(= {euro_en(limit)}), requested {euro_en(asked)} ({percent_en(share_pct(asked, total))}).",
        limit_pct=pct,
        limit_cents=limit,
        actual_pct=round(share_pct(asked, total), 4),
        total_budget_cents=total,
        requested_cents=asked,
    )


def check_cofinancing(call: Call, app: Application, ctx: EligibilityContext) -> RuleResult:
    if call.min_cofinancing_pct is None:
        return not_applicable(
            "min_cofinancing_pct",
            "De oproep legt geen minimale cofinanciering op; niet gecontroleerd.",
            "The call sets no minimum co-financing; not checked.",
        )
    total, own, pct = app.total_budget_cents, app.own_financing_cents, call.min_cofinancing_pct
    ok = own * 100 >= exact_pct(pct) * total
    minimum = pct_of_cents(pct, total, round_up=True)
    return outcome(
        "min_cofinancing_pct",
        ok,
        f"Minimaal {percent_nl(pct)} cofinanciering (= {euro_nl(minimum)}), voorzien "
        f"{euro_nl(own)} van {euro_nl(total)} ({percent_nl(share_pct(own, total))}).",
        f"At least {percent_en(pct)} co-financing (= {euro_en(minimum)}), planned "
        f"{euro_en(own)} of {euro_en(total)} ({percent_en(share_pct(own, total))}).",
        limit_pct=pct,
        limit_cents=minimum,
        actual_pct=round(share_pct(own, total), 4),
        cofinancing_cents=own,
        total_budget_cents=total,
    )
