"""Read OR-Library p-median instances (Beasley 1985, files ``pmed1`` ... ``pmed40``).

Format: the first line holds ``n m p`` (vertices, edges, medians); then ``m`` lines ``i j cost``,
one undirected edge each, vertices numbered from 1. When a pair appears more than once, the LAST
line counts (OR-Library's own note on these files, after Avella pointed out the multiple edges:
"only the last such cost is used"). Assignment costs are shortest-path distances over the graph
(Beasley applies Floyd's algorithm; we use ``scipy.sparse.csgraph``, which gives the same matrix).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path


class InstanceFormatError(Exception):
    """The file is not a p-median instance in OR-Library format."""


@dataclass(frozen=True)
class PMedianInstance:
    """A p-median instance: ``distances[i, j]`` is the cost of serving vertex ``i`` from ``j``."""

    n: int
    p: int
    distances: np.ndarray  # (n, n); int64 when every edge cost is integral, else float64
    name: str = ""


def shortest_path_costs(n: int, edges: list[tuple[int, int, float]]) -> np.ndarray:
    """All-pairs shortest-path distances of an undirected graph on vertices ``0..n-1``.

    ``edges`` are ``(i, j, cost)`` with 0-based vertices; a pair given twice keeps its last cost
    (the OR-Library rule), in either orientation. Raises ``InstanceFormatError`` when the graph is
    disconnected, because a p-median cost matrix then has infinite entries.
    """
    last: dict[tuple[int, int], float] = {}
    for i, j, cost in edges:
        if i == j:
            continue  # a loop never shortens a path; c(i, i) stays 0
        last[(min(i, j), max(i, j))] = cost
    if last:
        keys = np.array(list(last.keys()), dtype=np.int64)
        weights = np.array(list(last.values()), dtype=np.float64)
    else:
        keys = np.zeros((0, 2), dtype=np.int64)
        weights = np.zeros(0, dtype=np.float64)
    if np.any(weights < 0):
        raise InstanceFormatError("negative edge cost")
    # Build CSR directly: scipy keeps explicit zeros of a CSR matrix as zero-cost edges.
    graph = csr_matrix((weights, (keys[:, 0], keys[:, 1])), shape=(n, n))
    dist = shortest_path(graph, method="D", directed=False)
    if not np.all(np.isfinite(dist)):
        raise InstanceFormatError("the graph is not connected")
    if np.all(weights == np.round(weights)):
        return np.rint(dist).astype(np.int64)
    return dist


def parse_pmedian(text: str, name: str = "") -> PMedianInstance:
    """Parse the text of an OR-Library p-median file (see the module docstring)."""
    tokens = text.split()
    if len(tokens) < 3:
        raise InstanceFormatError("expected a first line 'n m p'")
    try:
        n, m, p = (int(t) for t in tokens[:3])
    except ValueError as exc:
        raise InstanceFormatError(f"first line must be three integers: {exc}") from None
    body = tokens[3:]
    if len(body) < 3 * m:
        raise InstanceFormatError(f"expected {m} edge lines, found {len(body) // 3}")
    if n <= 0 or not 1 <= p <= n:
        raise InstanceFormatError(f"need n > 0 and 1 <= p <= n, got n={n}, p={p}")
    edges: list[tuple[int, int, float]] = []
    for e in range(m):
        a, b, c = body[3 * e : 3 * e + 3]
        try:
            i, j = int(a), int(b)
            cost = float(c)
        except ValueError:
            raise InstanceFormatError(f"edge line {e + 1} is not 'i j cost'") from None
        if not (1 <= i <= n and 1 <= j <= n):
            raise InstanceFormatError(f"edge line {e + 1}: vertex outside 1..{n}")
        edges.append((i - 1, j - 1, cost))
    return PMedianInstance(n=n, p=p, distances=shortest_path_costs(n, edges), name=name)


def read_pmedian(path: str | Path) -> PMedianInstance:
    """Read an OR-Library p-median file from ``path``."""
    path = Path(path)
    return parse_pmedian(path.read_text(), name=path.stem)


@dataclass(frozen=True)
class CapacitatedInstance:
    """A capacitated p-median instance in OR-Library's pmedcap form (Osman & Christofides).

    ``distances[i, j]`` = floor of the Euclidean distance between sites i and j; each median
    serves itself; the demand served by a median, its own included, is at most ``capacity``.
    """

    n: int
    p: int
    capacity: int
    ids: tuple[str, ...]
    xy: np.ndarray  # (n, 2)
    demand: np.ndarray  # (n,) int64
    distances: np.ndarray  # (n, n) int64
    best_known: float | None = None
    name: str = ""


def floor_euclid(xy: np.ndarray) -> np.ndarray:
    """Assignment costs of pmedcap: Euclidean distances rounded down to integers."""
    diff = xy[:, None, :] - xy[None, :, :]
    return np.floor(np.sqrt((diff ** 2).sum(-1)) + 1e-9).astype(np.int64)


def parse_pmedcap(text: str, name: str = "") -> CapacitatedInstance:
    """Parse one pmedcap problem: ``problem_number best_known_value``, then ``n p capacity``,
    then ``n`` lines ``id x y demand``."""
    lines = [line.split() for line in text.splitlines() if line.strip()]
    if len(lines) < 2 or len(lines[0]) < 2 or len(lines[1]) < 3:
        raise InstanceFormatError("expected 'problem best_known' and 'n p capacity' lines")
    try:
        best = float(lines[0][1])
        n, p, capacity = (int(t) for t in lines[1][:3])
    except ValueError as exc:
        raise InstanceFormatError(f"header lines must be numbers: {exc}") from None
    if n <= 0 or not 1 <= p <= n or capacity < 1:
        raise InstanceFormatError(f"need n > 0, 1 <= p <= n and capacity >= 1, got "
                                  f"n={n}, p={p}, capacity={capacity}")
    rows = lines[2:2 + n]
    if len(rows) != n or any(len(r) < 4 for r in rows):
        raise InstanceFormatError(f"expected {n} lines 'id x y demand'")
    try:
        ids = tuple(r[0] for r in rows)
        xy = np.array([[float(r[1]), float(r[2])] for r in rows])
        demand = np.array([float(r[3]) for r in rows])
    except ValueError:
        raise InstanceFormatError("a site line is not 'id x y demand'") from None
    if np.any(demand < 0) or np.any(demand != np.round(demand)):
        raise InstanceFormatError("demands must be whole numbers >= 0")
    if len(set(ids)) != n:
        raise InstanceFormatError("site ids must be distinct")
    return CapacitatedInstance(n, p, capacity, ids, xy, demand.astype(np.int64), floor_euclid(xy),
                               best if best > 0 else None, name)


def read_pmedcap(path: str | Path) -> CapacitatedInstance:
    """Read a pmedcap problem from ``path`` (see :func:`parse_pmedcap`)."""
    path = Path(path)
    return parse_pmedcap(path.read_text(), name=path.stem)


def format_pmedcap(inst: CapacitatedInstance, number: int = 1) -> str:
    """The instance as pmedcap text (best known value 0 when unknown)."""
    head = [f"{number} {inst.best_known or 0:g}", f"{inst.n} {inst.p} {inst.capacity}"]
    body = [f"{i} {x:g} {y:g} {int(q)}" for i, (x, y), q in zip(inst.ids, inst.xy, inst.demand,
                                                               strict=True)]
    return "\n".join(head + body) + "\n"


def random_pmedcap(n: int, p: int, seed: int, tightness: float = 0.85) -> CapacitatedInstance:
    """A generated instance in the style of Osman & Christofides: integer points in
    [0, 100]^2, demands 1..20, capacity such that the total demand fills ``tightness`` of the
    p medians' capacity."""
    rng = np.random.default_rng(seed)
    xy = rng.integers(0, 101, size=(n, 2)).astype(np.float64)
    demand = rng.integers(1, 21, size=n).astype(np.int64)
    capacity = max(int(demand.max()), int(np.ceil(demand.sum() / (p * tightness))))
    return CapacitatedInstance(n, p, capacity, tuple(str(i + 1) for i in range(n)), xy, demand,
                               floor_euclid(xy), None, f"gen-n{n}-p{p}-s{seed}")
