"""What a plan asks for and what a solve returns: parameters, errors and the immutable plan."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from matching.optimizer.costs import DEFAULT_COSTS, ClusterCosts
from matching.registry import DOMAINS

#: Maturity classes, weakest first (``matching.experience`` lists them strongest first).
MATURITY_ORDER: tuple[str, ...] = ("none", "starter", "experienced", "lighthouse-ready")

#: on_progress(elapsed_s, best_objective or None, lower_bound, gap)
ProgressCallback = Callable[[float, "float | None", float, float], None]


class InvalidPlanRequest(Exception):
    """A malformed request: names the parameter (``field``) and what is wrong with it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class PlanParams:
    """What the planner asks for. ``None`` means "no limit" unless said otherwise."""

    domains: tuple[str, ...] = DOMAINS
    lighthouses: int | None = None
    """Exact number of lighthouses per domain (overrides min/max)."""
    min_lighthouses: int | None = None
    max_lighthouses: int | None = None
    max_followers: int | None = None
    """Followers per cluster, the lighthouse itself not counted."""
    min_followers: int = 0
    max_distance_km: float | None = None
    participants: tuple[str, ...] | None = None
    """REFNIS codes that take part (default: every municipality of the model)."""
    pinned_lighthouses: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """domain -> REFNIS codes that must be lighthouses of that domain."""
    forced: tuple[tuple[str, str, str], ...] = ()
    """(domain, follower, lighthouse) assignments that must hold."""
    forbidden: tuple[tuple[str, str, str], ...] = ()
    """(domain, follower, lighthouse) assignments that must not hold."""
    excluded: tuple[str, ...] = ()
    """REFNIS codes left out entirely (neither follower nor lighthouse)."""
    min_maturity: str = "experienced"
    one_domain_per_lighthouse: bool = True
    time_limit_s: float = 60.0
    costs: ClusterCosts = DEFAULT_COSTS
    workers: int = 1
    """CP-SAT workers. One LP-driven worker with full linearization proved the
    fastest on our 2-core machine (bench/bench_flanders_plan.py)."""


@dataclass(frozen=True)
class Follower:
    refnis: str
    distance_km: float
    cost: float


@dataclass(frozen=True)
class Cluster:
    domain: str
    lighthouse: str
    followers: tuple[Follower, ...]


@dataclass(frozen=True)
class ClusterPlan:
    """Result of a solve. Objective and bound in cost points; ``gap`` relative to objective."""

    status: str  # "optimal" | "feasible" | "infeasible"
    objective: float | None
    lower_bound: float | None
    gap: float | None
    seconds: float
    clusters: tuple[Cluster, ...] = ()
    reason: str | None = None
    costs: ClusterCosts = DEFAULT_COSTS

    def lighthouses(self, domain: str) -> tuple[str, ...]:
        return tuple(c.lighthouse for c in self.clusters if c.domain == domain)

    def as_dict(self) -> dict:
        """Plain JSON-ready form (the API's ``result``)."""
        return {
            "status": self.status,
            "objective": self.objective,
            "lower_bound": self.lower_bound,
            "gap": self.gap,
            "seconds": round(self.seconds, 3),
            "reason": self.reason,
            "costs": self.costs.as_dict(),
            "clusters": [
                {
                    "domain": c.domain,
                    "lighthouse": c.lighthouse,
                    "followers": [
                        {"refnis": f.refnis, "distance_km": round(f.distance_km, 2),
                         "cost": round(f.cost, 2)}
                        for f in c.followers
                    ],
                }
                for c in self.clusters
            ],
        }



class Infeasible(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
