"""Region-wide lighthouse-follower plans: a capacitated p-median with side constraints.

Build a :class:`ClusterModel` (municipalities, per-domain experience scores and maturity classes),
then ``model.solve(params)`` returns an immutable :class:`ClusterPlan` with status, objective,
lower bound, gap and clusters; ``model.validate(params)`` checks a request without solving it.
Modelled after PyVRP's ``Model.solve() -> Result``.

Per domain d (several at once), with participants P and candidates C_d (maturity at least
``min_maturity``, or pinned):

* y[d, l] = 1 when l is a lighthouse of d; x[d, f, l] = 1 when follower f follows l in d;
* every participant of domain d is in exactly one cluster of d: y[d, f] + sum_l x[d, f, l] = 1
  (a lighthouse serves itself);
* min_followers * y[d, l] <= sum_f x[d, f, l] <= max_followers * y[d, l]; x[d, f, l] <= y[d, l];
* k lighthouses per domain exactly, or within [min, max], or free (then the fixed cost decides);
* sum_d y[d, l] <= 1 when ``one_domain_per_lighthouse`` (the sources: each lighthouse focuses on
  one domain);
* pairs farther than ``max_distance_km`` and forbidden pairs have no x; pinned lighthouses and
  forced assignments are fixed to 1.

Objective: sum of :func:`assignment_cost` over the assignments plus ``lighthouse_fixed`` per
lighthouse. Solved with OR-Tools CP-SAT on costs in hundredths of a point; the reported
objective and bound are in points. See ``docs/optimizer.md``.

Modules: :mod:`.costs` (weights and the one cost formula), :mod:`.params` (request and result
types), :mod:`.model` (the model and the validated request), :mod:`.lp` (LP bounds and
reduced-cost fixing), :mod:`.heuristics` (greedy plans, min-cost-flow assignment, repair),
:mod:`.cpsat` (the CP-SAT model) and :mod:`.solve` (the orchestration).
"""

from matching.optimizer import solve as _solve  # noqa: F401  (imported now, not mid-solve)
from matching.optimizer.costs import (
    COST_SCALE,
    DEFAULT_COSTS,
    SIZE_THRESHOLDS,
    ClusterCosts,
    CostParts,
    assignment_cost,
    cost_terms,
    size_class,
)
from matching.optimizer.model import ClusterModel
from matching.optimizer.params import (
    MATURITY_ORDER,
    Cluster,
    ClusterPlan,
    Follower,
    InvalidPlanRequest,
    PlanParams,
    ProgressCallback,
)

__all__ = [
    "COST_SCALE", "DEFAULT_COSTS", "MATURITY_ORDER", "SIZE_THRESHOLDS", "Cluster", "ClusterCosts",
    "ClusterModel", "ClusterPlan", "CostParts", "Follower", "InvalidPlanRequest", "PlanParams",
    "ProgressCallback", "assignment_cost", "cost_terms", "size_class",
]
