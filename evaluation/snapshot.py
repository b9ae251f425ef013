"""The frozen evaluation of a call: what the jury reads from the deadline on, and its differences.

At the deadline the app stores, per application, the eligibility and indicator inputs, the
weights, the registry version and the results (a JSON-native mapping). Jurors, ranking and
summaries read that snapshot, so a registry change or a late application cannot move a figure
while the jury scores. Recomputing is an explicit secretariat action; :func:`differences` says
what it changes, leaf by leaf, so the secretariat sees it before and the audit keeps it after.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from evaluation.indicators.result import Indicator

#: Version of the snapshot layout, stored in it.
SNAPSHOT_VERSION = 1


@dataclass(frozen=True)
class Difference:
    """One value that differs: its path (``"12.indicators.leverage.value"``), before and after."""

    path: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "old": self.old, "new": self.new}


_MISSING = object()


def _walk(prefix: str, old: Any, new: Any, out: list[Difference]) -> None:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new), key=str):
            path = f"{prefix}.{key}" if prefix else str(key)
            _walk(path, old.get(key, _MISSING), new.get(key, _MISSING), out)
        return
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            _walk(f"{prefix}[{i}]", a, b, out)
        return
    if old is _MISSING or new is _MISSING or old != new:
        out.append(
            Difference(
                prefix,
                None if old is _MISSING else old,
                None if new is _MISSING else new,
            )
        )


def differences(
    old: Mapping[str, Any], new: Mapping[str, Any], *, tolerance: float = 1e-9
) -> tuple[Difference, ...]:
    """Every leaf value that differs between two snapshots (numbers within ``tolerance`` equal).

    A key present on one side only is a difference with ``None`` on the other side.
    """
    found: list[Difference] = []
    _walk("", old, new, found)
    out = []
    for d in found:
        if (
            isinstance(d.old, (int, float))
            and isinstance(d.new, (int, float))
            and not isinstance(d.old, bool)
            and not isinstance(d.new, bool)
            and abs(d.old - d.new) <= tolerance
        ):
            continue
        out.append(d)
    return tuple(out)


# --------------------------------------------------------------------------------------------
# Building a snapshot, and reading its results as the live objects are read


def application_entry(
    inputs: Mapping[str, Any],
    eligibility: Mapping[str, Any],
    indicators: Mapping[str, Any],
    scores: Mapping[str, float],
) -> dict[str, Any]:
    """One application's part of a snapshot.

    ``inputs``: the application's content as evaluated (the receipt's shape); ``eligibility``:
    ``EligibilityResult.to_dict()``; ``indicators``: ``Indicators.to_dict(criteria)`` (with the
    evidence counted and the scores on each linked criterion's scale); ``scores``: the unrounded
    indicator scores 0-100 by name, so a frozen indicator maps onto a scale as the live one does.
    """
    return {
        "inputs": dict(inputs),
        "eligibility": dict(eligibility),
        "indicators": dict(indicators),
        "scores": {name: float(v) for name, v in scores.items()},
    }


def build_snapshot(
    applications: Mapping[int, Mapping[str, Any]],
    *,
    criteria_weights: Mapping[str, float],
    indicator_weights: Mapping[str, Any],
    registry_version: list[str],
) -> dict[str, Any]:
    """The snapshot of a call: every application's entry (by id, as text: JSON keys), the
    weights (criteria and indicator tuning) and the registry version they were computed on."""
    return {
        "version": SNAPSHOT_VERSION,
        "registry_version": list(registry_version),
        "weights": {"criteria": dict(criteria_weights), "indicators": dict(indicator_weights)},
        "applications": {str(app_id): dict(entry) for app_id, entry in sorted(applications.items())},
    }


@dataclass(frozen=True)
class FrozenEligibility:
    """A stored eligibility result; reads as ``EligibilityResult`` does (``eligible``, ``to_dict``)."""

    data: Mapping[str, Any]

    @property
    def eligible(self) -> bool:
        return bool(self.data.get("eligible"))

    def to_dict(self) -> dict[str, Any]:
        return {**self.data, "frozen": True}


@dataclass(frozen=True)
class FrozenIndicators:
    """Stored indicators; read as ``Indicators`` are (``get``, ``on_scales``, ``to_dict``)."""

    data: Mapping[str, Any]
    scores: Mapping[str, float]

    def get(self, name: str) -> Indicator:
        """The stored score as an :class:`Indicator` (without components: they are in ``data``)."""
        if name not in ("leverage", "scalability"):
            raise KeyError(name)
        return Indicator(name, float(self.scores.get(name, 0.0)), ())

    def on_scales(self, criteria: Any) -> dict[str, float]:
        return {c.code: self.get(c.indicator).on_scale(c) for c in criteria if c.indicator}

    def to_dict(self, criteria: Any = ()) -> dict[str, Any]:
        d = {k: v for k, v in self.data.items() if k != "on_scale"}
        criteria = list(criteria)
        if criteria:
            d["on_scale"] = self.on_scales(criteria)
        d["frozen"] = True
        return d


def frozen_results(entry: Mapping[str, Any]) -> tuple[FrozenEligibility, FrozenIndicators]:
    """The stored eligibility and indicators of one application's entry."""
    return (FrozenEligibility(entry["eligibility"]),
            FrozenIndicators(entry["indicators"], entry.get("scores", {})))
