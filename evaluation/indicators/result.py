"""The result of an indicator: components that add up to the score, with their explanation.

contribution_i = 100 * weight_i / sum(weights) * value_i        score = sum(contribution_i)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from evaluation.calls import Criterion
from evaluation.indicators.weights import DEFAULT_WEIGHTS, IndicatorWeights
from matching.registry import Municipality

if TYPE_CHECKING:
    from evaluation.indicators.evidence import DeliverableEvidence, EvidenceSummary


@dataclass(frozen=True)
class Component:
    """One part of an indicator. ``value`` in 0..1; ``contribution`` in points of the 0-100 score.

    ``raw`` is the underlying figure in ``unit`` (e.g. 1.25 "euro budget per euro grant");
    ``share`` is contribution / score (0 when the score is 0); ``max_contribution`` the points
    the component gives at value 1.
    """

    code: str
    name_nl: str
    name_en: str
    value: float
    raw: float | None
    unit: str
    weight: float
    max_contribution: float
    contribution: float
    share: float
    explanation_nl: str
    explanation_en: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.code,
            "label_nl": self.name_nl,
            "label_en": self.name_en,
            "value": round(self.value, 4),
            "raw": None if self.raw is None else round(self.raw, 4),
            "unit": self.unit,
            "weight": self.weight,
            "max_contribution": round(self.max_contribution, 2),
            "contribution": round(self.contribution, 2),
            "share": round(self.share, 4),
            "explanation": self.explanation_nl,
            "explanation_nl": self.explanation_nl,
            "explanation_en": self.explanation_en,
        }


@dataclass(frozen=True)
class Indicator:
    """An indicator score 0-100 with the components it is the sum of."""

    name: str
    score: float
    components: tuple[Component, ...]

    def component(self, code: str) -> Component:
        for c in self.components:
            if c.code == code:
                return c
        raise KeyError(code)

    def on_scale(self, criterion: Criterion) -> float:
        """The score mapped linearly onto the criterion's scale and snapped to its step."""
        span = criterion.scale_max - criterion.scale_min
        return criterion.snap(criterion.scale_min + self.score / 100.0 * span)

    def to_dict(self) -> dict[str, Any]:
        comps = [c.to_dict() for c in self.components]
        # The score shown is the sum of the rounded contributions, so the bars add up on screen.
        return {
            "name": self.name,
            "score": round(sum(c["contribution"] for c in comps), 2),
            "components": comps,
        }


@dataclass(frozen=True)
class Indicators:
    """Both indicators of one application, and the evidence they counted (what did not count)."""

    leverage: Indicator
    scalability: Indicator
    evidence: EvidenceSummary | None = None

    def get(self, name: str) -> Indicator:
        if name == "leverage":
            return self.leverage
        if name == "scalability":
            return self.scalability
        raise KeyError(name)

    def on_scales(self, criteria: Iterable[Criterion]) -> dict[str, float]:
        """Criterion code -> indicator score on that criterion's scale, for linked criteria."""
        return {c.code: self.get(c.indicator).on_scale(c) for c in criteria if c.indicator}

    def to_dict(self, criteria: Iterable[Criterion] = ()) -> dict[str, Any]:
        d: dict[str, Any] = {
            "leverage": self.leverage.to_dict(),
            "scalability": self.scalability.to_dict(),
        }
        criteria = list(criteria)
        if criteria:
            d["on_scale"] = self.on_scales(criteria)
        if self.evidence is not None:
            d["evidence"] = self.evidence.to_dict()
        return d


@dataclass(frozen=True)
class Part:
    code: str
    name_nl: str
    name_en: str
    weight: float
    value: float
    raw: float | None
    unit: str
    nl: str
    en: str


def make_indicator(name: str, parts: list[Part]) -> Indicator:
    total_weight = sum(p.weight for p in parts)
    contributions = [100.0 * p.weight / total_weight * p.value for p in parts]
    score = sum(contributions)
    comps = tuple(
        Component(
            code=p.code,
            name_nl=p.name_nl,
            name_en=p.name_en,
            value=p.value,
            raw=p.raw,
            unit=p.unit,
            weight=p.weight,
            max_contribution=100.0 * p.weight / total_weight,
            contribution=c,
            share=c / score if score > 0 else 0.0,
            explanation_nl=p.nl,
            explanation_en=p.en,
        )
        for p, c in zip(parts, contributions, strict=True)
    )
    return Indicator(name=name, score=score, components=comps)


def linked_items_part(
    code: str,
    names: tuple[str, str],
    weight: float,
    items: Sequence[DeliverableEvidence],
    item_weight: Callable[[str], float],
    labels: tuple[Mapping[str, str], Mapping[str, str]],
    unit: str,
) -> Part:
    """A component that is the weighted share of deliverables with a checkable link; the
    explanation names what counted and what was ticked or named without a link."""
    total = sum(item_weight(d.item) for d in items)
    counted = [d.item for d in items if d.counted]
    ticked = [d.item for d in items if d.ticked and not d.counted]
    value = sum(item_weight(i) for i in counted) / total if total else 0.0
    nl_labels, en_labels = labels
    nl = f"Met link: {', '.join(nl_labels[i] for i in counted) or 'niets'}."
    en = f"With a link: {', '.join(en_labels[i] for i in counted) or 'nothing'}."
    if ticked:
        nl += (
            " Aangevinkt of genoemd zonder controleerbare link (telt niet): "
            f"{', '.join(nl_labels[i] for i in ticked)}."
        )
        en += (
            " Ticked or named without a checkable link (not counted): "
            f"{', '.join(en_labels[i] for i in ticked)}."
        )
    return Part(code, names[0], names[1], weight, value, float(len(counted)), unit, nl, en)


def count_text(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def is_small_or_rural(m: Municipality, w: IndicatorWeights = DEFAULT_WEIGHTS) -> bool:
    """Small or rural: not a centrumstad, at most 50,000 inhabitants, not in Brussels.

    004 L296 splits small from large (> 50,000 inhabitants) and rural from urban; the registry
    has no area, so rural/urban follows the same reading as ``matching.graph.is_urban``
    (urban = centrumstad, large, or one of the 19 Brussels municipalities). Every municipality
    is either small-or-rural or large-or-urban, never both.
    """
    return not (m.is_centrumstad or m.population > w.small_population_max or m.region == "brussels")
