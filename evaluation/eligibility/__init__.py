"""Eligibility of an application against every rule of its call, with reasons a city understands.

Each rule gives a :class:`RuleResult` with a status:

- ``passed`` / ``failed``: the call sets the rule and the application meets it or not;
- ``not_applicable``: the call sets no figure for it (``None`` in :class:`~evaluation.calls.Call`)
  or the input needed is missing. It is listed with the reason, never counted as passed
  (``passed`` is ``None``);
- ``flagged``: possible double funding. Text similarity cannot prove double funding, so a flag
  does not make the application ineligible; it asks the secretariat to compare the two projects.
- ``to_verify``: the application cites evidence the registry does not hold (a prior project in
  a scaling call given as a free-text reference); not a failure, the secretariat verifies it.

Money and percentage rules are exact: amounts in integer cents, percentages as the decimals
they were typed in (8.2 % of €250,000 is exactly €20,500).

``eligible`` is True when no rule failed. Reasons name the figures in Belgian notation
("maximum steun €1.000.000, gevraagd €1.250.000").
"""

from __future__ import annotations

from evaluation.applications import Application
from evaluation.calls import Call
from evaluation.eligibility.money_rules import (
    check_call_budget,
    check_cofinancing,
    check_max_grant,
    check_min_grant,
    check_subsidy_pct,
    exact_pct,
    pct_of_cents,
)
from evaluation.eligibility.result import (
    RULE_CODES,
    STATUSES,
    EligibilityContext,
    EligibilityResult,
    RuleResult,
)
from evaluation.eligibility.rules import (
    check_applications_per_lead,
    check_deadline,
    check_domains,
    check_double_funding,
    check_lead,
    check_oslo,
    check_partnership,
    check_prior_project,
    check_vloca,
    counted_local_governments,
)

__all__ = [
    "RULE_CODES",
    "STATUSES",
    "EligibilityContext",
    "EligibilityResult",
    "RuleResult",
    "check_eligibility",
    "counted_local_governments",
    "exact_pct",
    "pct_of_cents",
]

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
