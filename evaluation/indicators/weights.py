"""Every tuning number of the leverage and scalability indicators, in one named object.

``docs/indicators.md`` gives each field with the seed passage it rests on ("source") or marks it
as our tuning ("ours"). The API shows them with :meth:`IndicatorWeights.to_dict`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from evaluation.calls import FieldError, InvalidInput

#: Interoperability items of the scalability indicator (each counts only with a checkable link).
OPENNESS_ITEMS: tuple[str, ...] = ("oslo", "vloca", "open_source", "open_data")

#: Knowledge-sharing commitments of the leverage indicator (each counts only with a link).
KNOWLEDGE_ITEMS: tuple[str, ...] = ("playbook", "model_specification", "training", "practice_database")


class InvalidIndicatorWeights(InvalidInput):
    """A tuning weight is negative, not a number, or a group of weights sums to 0."""


@dataclass(frozen=True)
class IndicatorWeights:
    """The weights and constants of both indicators (component weights are relative)."""

    # Leverage: reuse by others (ours: the split; the components: docs/indicators.md).
    leverage_multiplier: float = 0.40
    leverage_reach: float = 0.20
    leverage_cofinancing: float = 0.15
    leverage_knowledge_sharing: float = 0.25
    #: Follower points that earn the full multiplier (a small follower with a letter is 1 point).
    multiplier_full_followers: float = 5.0
    #: Points of a large or urban follower, against 1 for a small or rural one.
    multiplier_large_follower_value: float = 0.5
    #: Share a follower counts for when it lies beyond the call's follower distance of every
    #: consortium member and shares no earlier project with one (flagged).
    far_follower_factor: float = 0.5
    #: Inhabitants of partners and followers (the lead left out) that earn the full reach.
    reach_full_inhabitants: int = 100_000
    #: Co-financing share above the call's minimum that earns the full co-financing part.
    cofinancing_full_extra_share: float = 0.30
    knowledge_playbook: float = 1.0
    knowledge_model_specification: float = 1.0
    knowledge_training: float = 1.0
    knowledge_practice_database: float = 1.0

    # Scalability: adoption nearby, interoperability, proven maturity, a cluster of neighbours.
    scalability_adoption: float = 0.35
    scalability_openness: float = 0.25
    scalability_maturity: float = 0.20
    scalability_cluster: float = 0.20
    #: Distance (km) over which the pull of the cluster on a municipality falls by a factor e.
    adoption_distance_scale_km: float = 20.0
    #: Regions whose municipalities are potential adopters and count as members and followers.
    adoption_regions: tuple[str, ...] = ("flanders",)
    openness_oslo: float = 1.0
    openness_vloca: float = 1.0
    openness_open_source: float = 1.0
    openness_open_data: float = 1.0
    #: Maturity value of a counted prior project by its status (others count 0).
    maturity_status_values: tuple[tuple[str, float], ...] = (("completed", 1.0), ("running", 0.5))
    #: Cluster: weight of "a larger and a smaller neighbour together" vs "neighbours in it".
    cluster_mix_weight: float = 0.5
    cluster_neighbours_weight: float = 0.5
    #: Partners and followers near a consortium member that earn the full neighbours part.
    cluster_full_neighbours: int = 3
    #: Small up to this population (004 L296: large is > 50,000 inhabitants).
    small_population_max: int = 50_000

    def __post_init__(self) -> None:
        errors: list[FieldError] = []
        for f in fields(self):
            value = getattr(self, f.name)
            is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if is_number and (not math.isfinite(value) or value < 0):
                errors.append(FieldError(f.name, "must be a number of at least 0", "moet een getal ≥ 0 zijn"))
        groups = {
            "leverage": self.leverage_weights(),
            "scalability": self.scalability_weights(),
            "openness": tuple(self.openness(i) for i in OPENNESS_ITEMS),
            "knowledge": tuple(self.knowledge(i) for i in KNOWLEDGE_ITEMS),
            "cluster": (self.cluster_mix_weight, self.cluster_neighbours_weight),
        }
        for name, values in groups.items():
            if sum(v for v in values if isinstance(v, (int, float)) and v > 0) <= 0:
                errors.append(
                    FieldError(
                        name,
                        "weights must sum to more than 0",
                        "gewichten moeten samen meer dan 0 zijn",
                    )
                )
        for name in ("multiplier_full_followers", "cluster_full_neighbours"):
            if not getattr(self, name) >= 1:
                errors.append(FieldError(name, "must be at least 1", "moet minstens 1 zijn"))
        for name in (
            "reach_full_inhabitants",
            "cofinancing_full_extra_share",
            "adoption_distance_scale_km",
        ):
            if not getattr(self, name) > 0:
                errors.append(FieldError(name, "must be above 0", "moet groter dan 0 zijn"))
        for name in ("multiplier_large_follower_value", "far_follower_factor"):
            if not 0 <= getattr(self, name) <= 1:
                errors.append(FieldError(name, "must lie in 0..1", "moet tussen 0 en 1 liggen"))
        if errors:
            raise InvalidIndicatorWeights(errors)

    def leverage_weights(self) -> tuple[float, ...]:
        return (
            self.leverage_multiplier,
            self.leverage_reach,
            self.leverage_cofinancing,
            self.leverage_knowledge_sharing,
        )

    def scalability_weights(self) -> tuple[float, ...]:
        return (
            self.scalability_adoption,
            self.scalability_openness,
            self.scalability_maturity,
            self.scalability_cluster,
        )

    def openness(self, item: str) -> float:
        return float(getattr(self, f"openness_{item}"))

    def knowledge(self, item: str) -> float:
        return float(getattr(self, f"knowledge_{item}"))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT_WEIGHTS = IndicatorWeights()
