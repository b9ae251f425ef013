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
