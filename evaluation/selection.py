"""Funding selection under the call budget: exact (OR-Tools CP-SAT knapsack) beside the ranking.

**Exact selection.** Choose which fundable applications to fund, each for its full requested grant,
to maximise the sum of their weighted totals (see :mod:`evaluation.ranking`) subject to:

* the sum of funded grants ≤ the call budget (euro cents);
* a grant above the per-project cap (``max_grant_cents``) cannot be funded;
* optionally at most ``max_per_domain`` funded applications per domain (an application with two
  domains counts in both) and at most ``max_per_province`` per province (applications without a
  province, i.e. Brussels, are not limited).

Among selections with the same total score, the solver prefers the one that follows the ranking
more closely (the highest sum of ``N + 1 − rank``), so equal totals are settled by the call's
tie-break rules rather than by chance. Totals are exact fractions; the solver works on them
multiplied by their common denominator, so its optimum is exact (a common denominator above
2^40 falls back to micro-points, 10^-6, which the result notes in ``scale``).

**Greedy baseline.** "Fund down the ranking until the money runs out": walk the fundable
applications in rank order and fund each one that fits under the cap and the spread limits; stop
at the first one whose grant exceeds the money left. The difference with the exact selection is
explained (which applications each funds, the score gained, the money used).

**Reasons.** Every unfunded application gets one reason: not fundable (which threshold), above
the cap, a spread limit reached (which domain or province), the budget exhausted at rank N, or,
for the exact selection only, *the optimal selection preferred others*: it would fit only by
dropping funded applications ranked below it that together score more.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from fractions import Fraction

from ortools.sat.python import cp_model

from evaluation.ranking import RankedApplication, Ranking, format_ids, format_number
from evaluation.scoring import InvalidField
from evaluation.selection_result import (
    Funding,
    Selection,
    SelectionDifference,
    Unfunded,
    format_euro,
)

#: Largest common denominator used to keep the objective exact (CP-SAT needs integers).
_MAX_EXACT_SCALE = 2**40


class InvalidSelection(InvalidField):
    """A selection request that cannot be answered; ``field`` names the parameter."""


class _Limits:
    """Cap and spread limits, and the checks both selections share."""

    def __init__(
        self, max_grant: int | None, max_per_domain: int | None, max_per_province: int | None
    ) -> None:
        self.max_grant = max_grant
        self.max_per_domain = max_per_domain
        self.max_per_province = max_per_province

    def over_cap(self, it: RankedApplication) -> Unfunded | None:
        if self.max_grant is None or it.requested_grant_cents <= self.max_grant:
            return None
        return Unfunded(
            it.application_id,
            it.rank,
            "above_cap",
            f"the requested grant {format_euro(it.requested_grant_cents)} is above the cap of "
            f"{format_euro(self.max_grant)} per project",
            f"de gevraagde steun {format_euro(it.requested_grant_cents, True)} ligt boven het "
            f"maximum van {format_euro(self.max_grant, True)} per project",
        )

    def full_group(
        self, it: RankedApplication, funded: Sequence[RankedApplication]
    ) -> Unfunded | None:
        """The reason when one of its domains or its province already has the maximum."""
        if self.max_per_domain is not None:
            for d in it.domains:
                n = sum(1 for f in funded if d in f.domains)
                if n >= self.max_per_domain:
                    return Unfunded(
                        it.application_id,
                        it.rank,
                        "spread_limit_domain",
                        f"spread limit for domain {d}: {n} applications in {d} are funded "
                        f"(at most {self.max_per_domain})",
                        f"spreidingslimiet voor domein {d}: {n} aanvragen in {d} krijgen steun "
                        f"(hoogstens {self.max_per_domain})",
                    )
        if self.max_per_province is not None and it.province is not None:
            n = sum(1 for f in funded if f.province == it.province)
            if n >= self.max_per_province:
                return Unfunded(
                    it.application_id,
                    it.rank,
                    "spread_limit_province",
                    f"spread limit for province {it.province}: {n} applications are funded "
                    f"(at most {self.max_per_province})",
                    f"spreidingslimiet voor provincie {it.province}: {n} aanvragen krijgen steun "
                    f"(hoogstens {self.max_per_province})",
                )
        return None


def _not_fundable(it: RankedApplication) -> Unfunded:
    return Unfunded(
        it.application_id,
        it.rank,
        it.reasons[0].code,
        "; ".join(r.message for r in it.reasons),
        "; ".join(r.message_nl for r in it.reasons),
    )


def _budget_exhausted(it: RankedApplication, rank: int, left: int) -> Unfunded:
    return Unfunded(
        it.application_id,
        it.rank,
        "budget_exhausted",
        f"budget exhausted at rank {rank}: {format_euro(it.requested_grant_cents)} requested, "
        f"{format_euro(left)} left",
        f"budget uitgeput bij rang {rank}: {format_euro(it.requested_grant_cents, True)} "
        f"gevraagd, {format_euro(left, True)} over",
    )


def _total(items: Sequence[RankedApplication]) -> Fraction:
    return sum((it.total_exact for it in items), Fraction(0))


def greedy_selection(
    ranking: Ranking,
    *,
    budget_cents: int,
    max_grant_cents: int | None = None,
    max_per_domain: int | None = None,
    max_per_province: int | None = None,
) -> Funding:
    """Fund down the ranking until the money runs out (see the module docstring)."""
    limits = _Limits(max_grant_cents, max_per_domain, max_per_province)
    funded: list[RankedApplication] = []
    unfunded: list[Unfunded] = []
    left = budget_cents
    stopped_at: int | None = None
    for it in ranking.items:
        if not it.fundable:
            unfunded.append(_not_fundable(it))
            continue
        if reason := limits.over_cap(it):
            unfunded.append(reason)
            continue
        if stopped_at is not None:
            unfunded.append(_budget_exhausted(it, stopped_at, left))
            continue
        if reason := limits.full_group(it, funded):
            unfunded.append(reason)
            continue
        if it.requested_grant_cents > left:
            stopped_at = it.rank
            unfunded.append(_budget_exhausted(it, stopped_at, left))
            continue
        funded.append(it)
        left -= it.requested_grant_cents
    return Funding(
        funded=tuple(it.application_id for it in funded),
        total_score=float(_total(funded)),
        spent_cents=budget_cents - left,
        remaining_cents=left,
        unfunded=tuple(unfunded),
        stopped_at_rank=stopped_at,
    )


def _solve(
    eligible: list[RankedApplication],
    budget_cents: int,
    limits: _Limits,
    time_limit_s: float,
) -> tuple[list[RankedApplication], str, int]:
    """CP-SAT knapsack: best total score, then the closest to the ranking."""
    if not eligible:
        return [], "optimal", 1
    scale = math.lcm(*(it.total_exact.denominator for it in eligible))
    if scale > _MAX_EXACT_SCALE:
        scale = 10**6
    weights = [round(it.total_exact * scale) for it in eligible]
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"fund_{it.application_id}") for it in eligible]
    model.add(sum(it.requested_grant_cents * v for it, v in zip(eligible, x)) <= budget_cents)
    if limits.max_per_domain is not None:
        for d in sorted({d for it in eligible for d in it.domains}):
            members = [v for it, v in zip(eligible, x) if d in it.domains]
            if len(members) > limits.max_per_domain:
                model.add(sum(members) <= limits.max_per_domain)
    if limits.max_per_province is not None:
        for p in sorted({it.province for it in eligible if it.province is not None}):
            members = [v for it, v in zip(eligible, x) if it.province == p]
            if len(members) > limits.max_per_province:
                model.add(sum(members) <= limits.max_per_province)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = max(1, min(8, os.cpu_count() or 1))
    solver.parameters.random_seed = 0
    score = sum(w * v for w, v in zip(weights, x))
    model.maximize(score)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # pragma: no cover - x = 0 is feasible
        raise RuntimeError(f"CP-SAT failed: {solver.status_name(status)}")
    proven = status == cp_model.OPTIMAL
    best = round(solver.objective_value)
    # Second level: keep the best score, follow the ranking as closely as possible.
    n = len(eligible) + max(it.rank for it in eligible)
    model.add(score >= best)
    model.clear_objective()
    model.maximize(sum((n + 1 - it.rank) * v for it, v in zip(eligible, x)))
    for v in x:
        model.add_hint(v, solver.boolean_value(v))
    chosen_first = [it for it, v in zip(eligible, x) if solver.boolean_value(v)]
    status2 = solver.solve(model)
    if status2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = [it for it, v in zip(eligible, x) if solver.boolean_value(v)]
        proven = proven and status2 == cp_model.OPTIMAL
    else:  # pragma: no cover - the first solution satisfies the second model
        chosen = chosen_first
    return chosen, "optimal" if proven else "feasible", scale


def _explain_unfunded(
    ranking: Ranking,
    chosen: list[RankedApplication],
    budget_cents: int,
    limits: _Limits,
) -> list[Unfunded]:
    chosen_ids = {it.application_id for it in chosen}
    left = budget_cents - sum(it.requested_grant_cents for it in chosen)
    out: list[Unfunded] = []
    first_budget_rank: int | None = None
    for it in ranking.items:
        if it.application_id in chosen_ids:
            continue
        if not it.fundable:
            out.append(_not_fundable(it))
            continue
        if reason := limits.over_cap(it):
            out.append(reason)
            continue
        if reason := limits.full_group(it, chosen):
            out.append(reason)
            continue
        below = [f for f in chosen if f.rank > it.rank]
        if it.requested_grant_cents > left and below:
            below_ids = [f.application_id for f in below]
            out.append(
                Unfunded(
                    it.application_id,
                    it.rank,
                    "optimal_preferred_others",
                    "the optimal selection preferred others: funding it "
                    f"({format_euro(it.requested_grant_cents)}) would need dropping funded "
                    f"applications ranked below it ({format_ids(below_ids, limit=5)}), which "
                    f"together score more for the money ({format_euro(left)} left)",
                    "de optimale selectie verkoos andere: steun voor deze aanvraag "
                    f"({format_euro(it.requested_grant_cents, True)}) zou lager gerangschikte "
                    f"aanvragen met steun ({format_ids(below_ids, True, 5)}) verdringen, die "
                    f"samen meer scoren voor het geld ({format_euro(left, True)} over)",
                )
            )
            continue
        if it.requested_grant_cents > left:
            first_budget_rank = first_budget_rank or it.rank
            out.append(_budget_exhausted(it, first_budget_rank, left))
            continue
        out.append(  # pragma: no cover - only when the solver stopped before proving optimality
            Unfunded(
                it.application_id,
                it.rank,
                "not_selected",
                "not selected: the solver stopped at its time limit before proving the optimum",
                "niet geselecteerd: de solver stopte bij zijn tijdslimiet vóór het optimum",
            )
        )
    return out


def _count(n: int, nl: bool = False) -> str:
    if nl:
        return f"{n} aanvraag" if n == 1 else f"{n} aanvragen"
    return f"{n} application" if n == 1 else f"{n} applications"


def _named(ids: Sequence[int], nl: bool = False) -> str:
    """``application 3`` / ``applications 3, 4``; ``aanvraag 3`` / ``aanvragen 3, 4``."""
    if nl:
        return ("aanvraag " if len(ids) == 1 else "aanvragen ") + format_ids(ids, True)
    return ("application " if len(ids) == 1 else "applications ") + format_ids(ids)


def _explain_difference(
    ranking: Ranking, chosen: list[RankedApplication], greedy: Funding
) -> SelectionDifference:
    optimal_ids = [it.application_id for it in chosen]
    only_opt = tuple(a for a in optimal_ids if a not in greedy.funded)
    only_greedy = tuple(a for a in greedy.funded if a not in optimal_ids)
    exact_total = _total(chosen)
    greedy_total = _total([ranking.item(a) for a in greedy.funded])
    gain = float(exact_total - greedy_total)
    spent = sum(it.requested_grant_cents for it in chosen)
    if not only_opt and not only_greedy:
        en = "The optimal selection is the same as funding down the ranking."
        nl = (
            "De optimale selectie is dezelfde als steun toekennen in volgorde van de rangschikking."
        )
    else:
        stop_en = stop_nl = ""
        if greedy.stopped_at_rank is not None:
            stop_en = (
                f" stops at rank {greedy.stopped_at_rank} with "
                f"{format_euro(greedy.remaining_cents)} left and"
            )
            stop_nl = (
                f" stopt bij rang {greedy.stopped_at_rank} met "
                f"{format_euro(greedy.remaining_cents, True)} over en"
            )
        add, add_nl = _named(only_opt), _named(only_opt, True)
        if only_greedy:
            change = f"it leaves out {_named(only_greedy)} and funds {add} instead"
            change_nl = f"ze laat {_named(only_greedy, True)} weg en steunt in de plaats {add_nl}"
        else:
            change, change_nl = f"it also funds {add}", f"ze steunt ook {add_nl}"
        en = (
            f"Funding down the ranking{stop_en} funds {_count(len(greedy.funded))} for a "
            f"total score of {format_number(float(greedy_total))} "
            f"({format_euro(greedy.spent_cents)}). The optimal selection funds {len(chosen)} "
            f"for {format_number(float(exact_total))} ({format_euro(spent)}): {change}, "
            f"{format_number(gain)} points more."
        )
        nl = (
            f"Steun in volgorde van de rangschikking{stop_nl} gaat naar "
            f"{_count(len(greedy.funded), True)} met een totaalscore van "
            f"{format_number(float(greedy_total), True)} "
            f"({format_euro(greedy.spent_cents, True)}). De optimale selectie steunt er "
            f"{len(chosen)} met {format_number(float(exact_total), True)} "
            f"({format_euro(spent, True)}): {change_nl}, {format_number(gain, True)} punten meer."
        )
    return SelectionDifference(
        only_optimal=only_opt,
        only_greedy=only_greedy,
        score_gain=gain,
        extra_spent_cents=spent - greedy.spent_cents,
        explanation=en,
        explanation_nl=nl,
    )


def select_funding(
    ranking: Ranking,
    *,
    budget_cents: int,
    max_grant_cents: int | None = None,
    max_per_domain: int | None = None,
    max_per_province: int | None = None,
    time_limit_s: float = 10.0,
) -> Selection:
    """Exact funding selection beside the greedy baseline; see the module docstring.

    Raises :class:`InvalidSelection` for a budget that is not positive or below the smallest
    requested grant, a cap or spread limit below 1.
    """
    start = time.perf_counter()
    if isinstance(budget_cents, bool) or not isinstance(budget_cents, int) or budget_cents <= 0:
        raise InvalidSelection(
            "budget_cents",
            "the budget must be a positive whole number of cents",
            "het budget moet een positief geheel aantal cent zijn",
        )
    grants = [it.requested_grant_cents for it in ranking.items if it.requested_grant_cents > 0]
    if grants and budget_cents < min(grants):
        raise InvalidSelection(
            "budget_cents",
            f"the budget {format_euro(budget_cents)} is below the smallest requested grant "
            f"({format_euro(min(grants))})",
            f"het budget {format_euro(budget_cents, True)} ligt onder de kleinste gevraagde "
            f"steun ({format_euro(min(grants), True)})",
        )
    for name, value in (
        ("max_grant_cents", max_grant_cents),
        ("max_per_domain", max_per_domain),
        ("max_per_province", max_per_province),
    ):
        if value is not None and value < 1:
            raise InvalidSelection(name, "must be at least 1", "moet minstens 1 zijn")
    limits = _Limits(max_grant_cents, max_per_domain, max_per_province)
    eligible = [it for it in ranking.items if it.fundable and limits.over_cap(it) is None]
    chosen, status, scale = _solve(eligible, budget_cents, limits, time_limit_s)
    chosen.sort(key=lambda it: it.rank)
    greedy = greedy_selection(
        ranking,
        budget_cents=budget_cents,
        max_grant_cents=max_grant_cents,
        max_per_domain=max_per_domain,
        max_per_province=max_per_province,
    )
    spent = sum(it.requested_grant_cents for it in chosen)
    optimal = Funding(
        funded=tuple(it.application_id for it in chosen),
        total_score=float(_total(chosen)),
        spent_cents=spent,
        remaining_cents=budget_cents - spent,
        unfunded=tuple(_explain_unfunded(ranking, chosen, budget_cents, limits)),
    )
    return Selection(
        optimal=optimal,
        greedy=greedy,
        budget_cents=budget_cents,
        difference=_explain_difference(ranking, chosen, greedy),
        status=status,
        scale=scale,
        max_grant_cents=max_grant_cents,
        max_per_domain=max_per_domain,
        max_per_province=max_per_province,
        runtime_s=time.perf_counter() - start,
    )
