"""What a plan asks for and what a solve returns: parameters, errors and the immutable plan."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from matching.optimizer.costs import DEFAULT_COSTS, ClusterCosts
from matching.registry import DOMAINS

#: Maturity classes, weakest first (``matching.experience`` lists them strongest first).
#: The statuses of a plan (see :attr:`ClusterPlan.status`).
STATUSES: tuple[str, ...] = ("optimal", "time_limit", "infeasible", "cancelled")

MATURITY_ORDER: tuple[str, ...] = ("none", "starter", "experienced", "lighthouse-ready")

#: on_progress(elapsed_s, best_objective or None, lower_bound, gap)
ProgressCallback = Callable[[float, "float | None", float, float], None]


#: Dutch names of the domains, for the Dutch messages (the pages use the same words).
DOMAIN_NL: dict[str, str] = {
    "mobility": "Slimme mobiliteit", "environment": "Omgeving", "living": "Wonen",
    "people": "Mensen", "governance": "Bestuur", "economy": "Economie",
}


def domain_nl(domain: str) -> str:
    """The Dutch name of a domain (the key itself for a domain of a matrix model)."""
    return DOMAIN_NL.get(domain, domain)


class InvalidPlanRequest(Exception):
    """A malformed request: names the parameter (``field``) and what is wrong with it, in
    English (``message``) and Dutch (``message_nl``)."""

    def __init__(self, field: str, message: str, message_nl: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.message_nl = message_nl


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
    max_load: int | None = None
    """Most demand a cluster may carry, the lighthouse's own demand included (e.g. inhabitants);
    the demand of a site is its ``load`` column (see :meth:`ClusterModel.set_demand`)."""
    load: str = "population"
    """The demand column ``max_load`` counts: ``population`` (inhabitants) or a column set with
    :meth:`ClusterModel.set_demand`."""
    max_distance_km: float | None = None
    participants: tuple[str, ...] | None = None
    """REFNIS codes that take part (default: every municipality of the model)."""
    domain_participants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """domain -> REFNIS codes that take part in that domain's clustering (default: every
    participant). A municipality that declared an interest in mobility only is planned in
    mobility only; each domain's clusters cover exactly its own participants."""
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
    seed: int = 0
    """Seed of the randomised heuristics (the same seed gives the same plan)."""
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

    status: str
    """``optimal`` (proven), ``time_limit`` (stopped by the time limit: the best plan found
    with its bound and gap, or no plan yet; never a proof of infeasibility), ``infeasible``
    (proven, with the reason) or ``cancelled`` (stopped by the user; the best plan so far)."""
    objective: float | None
    lower_bound: float | None
    gap: float | None
    seconds: float
    clusters: tuple[Cluster, ...] = ()
    reason: str | None = None
    costs: ClusterCosts = DEFAULT_COSTS
    reason_nl: str | None = None
    """``reason`` in Dutch (what the pages show)."""

    @property
    def medians(self) -> tuple[str, ...]:
        """Every lighthouse of the plan (all domains), sorted."""
        return tuple(sorted({c.lighthouse for c in self.clusters}))

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
            "reason_nl": self.reason_nl,
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
    """A well-formed request that provably cannot be met, with the reason in both languages."""

    def __init__(self, reason: str, reason_nl: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reason_nl = reason_nl


#: on_plan(plan): a better plan than any before, found during the solve (status "time_limit":
#: the best so far, with its bound and gap).
PlanCallback = Callable[[ClusterPlan], None]
