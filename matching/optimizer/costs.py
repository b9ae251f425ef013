"""The cost of a plan: weights, size classes and the one assignment-cost formula.

:func:`cost_terms` is the formula, vectorised over arrays of followers and lighthouses; the
planner builds its cost matrices with it (:func:`domain_cost_matrix`) and the scalar explanation
of one pair (:func:`assignment_cost`) calls it on one follower and one lighthouse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from matching.registry import Municipality

#: Population thresholds of the size classes in inhabitants: < 10,000 small (the issue's
#: coverage figure), > 50,000 large (SERV typology, seed 004 L296); in between medium.
SIZE_THRESHOLDS: tuple[int, int] = (10_000, 50_000)

#: Costs are scaled to integers for CP-SAT with this factor (hundredths of a point).
COST_SCALE = 100


@dataclass(frozen=True)
class ClusterCosts:
    """Every weight of the plan's cost, in cost points (1 point = the cost of 1 km).

    Assigning follower f to lighthouse l in domain d costs (see :func:`cost_terms`)::

        distance_per_km * km(f, l)
        + size_mismatch * |size_class(f) - size_class(l)| / 2
        + centrumstad_mismatch * [exactly one of f, l is a centrumstad]
        + inexperience * (1 - min(1, experience(l, d) / experience_reference))

    and every lighthouse costs ``lighthouse_fixed``. All values are our own tuning
    [interpretation], not figures from the sources: the sources ask for neighbours first but
    allow peers of the same type or size (004 L812) and experienced lighthouses (000, 5.2).
    """

    distance_per_km: float = 1.0
    """Points per km of great-circle distance between follower and lighthouse."""
    size_mismatch: float = 10.0
    """Points for a follower two size classes away from its lighthouse (small vs large)."""
    centrumstad_mismatch: float = 5.0
    """Points when one of the two is a centrumstad and the other is not (urban vs rural)."""
    inexperience: float = 20.0
    """Points per follower for a lighthouse without experience in the domain (0 at reference)."""
    experience_reference: float = 1.0
    """Experience score that counts as fully experienced (``lighthouse_ready_min_score``)."""
    lighthouse_fixed: float = 0.0
    """Points per lighthouse; with a free number of lighthouses this decides how many."""

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


DEFAULT_COSTS = ClusterCosts()


def size_class(population: int) -> int:
    """0 small (< 10,000 inhabitants), 1 medium, 2 large (> 50,000)."""
    return int(size_classes(np.array([population]))[0])


def size_classes(populations: np.ndarray) -> np.ndarray:
    """:func:`size_class` of every population in the array."""
    small, large = SIZE_THRESHOLDS
    populations = np.asarray(populations)
    return np.where(populations < small, 0, np.where(populations > large, 2, 1))


def experience_levels(scores: np.ndarray, costs: ClusterCosts = DEFAULT_COSTS) -> np.ndarray:
    """How experienced each lighthouse is, 0..1: ``min(1, max(0, score) / reference)``."""
    ref = costs.experience_reference
    scores = np.asarray(scores, dtype=float)
    if ref <= 0:
        return np.ones_like(scores)
    return np.minimum(1.0, np.maximum(0.0, scores) / ref)


@dataclass(frozen=True)
class CostParts:
    """One follower-lighthouse cost split into its terms (points); ``total`` is their sum."""

    distance: float
    size: float
    centrumstad: float
    inexperience: float

    @property
    def total(self) -> float:
        return self.distance + self.size + self.centrumstad + self.inexperience


def cost_terms(follower_size: np.ndarray, follower_centrum: np.ndarray,
               lighthouse_size: np.ndarray, lighthouse_centrum: np.ndarray,
               lighthouse_level: np.ndarray, distance_km: np.ndarray,
               costs: ClusterCosts = DEFAULT_COSTS) -> tuple[np.ndarray, ...]:
    """The four terms of the assignment cost (distance, size, centrumstad, inexperience),
    broadcast over the arrays: follower attributes as a column, lighthouse attributes as a row
    give the (followers x lighthouses) matrices. Self-service is not special-cased here."""
    ones = np.ones(np.broadcast_shapes(np.shape(follower_size), np.shape(lighthouse_size),
                                       np.shape(distance_km)))
    return (
        costs.distance_per_km * np.asarray(distance_km, dtype=float) * ones,
        costs.size_mismatch * np.abs(np.asarray(follower_size) - lighthouse_size) / 2 * ones,
        costs.centrumstad_mismatch * (np.asarray(follower_centrum) != lighthouse_centrum) * ones,
        costs.inexperience * (1.0 - np.asarray(lighthouse_level, dtype=float)) * ones,
    )


def domain_cost_matrix(municipalities: Sequence[Municipality], distance_km: np.ndarray,
                       experience: Mapping[str, float],
                       costs: ClusterCosts = DEFAULT_COSTS) -> np.ndarray:
    """(n x n) cost in points of row following column in one domain (0 on the diagonal: a
    lighthouse serves itself), rounded to the hundredths CP-SAT works in."""
    size = size_classes(np.array([m.population for m in municipalities]))
    centrum = np.array([m.is_centrumstad for m in municipalities])
    level = experience_levels(np.array([experience.get(m.refnis, 0.0)
                                        for m in municipalities]), costs)
    c = sum(cost_terms(size[:, None], centrum[:, None], size[None, :], centrum[None, :],
                       level[None, :], distance_km, costs))
    np.fill_diagonal(c, 0.0)
    return np.rint(c * COST_SCALE) / COST_SCALE


def assignment_cost(
    follower: Municipality,
    lighthouse: Municipality,
    distance_km: float,
    lighthouse_experience: float,
    costs: ClusterCosts = DEFAULT_COSTS,
) -> CostParts:
    """Cost of ``follower`` following ``lighthouse``: :func:`cost_terms` for one pair.

    ``distance_km`` is their great-circle distance, ``lighthouse_experience`` the lighthouse's
    experience score in the domain. A lighthouse serving itself costs nothing.
    """
    if follower.refnis == lighthouse.refnis:
        return CostParts(0.0, 0.0, 0.0, 0.0)
    terms = cost_terms(size_classes(np.array(follower.population)),
                       np.array(follower.is_centrumstad),
                       size_classes(np.array(lighthouse.population)),
                       np.array(lighthouse.is_centrumstad),
                       experience_levels(np.array(lighthouse_experience), costs),
                       np.array(distance_km), costs)
    return CostParts(*(float(t) for t in terms))
