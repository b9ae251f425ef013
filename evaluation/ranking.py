"""Ranking of applications by their weighted total score, with thresholds and tie-break rules.

**Score per criterion.** The chair's consensus score where recorded; otherwise the mean of the
submitted juror scores, and the application is marked *provisional* (the ranking may still
change). Without either, the criterion is *missing* and the application cannot be ranked yet.

**Weighted total** = Σ over criteria of ``weight × score`` / Σ ``weight``: the weighted mean of
the criterion scores. Weights are relative (as in :mod:`evaluation.calls`: 3, 3, 2, 2 and 30, 30,
20, 20 give the same totals) and on criteria with a common 0–10 scale the total is on that scale
too. Each criterion's share ``weight / Σ weight × score`` is reported, and the shares add up to the
total. Computed exactly with fractions, so equal totals are really equal and the tie-break rules
decide.

**Fundable.** An application below a criterion's threshold, or with a total below the call's total
threshold, is not fundable; each failed threshold is a :class:`Reason` saying which one and by how
much. So is one with missing scores.

**Order.** Highest total first; equal totals are ordered by the call's tie-break rules, an ordered
list like ``["criterion:scalability desc", "criterion:leverage desc", "requested_grant asc"]``
(keys: ``criterion:<code>``, ``requested_grant``, ``application``; direction ``asc`` or ``desc``,
default ``desc`` for a criterion and ``asc`` otherwise), and finally by application id, so every
rank is unique. A call without rules uses :func:`default_tie_break`: the higher score on the
criteria in order of weight (heaviest first; equal weights in the call's order), then the lower
requested grant — so a tie is settled by the jury's judgement on what the call weighs most, not
by the order in which applications were filed. Applications that cannot be ranked yet come last.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from evaluation.aggregation import SubmittedScore, exact_means
from evaluation.scoring import Criterion, InvalidCriterion, InvalidField, to_decimal


class InvalidTieBreak(InvalidField):
    """A tie-break rule that cannot be read; ``field`` is "tie_break"."""

    def __init__(self, message: str) -> None:
        super().__init__("tie_break", message)


def format_number(value: float, nl: bool = False) -> str:
    """A score for a message: up to 2 decimals, without trailing zeros; decimal comma in Dutch."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if nl else text


def format_ids(ids: Iterable[int], nl: bool = False, limit: int = 10) -> str:
    """``"3, 7, 9"``; beyond ``limit`` ids ``"… and 12 more"`` (``"… en 12 andere"``)."""
    ids = list(ids)
    text = ", ".join(str(i) for i in ids[:limit])
    if len(ids) > limit:
        text += f" en {len(ids) - limit} andere" if nl else f" and {len(ids) - limit} more"
    return text


@dataclass(frozen=True)
class Reason:
    """Why an application is not fundable (or not funded): a code and a message in nl and en."""

    code: str
    message: str
    message_nl: str
    criterion: str | None = None
    value: float | None = None
    threshold: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "message_nl": self.message_nl,
            "criterion": self.criterion,
            "value": self.value,
            "threshold": self.threshold,
        }


@dataclass(frozen=True)
class Candidate:
    """An application as ranking and selection see it. Grant in euro cents."""

    application_id: int
    requested_grant_cents: int
    domains: tuple[str, ...] = ()
    province: str | None = None


@dataclass(frozen=True)
class TieBreak:
    """One tie-break rule: ``key`` is "criterion:<code>", "requested_grant" or "application"."""

    key: str
    descending: bool

    def __str__(self) -> str:
        return f"{self.key} {'desc' if self.descending else 'asc'}"


@dataclass(frozen=True)
class CriterionScore:
    """The score that counts for one criterion, and where it came from."""

    criterion: str
    score: float | None
    source: str | None  # "consensus" | "mean" | None (missing)
    weighted: float | None  # its share of the total: weight / Σ weight × score


@dataclass(frozen=True)
class RankedApplication:
    """One line of the ranking."""

    application_id: int
    rank: int
    total: float | None
    fundable: bool
    provisional: bool
    reasons: tuple[Reason, ...]
    scores: tuple[CriterionScore, ...]
    requested_grant_cents: int
    domains: tuple[str, ...]
    province: str | None
    tie_broken_by: str | None  # the rule that put it below an equal total, if any
    total_exact: Fraction | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "application": self.application_id,
            "rank": self.rank,
            "total": self.total,
            "fundable": self.fundable,
            "reasons": [r.to_dict() for r in self.reasons],
            "provisional": self.provisional,
            "scores": [
                {
                    "criterion": s.criterion,
                    "score": s.score,
                    "source": s.source,
                    "weighted": s.weighted,
                }
                for s in self.scores
            ],
            "requested_grant_cents": self.requested_grant_cents,
            "tie_broken_by": self.tie_broken_by,
        }


@dataclass(frozen=True)
class Ranking:
    """The ranking of a call, in rank order."""

    items: tuple[RankedApplication, ...]
    tie_break: tuple[str, ...]
    total_threshold: float | None
    #: True when the call set no rules and :func:`default_tie_break` is in effect.
    tie_break_default: bool = False

    def item(self, application_id: int) -> RankedApplication:
        for it in self.items:
            if it.application_id == application_id:
                return it
        raise KeyError(application_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": [it.to_dict() for it in self.items],
            "tie_break": list(self.tie_break),
            "total_threshold": self.total_threshold,
        }


def default_tie_break(criteria: Sequence[Criterion]) -> tuple[str, ...]:
    """The rules of a call that set none: each criterion, heaviest weight first (equal weights in
    the call's order), higher score first; then the lower requested grant."""
    order = sorted(range(len(criteria)), key=lambda i: (-to_decimal(criteria[i].weight), i))
    return tuple(f"criterion:{criteria[i].code} desc" for i in order) + ("requested_grant asc",)


def parse_tie_break(rules: Sequence[str], criteria: Sequence[Criterion]) -> tuple[TieBreak, ...]:
    """Read rules like ``"criterion:scalability desc"``; raises :class:`InvalidTieBreak`."""
    codes = {c.code for c in criteria}
    parsed = []
    for rule in rules:
        parts = rule.split()
        if not parts or len(parts) > 2:
            raise InvalidTieBreak(f"cannot read {rule!r}: expected '<key> [asc|desc]'")
        key = parts[0]
        if key.startswith("criterion:"):
            if key.split(":", 1)[1] not in codes:
                raise InvalidTieBreak(f"unknown criterion in {rule!r}")
            default_desc = True
        elif key in ("requested_grant", "application"):
            default_desc = False
        else:
            raise InvalidTieBreak(
                f"unknown key {key!r}: use criterion:<code>, requested_grant or application"
            )
        if len(parts) == 2 and parts[1] not in ("asc", "desc"):
            raise InvalidTieBreak(f"direction in {rule!r} must be asc or desc")
        descending = parts[1] == "desc" if len(parts) == 2 else default_desc
        parsed.append(TieBreak(key, descending))
    return tuple(parsed)


def _tie_value(rule: TieBreak, item: RankedApplication, exact: Mapping[str, Fraction]) -> Any:
    if rule.key == "requested_grant":
        value: Any = item.requested_grant_cents
    elif rule.key == "application":
        value = item.application_id
    else:
        value = exact[rule.key.split(":", 1)[1]]
    return -value if rule.descending else value


def _below(code: str, what_en: str, what_nl: str, value: Fraction, limit: Fraction, **kw) -> Reason:
    shown, lim = float(value), float(limit)
    return Reason(
        code,
        f"below {what_en}: {format_number(shown)} < {format_number(lim)}",
        f"onder {what_nl}: {format_number(shown, True)} < {format_number(lim, True)}",
        value=shown,
        threshold=lim,
        **kw,
    )


def _line(
    cand: Candidate,
    criteria: Sequence[Criterion],
    shares: Mapping[str, Fraction],
    consensus: Mapping[tuple[int, str], Any],
    means: Mapping[tuple[int, str], Fraction],
    total_threshold: Fraction | None,
) -> tuple[RankedApplication, dict[str, Fraction]]:
    """One unranked line of the ranking, and its exact criterion scores (for tie-breaks)."""
    app = cand.application_id
    scores, reasons, exact = [], [], {}
    provisional = False
    for crit in criteria:
        if (app, crit.code) in consensus:
            value, source = Fraction(to_decimal(consensus[(app, crit.code)])), "consensus"
        elif (app, crit.code) in means:
            value, source = means[(app, crit.code)], "mean"
            provisional = True
        else:
            scores.append(CriterionScore(crit.code, None, None, None))
            continue
        exact[crit.code] = value
        scores.append(
            CriterionScore(crit.code, float(value), source, float(shares[crit.code] * value))
        )
        if crit.threshold is not None and value < Fraction(to_decimal(crit.threshold)):
            reasons.append(
                _below(
                    "below_criterion_threshold",
                    f"the threshold of criterion {crit.code}",
                    f"de drempel van criterium {crit.code}",
                    value,
                    Fraction(to_decimal(crit.threshold)),
                    criterion=crit.code,
                )
            )
    missing = [s.criterion for s in scores if s.source is None]
    total = None
    if missing:
        reasons.append(
            Reason(
                "missing_scores",
                f"no consensus or submitted scores yet for {', '.join(missing)}",
                f"nog geen consensus of ingediende scores voor {', '.join(missing)}",
            )
        )
        provisional = True
    else:
        total = sum((shares[c.code] * exact[c.code] for c in criteria), Fraction(0))
        if total_threshold is not None and total < total_threshold:
            reasons.append(
                _below(
                    "below_total_threshold",
                    "the total threshold",
                    "de totaaldrempel",
                    total,
                    total_threshold,
                )
            )
    line = RankedApplication(
        application_id=app,
        rank=0,
        total=None if total is None else float(total),
        fundable=not reasons,
        provisional=provisional,
        reasons=tuple(reasons),
        scores=tuple(scores),
        requested_grant_cents=cand.requested_grant_cents,
        domains=tuple(cand.domains),
        province=cand.province,
        tie_broken_by=None,
        total_exact=total,
    )
    return line, exact


def rank_applications(
    candidates: Iterable[Candidate],
    criteria: Sequence[Criterion],
    *,
    submitted: Iterable[SubmittedScore] = (),
    consensus: Mapping[tuple[int, str], Any] | None = None,
    total_threshold: float | None = None,
    tie_break: Sequence[str] = (),
) -> Ranking:
    """Rank candidates; see the module docstring for the rules.

    ``consensus`` maps ``(application_id, criterion code)`` to the chair's score; ``submitted``
    are the submitted juror scores (drafts excluded). ``total_threshold`` is on the scale of the
    weighted total. Raises :class:`InvalidTieBreak`, or :class:`InvalidCriterion` when the weights
    sum to 0.
    """
    defaulted = not tie_break
    rules = parse_tie_break(default_tie_break(criteria) if defaulted else tie_break, criteria)
    weight_sum = sum((Fraction(to_decimal(c.weight)) for c in criteria), Fraction(0))
    if criteria and weight_sum <= 0:
        raise InvalidCriterion("weight", "criterion weights must sum to more than 0")
    shares = {c.code: Fraction(to_decimal(c.weight)) / weight_sum for c in criteria}
    consensus = consensus or {}
    means = exact_means(submitted, criteria)
    threshold = None if total_threshold is None else Fraction(to_decimal(total_threshold))
    built = [_line(cand, criteria, shares, consensus, means, threshold) for cand in candidates]
    per_app_exact = {it.application_id: exact for it, exact in built}
    lines = [it for it, _exact in built]

    def sort_key(it: RankedApplication) -> tuple:
        if it.total_exact is None:
            return (1, 0, (), it.application_id)
        ties = tuple(_tie_value(r, it, per_app_exact[it.application_id]) for r in rules)
        return (0, -it.total_exact, ties, it.application_id)

    ordered = sorted(lines, key=sort_key)
    items = []
    for i, it in enumerate(ordered):
        broken_by = None
        if i > 0 and it.total_exact is not None and ordered[i - 1].total_exact == it.total_exact:
            above = ordered[i - 1]
            broken_by = "application asc"
            for r in rules:
                mine = _tie_value(r, it, per_app_exact[it.application_id])
                theirs = _tie_value(r, above, per_app_exact[above.application_id])
                if mine != theirs:
                    broken_by = str(r)
                    break
        items.append(replace(it, rank=i + 1, tie_broken_by=broken_by))
    return Ranking(tuple(items), tuple(str(r) for r in rules), total_threshold,
                   tie_break_default=defaulted)
