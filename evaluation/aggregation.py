"""Aggregation of submitted scores: per application and criterion, per juror, per criterion.

* **Per application and criterion**: mean, median, spread (highest − lowest score) and standard
  deviation (population, i.e. divided by n: the jurors who scored are the whole group, not a
  sample), and a *disagreement* flag when the spread is strictly above the call's threshold
  (in score points), so the chair discusses it first.
* **Juror calibration** (advisory, shown beside the raw mean): some jurors score everything high,
  others low. For each juror and criterion, ``z = (score − juror's mean) / juror's std`` over the
  juror's own scores on that criterion; the *calibrated* value puts z back on the scale with the
  mean and std of all scores on that criterion (``pooled mean + z × pooled std``), clipped to the
  scale. A juror with fewer than ``CALIBRATION_MIN_SCORES`` scores on a criterion gets no z (too
  few to know their habit); a juror who gave the same score everywhere gets z = 0 (the score is
  their own mean).
* **Inter-rater agreement** per criterion: Krippendorff's alpha at the interval level
  (``krippendorff`` package), jurors × applications with missing scores allowed. 1 is perfect
  agreement, 0 agreement as by chance. Undefined cases give ``None`` and a reason instead of NaN:
  fewer than 2 applications scored by at least 2 jurors, or no variation at all in the scores.

Only submitted scores go in; drafts are never aggregated.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

import krippendorff
import numpy as np

from evaluation.scoring import Criterion, InvalidScore, to_decimal

#: A juror needs this many scores on a criterion before a z-score says something about their
#: habit. Our own choice: with 2 scores every z is ±1 whatever the scores are.
CALIBRATION_MIN_SCORES = 3

#: Krippendorff's alpha needs this many applications with at least 2 scores (our own minimum:
#: with one application alpha is 0 whatever the scores are).
AGREEMENT_MIN_APPLICATIONS = 2


@dataclass(frozen=True)
class SubmittedScore:
    """One juror's submitted score on one criterion of one application (score points)."""

    application_id: int
    juror_id: int
    criterion: str
    score: float


@dataclass(frozen=True)
class JurorScore:
    """A score within a summary, with the juror's z-score (None: too few scores to calibrate)."""

    juror_id: int
    score: float
    z: float | None


@dataclass(frozen=True)
class CriterionSummary:
    """Scores of one application on one criterion."""

    application_id: int
    criterion: str
    n: int
    scores: tuple[JurorScore, ...]  # sorted by juror id
    mean: float
    median: float
    spread: float  # highest − lowest
    std: float  # population standard deviation
    disagreement: bool  # spread > the call's disagreement threshold
    calibrated_mean: float | None  # mean of calibrated scores, None when no juror has a z

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["application"] = data.pop("application_id")
        data["scores"] = [{"juror": s.juror_id, "score": s.score, "z": s.z} for s in self.scores]
        return data


@dataclass(frozen=True)
class JurorCalibration:
    """One juror's habit on one criterion: mean and std of their own scores."""

    juror_id: int
    criterion: str
    n: int
    mean: float
    std: float
    calibrated: bool  # False when n < CALIBRATION_MIN_SCORES

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["juror"] = data.pop("juror_id")
        return data


@dataclass(frozen=True)
class Agreement:
    """Krippendorff's alpha (interval) on one criterion, or None with the reason."""

    criterion: str
    alpha: float | None
    reason: str | None
    reason_nl: str | None
    applications: int  # applications with at least 2 scores (the ones alpha uses)
    values: int  # scores on those applications

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Aggregation:
    """Everything the chair's consensus page shows, immutable."""

    summaries: tuple[CriterionSummary, ...]  # by application id, then criterion order
    agreement: tuple[Agreement, ...]  # one per criterion, in criterion order
    calibration: tuple[JurorCalibration, ...]  # by juror id, then criterion order
    disagreement_spread: Mapping[str, float]  # threshold per criterion code

    def summary(self, application_id: int, criterion: str) -> CriterionSummary:
        for s in self.summaries:
            if s.application_id == application_id and s.criterion == criterion:
                return s
        raise KeyError((application_id, criterion))

    def disagreements(self) -> tuple[CriterionSummary, ...]:
        """Flagged summaries, largest spread first (the chair's agenda)."""
        flagged = [s for s in self.summaries if s.disagreement]
        return tuple(sorted(flagged, key=lambda s: (-s.spread, s.application_id, s.criterion)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "summaries": [s.to_dict() for s in self.summaries],
            "agreement": [a.to_dict() for a in self.agreement],
            "calibration": [c.to_dict() for c in self.calibration],
            "disagreement_spread": dict(self.disagreement_spread),
        }


def _checked(scores: Iterable[SubmittedScore], criteria: Sequence[Criterion]) -> list:
    codes = {c.code for c in criteria}
    seen: set[tuple[int, int, str]] = set()
    out = list(scores)
    for s in out:
        if s.criterion not in codes:
            raise InvalidScore("criterion", f"unknown criterion {s.criterion!r}")
        key = (s.application_id, s.juror_id, s.criterion)
        if key in seen:
            raise InvalidScore("score", f"juror {s.juror_id} scored {key} twice")
        seen.add(key)
    return out


def exact_means(
    scores: Iterable[SubmittedScore], criteria: Sequence[Criterion]
) -> dict[tuple[int, str], Fraction]:
    """Exact mean score per ``(application_id, criterion)``, as a Fraction (for ties in ranking)."""
    groups: dict[tuple[int, str], list[Fraction]] = defaultdict(list)
    for s in _checked(scores, criteria):
        groups[(s.application_id, s.criterion)].append(Fraction(to_decimal(s.score)))
    return {key: sum(values, Fraction(0)) / len(values) for key, values in groups.items()}


def krippendorff_alpha(
    ratings: Mapping[int, Mapping[int, float]], criterion: str = ""
) -> Agreement:
    """Interval alpha on one criterion from ``{application_id: {juror_id: score}}``.

    Returns alpha None with a reason in the degenerate cases named in the module docstring.
    """
    pairable = {a: r for a, r in ratings.items() if len(r) >= 2}
    values = [v for r in pairable.values() for v in r.values()]
    if len(pairable) < AGREEMENT_MIN_APPLICATIONS:
        return Agreement(
            criterion,
            None,
            f"fewer than {AGREEMENT_MIN_APPLICATIONS} applications have 2 or more scores",
            f"minder dan {AGREEMENT_MIN_APPLICATIONS} aanvragen hebben 2 of meer scores",
            len(pairable),
            len(values),
        )
    if len(set(values)) == 1:
        return Agreement(
            criterion,
            None,
            "all scores are equal: there is no variation to measure agreement against",
            "alle scores zijn gelijk: er is geen spreiding om overeenstemming aan te meten",
            len(pairable),
            len(values),
        )
    jurors = sorted({j for r in pairable.values() for j in r})
    apps = sorted(pairable)
    data = np.full((len(jurors), len(apps)), np.nan)
    for col, a in enumerate(apps):
        for row, j in enumerate(jurors):
            if j in pairable[a]:
                data[row, col] = float(pairable[a][j])
    alpha = float(krippendorff.alpha(reliability_data=data, level_of_measurement="interval"))
    if not math.isfinite(alpha):  # pragma: no cover - excluded by the checks above
        return Agreement(
            criterion, None, "alpha is undefined", "alpha is onbepaald", len(apps), len(values)
        )
    return Agreement(criterion, alpha, None, None, len(apps), len(values))


def _pstd(values: Sequence[float]) -> float:
    return statistics.pstdev(values) if len(values) > 1 else 0.0


def aggregate(
    scores: Iterable[SubmittedScore],
    criteria: Sequence[Criterion],
    *,
    disagreement_spread: float | Mapping[str, float],
) -> Aggregation:
    """Summaries, calibration and agreement of submitted scores.

    ``disagreement_spread`` is the call's threshold in score points, one number for every criterion
    or one per criterion code. Raises :class:`InvalidScore` for an unknown criterion or a juror
    who scored the same application and criterion twice.
    """
    order = {c.code: i for i, c in enumerate(criteria)}
    by_code = {c.code: c for c in criteria}
    if isinstance(disagreement_spread, Mapping):
        limits = {c.code: float(disagreement_spread[c.code]) for c in criteria}
    else:
        limits = {c.code: float(disagreement_spread) for c in criteria}
    checked = _checked(scores, criteria)

    # Juror calibration: each juror's mean and std per criterion.
    per_juror: dict[tuple[int, str], list[float]] = defaultdict(list)
    per_criterion: dict[str, list[float]] = defaultdict(list)
    for s in checked:
        per_juror[(s.juror_id, s.criterion)].append(float(s.score))
        per_criterion[s.criterion].append(float(s.score))
    calibration = {
        key: JurorCalibration(
            key[0],
            key[1],
            len(v),
            statistics.fmean(v),
            _pstd(v),
            len(v) >= CALIBRATION_MIN_SCORES,
        )
        for key, v in per_juror.items()
    }

    def z_of(s: SubmittedScore) -> float | None:
        cal = calibration[(s.juror_id, s.criterion)]
        if not cal.calibrated:
            return None
        return 0.0 if cal.std == 0 else (float(s.score) - cal.mean) / cal.std

    groups: dict[tuple[int, str], list[SubmittedScore]] = defaultdict(list)
    for s in checked:
        groups[(s.application_id, s.criterion)].append(s)
    summaries = []
    for (app, code), group in sorted(groups.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])):
        values = [float(s.score) for s in group]
        rated = tuple(
            JurorScore(s.juror_id, float(s.score), z_of(s))
            for s in sorted(group, key=lambda s: s.juror_id)
        )
        crit = by_code[code]
        pooled_mean = statistics.fmean(per_criterion[code])
        pooled_std = _pstd(per_criterion[code])
        calibrated = [
            min(max(pooled_mean + r.z * pooled_std, crit.scale_min), crit.scale_max)
            for r in rated
            if r.z is not None
        ]
        spread = max(values) - min(values)
        summaries.append(
            CriterionSummary(
                application_id=app,
                criterion=code,
                n=len(values),
                scores=rated,
                mean=statistics.fmean(values),
                median=float(statistics.median(values)),
                spread=spread,
                std=_pstd(values),
                disagreement=spread > limits[code],
                calibrated_mean=statistics.fmean(calibrated) if calibrated else None,
            )
        )

    agreement = []
    for crit in criteria:
        ratings: dict[int, dict[int, float]] = defaultdict(dict)
        for s in checked:
            if s.criterion == crit.code:
                ratings[s.application_id][s.juror_id] = float(s.score)
        agreement.append(krippendorff_alpha(ratings, crit.code))
    return Aggregation(
        summaries=tuple(summaries),
        agreement=tuple(agreement),
        calibration=tuple(
            sorted(calibration.values(), key=lambda c: (c.juror_id, order[c.criterion]))
        ),
        disagreement_spread=limits,
    )
